"""The expert evaluation in the console: a reviewer scores an assigned declaration against its
programme's rubric or declares a conflict of interest; staff read the evaluations and the ranking."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.confirm import Confirmation, confirmation_page, is_confirmed
from common.http import query_without_page
from common.views import permission_required
from declarations.workflow import TransitionRefused
from review import evaluation
from review.budgets import budget_position, ranking_budget_line
from review.evaluation_forms import ConflictForm, EvaluationForm, RankingFilterForm
from review.views.declaration import console_declaration, render_page


def _own_open_assignment(request, declaration):
    """The user's own active assignment on the declaration; 403 for anyone without one."""
    assignment = evaluation.own_open_assignment(request.user, declaration)
    if assignment is None:
        raise PermissionDenied
    return assignment


@permission_required("console.enter")
@require_POST
def evaluation_score(request, pk):
    """Save the reviewer's evaluation as a draft, or submit it ("submit" in the post)."""
    declaration = console_declaration(request, pk)
    assignment = _own_open_assignment(request, declaration)
    rubric = evaluation.programme_rubric(declaration.programme_id)
    submit = "submit" in request.POST
    criteria = rubric.criteria.all() if rubric else []
    form = EvaluationForm(request.POST, prefix="evaluation", criteria=criteria, final=submit)
    if form.is_valid():
        if submit and not is_confirmed(request):
            return _submit_confirmation(request, declaration, form)
        try:
            evaluation.assignment_score(
                assignment_id=assignment.pk,
                actor=request.user,
                scores=form.scores(),
                opinion=form.cleaned_data["opinion"],
                submit=submit,
                rubric=rubric,
            )
        except evaluation.EvaluationRefused as refusal:
            form.add_refusal(refusal.errors)
        except TransitionRefused as refusal:
            messages.error(request, str(refusal))
            return redirect("review:declaration", pk=pk)
        else:
            messages.success(request, _("Evaluation submitted.") if submit else _("Draft saved."))
            return redirect("review:declaration", pk=pk)
    messages.error(request, _("Please correct the fields marked below."))
    return render_page(request, declaration, {"evaluation_form": form})


def _submit_confirmation(request, declaration, form):
    """What submitting the evaluation will do, with the scores and the opinion as typed."""
    page = reverse("review:declaration", args=[declaration.pk])
    facts = [(_("Declaration"), f"{declaration.number} {declaration.title}")]
    facts += [
        (str(field.label), str(form.cleaned_data[name])) for name, field in form.fields.items() if name != "opinion"
    ]
    facts.append((_("Opinion"), form.cleaned_data["opinion"]))
    confirmation = Confirmation(
        title=_("Submit your evaluation"),
        consequences=[
            _("Your scores and opinion are submitted to the commission and can no longer be changed."),
            _("Once every assigned reviewer has submitted, staff complete the evaluation and decide."),
        ],
        facts=facts,
        button=_("Submit evaluation"),
        action_url=reverse("review:evaluation_score", args=[declaration.pk]),
        cancel_url=page,
    )
    return confirmation_page(request, confirmation, extra={"console_section": "queue"})


def _conflict_confirmation(request, declaration, reason):
    """What declaring a conflict of interest will do, with the reason as typed."""
    confirmation = Confirmation(
        title=_("Declare a conflict of interest"),
        consequences=[
            _("You are released from this declaration: you no longer see it, and your draft scores do not count."),
            _("%(organisation)s's declarations are no longer assigned to you. This cannot be taken back.")
            % {"organisation": declaration.organisation.name},
            _("The staff member who assigned you is told, with your reason."),
        ],
        facts=[
            (_("Declaration"), f"{declaration.number} {declaration.title}"),
            (_("Organisation"), declaration.organisation.name),
            (_("Reason"), reason),
        ],
        button=_("Declare the conflict"),
        action_url=reverse("review:conflict_declare", args=[declaration.pk]),
        cancel_url=reverse("review:declaration", args=[declaration.pk]),
        danger=True,
    )
    return confirmation_page(request, confirmation, extra={"console_section": "queue"})


@permission_required("console.enter")
@require_POST
def conflict_declare(request, pk):
    """The reviewer declares a conflict of interest and is released from the declaration."""
    declaration = console_declaration(request, pk)
    assignment = _own_open_assignment(request, declaration)
    form = ConflictForm(request.POST, prefix="conflict")
    if form.is_valid():
        if not is_confirmed(request):
            return _conflict_confirmation(request, declaration, form.cleaned_data["reason"])
        try:
            evaluation.conflict_declare(
                assignment_id=assignment.pk, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except TransitionRefused as refusal:
            messages.error(request, str(refusal))
            return redirect("review:declaration", pk=pk)
        messages.success(
            request,
            _("Conflict of interest recorded: declaration %(number)s is no longer assigned to you.")
            % {"number": declaration.number or declaration.title},
        )
        return redirect("review:queue")
    messages.error(request, _("Please correct the fields marked below."))
    return render_page(request, declaration, {"conflict_form": form})


@permission_required("console.staff")
def ranking(request):
    """Staff only: evaluated declarations by weighted total, filtered by call and programme; for one
    programme under one call, with the budget line (review.budgets.ranking_budget_line)."""
    form = RankingFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    call, programme = filters.get("call"), filters.get("programme")
    summaries = evaluation.evaluation_ranking(call=call, programme=programme)
    page = Paginator(summaries, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filter_form": form,
        "console_section": "ranking",
        "query_string": query_without_page(request),
    }
    # A budget is a programme's for a year: the line is drawn for one programme under one call.
    if call is not None and programme is not None:
        position = budget_position(programme, call.year)
        line = ranking_budget_line(summaries, position)
        if line is not None:
            page.object_list = list(page.object_list)
            line.mark(page.object_list)
        context.update(budget_position=position, budget_line=line)
    return render(request, "review/evaluation/ranking.html", context)


urlpatterns = [
    path("ranking/", ranking, name="ranking"),
    path("<int:pk>/evaluation/", evaluation_score, name="evaluation_score"),
    path("<int:pk>/conflict/", conflict_declare, name="conflict_declare"),
]
