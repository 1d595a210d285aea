"""The applicant site: dashboard, organisation profile, and declarations from draft to submission."""

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from declarations import estimator, selectors, services
from declarations.enums import DeclarationAction
from declarations.forms import DeclarationForm, FactsForm, NewDeclarationForm, NoteForm, OrganisationForm
from declarations.programmes import PROGRAMMES
from declarations.workflow import TransitionRefused, actions_available


def _applicant(request):
    if not rules.has_perm("declarations.create_declaration", request.user):
        raise PermissionDenied
    return request.user


def _own_declaration(request, pk):
    """The declaration if it belongs to the user's organisation; 404 otherwise, never a hint."""
    return get_object_or_404(selectors.declaration_list_for_applicant(_applicant(request)), pk=pk)


@login_required
def dashboard(request):
    user = _applicant(request)
    return render(
        request,
        "declarations/dashboard.html",
        {
            "declarations": selectors.declaration_list_for_applicant(user),
            "calls": selectors.calls_open_now(),
            "notices": user.notices.all()[:5],
        },
    )


@login_required
def organisation(request):
    user = _applicant(request)
    org = user.organisation
    fields = services.ORGANISATION_FIELDS
    initial = {name: getattr(org, name) for name in fields} | {"organisation_name": org.name}
    form = OrganisationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["name"] = data.pop("organisation_name")
        services.organisation_update(organisation_id=org.pk, actor=user, **data)
        messages.success(request, _("The organisation profile was saved."))
        return redirect("declarations:organisation")
    return render(request, "declarations/organisation.html", {"form": form, "organisation": org})


@login_required
def declaration_new(request):
    user = _applicant(request)
    calls = selectors.calls_open_now()
    form = NewDeclarationForm(request.POST or None, calls=calls)
    if request.method == "POST" and form.is_valid():
        try:
            declaration = services.declaration_create(
                actor=user,
                call=form.cleaned_data["call"],
                programme=form.cleaned_data["programme"],
                title=form.cleaned_data["title"],
            )
        except TransitionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Draft created. Fill in the project and its facts; it is saved at every step."))
            return redirect("declarations:edit", pk=declaration.pk)
    return render(request, "declarations/new.html", {"form": form, "calls": calls})


@login_required
def declaration_detail(request, pk):
    declaration = _own_declaration(request, pk)
    spec = PROGRAMMES[declaration.programme.code]
    facts = [(fact, declaration.facts.get(fact.name)) for fact in spec.facts]
    return render(
        request,
        "declarations/detail.html",
        {
            "declaration": declaration,
            "facts": facts,
            "award": selectors.declaration_award_summary(declaration),
            "events": selectors.declaration_events(declaration),
            "actions": actions_available(declaration, request.user),
            "missing": services.declaration_missing_facts(declaration) if declaration.is_editable else [],
            "note_form": NoteForm(),
        },
    )


@login_required
def declaration_edit(request, pk):
    declaration = _own_declaration(request, pk)
    if not declaration.is_editable:
        messages.info(request, _("A submitted declaration can no longer be changed."))
        return redirect("declarations:detail", pk=pk)
    form = DeclarationForm(request.POST or None, instance=declaration)
    facts_form = FactsForm(request.POST or None, programme_code=declaration.programme.code, facts=declaration.facts)
    if request.method == "POST":
        if form.is_valid() and facts_form.is_valid():
            try:
                services.declaration_update(
                    declaration_id=declaration.pk,
                    actor=request.user,
                    title=form.cleaned_data["title"],
                    summary=form.cleaned_data["summary"],
                    facts=facts_form.facts(),
                )
            except TransitionRefused as refusal:
                messages.error(request, str(refusal))
                return redirect("declarations:detail", pk=pk)
            messages.success(request, _("Your draft was saved."))
            if "review" in request.POST:
                return redirect("declarations:detail", pk=pk)
            return redirect("declarations:edit", pk=pk)
        messages.error(request, _("Please correct the fields marked below. Nothing was saved yet."))
    return render(
        request,
        "declarations/edit.html",
        {
            "declaration": declaration,
            "form": form,
            "facts_form": facts_form,
            "returns": declaration.events.filter(action=DeclarationAction.RETURN).order_by("-created_at"),
        },
    )


@login_required
@require_POST
def declaration_submit(request, pk):
    declaration = _own_declaration(request, pk)
    try:
        declaration = services.declaration_submit(declaration_id=declaration.pk, actor=request.user)
    except TransitionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Declaration %(number)s was submitted.") % {"number": declaration.number})
    return redirect("declarations:detail", pk=pk)


@login_required
@require_POST
def declaration_withdraw(request, pk):
    declaration = _own_declaration(request, pk)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.declaration_withdraw(declaration_id=declaration.pk, actor=request.user, note=note)
    except TransitionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("The declaration was withdrawn."))
    return redirect("declarations:detail", pk=pk)


def estimate(request):
    """The public award estimator: choose a programme, type its facts, read the engine's estimate.

    Everything travels in GET parameters, so an estimate can be bookmarked and shared."""
    chooser = estimator.ProgrammeChoiceForm(request.GET or None)
    programme = form = result = None
    if chooser.is_valid():
        programme = chooser.chosen
        form = estimator.estimate_form(request.GET, programme.code)
        if form.is_bound and form.is_valid():
            result = form.estimate()
    return render(
        request,
        "declarations/estimate.html",
        {"chooser": chooser, "programme": programme, "form": form, "result": result, "shown": estimator.SHOWN},
    )
