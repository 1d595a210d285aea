"""The staff console: the declaration queue and one declaration's page with the actions the user
may take on it now. Each action is a form; errors are shown at the form that was sent."""

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from declarations.enums import DeclarationAction as A
from declarations.enums import DeclarationState as S
from declarations.programmes import PROGRAMMES
from declarations.selectors import (
    declaration_award_summary,
    declaration_events,
    declaration_evidence,
    declaration_standing_commitment,
)
from declarations.workflow import TRANSITIONS, TransitionRefused, actions_available, declaration_transition
from review import selectors, services
from review.forms import AssignForm, DecisionForm, NoteForm, ReasonForm
from review.views.base import console_user


def _handle(action, declaration, user, data):
    """Run the service for one console form; returns (form, success message or None)."""
    pk = declaration.pk
    if action == "assign":
        form = AssignForm(data, prefix=action, reviewers=selectors.reviewers_with_load(declaration))
        if form.is_valid():
            services.reviewers_assign(declaration_id=pk, actor=user, reviewers=list(form.cleaned_data["reviewers"]))
            return form, _("Expert reviewers assigned.")
    elif action == A.APPROVE:
        form = DecisionForm(data, prefix=action)
        if form.is_valid():
            try:
                services.declaration_approve(
                    declaration_id=pk, actor=user, amount=form.cleaned_data["amount"], note=form.cleaned_data["note"]
                )
            except services.AboveAwardCap as refusal:
                form.add_error("amount", str(refusal))
                return form, None
            return form, _("Support approved.")
    elif action in (A.RETURN, A.DISQUALIFY, A.REJECT):
        form = ReasonForm(data, prefix=action)
        if form.is_valid():
            service = {
                A.RETURN: services.declaration_return,
                A.DISQUALIFY: services.declaration_disqualify,
                A.REJECT: services.declaration_reject,
            }[action]
            service(declaration_id=pk, actor=user, note=form.cleaned_data["note"])
            return form, _("Done: %(action)s.") % {"action": A(action).label}
    elif action in (A.ACCEPT, A.COMPLETE_REVIEW):
        form = NoteForm(data, prefix=action)
        if form.is_valid():
            declaration_transition(declaration_id=pk, action=action, actor=user, note=form.cleaned_data["note"])
            return form, _("Done: %(action)s.") % {"action": A(action).label}
    else:
        raise PermissionDenied
    return form, None


def _may_attempt(action, user, declaration):
    """Whether the user's role may take this action at all; a wrong state is refused later, with a message."""
    if action == "assign":
        return rules.has_perm("declarations.start_review", user, declaration)
    return action in TRANSITIONS and rules.has_perm(TRANSITIONS[action].permission, user, declaration)


_ACTION_LABELS = {"assign": _lazy("Assign expert reviewers")}


def _forms_for(declaration, user, actions, award):
    """The console forms for the actions the user may take now: the forward step first."""
    forms = {}
    if A.APPROVE in actions:
        forms[A.APPROVE] = DecisionForm(prefix=A.APPROVE, cap=award.award)
    if A.ACCEPT in actions:
        forms[A.ACCEPT] = NoteForm(prefix=A.ACCEPT)
    if rules.has_perm("declarations.start_review", user) and declaration.state in (S.ACCEPTED, S.UNDER_REVIEW):
        forms["assign"] = AssignForm(prefix="assign", reviewers=selectors.reviewers_with_load(declaration))
    if A.COMPLETE_REVIEW in actions and user.role == "staff":
        forms[A.COMPLETE_REVIEW] = NoteForm(prefix=A.COMPLETE_REVIEW)
    for action in (A.REJECT, A.RETURN, A.DISQUALIFY):
        if action in actions:
            forms[action] = ReasonForm(prefix=action)
    return forms


def render_page(request, declaration, overrides=None, status=200):
    """The declaration page with every section's context; `overrides` replaces parts of it, such as
    a bound form with its errors after a refused post."""
    from review.views import evaluation, meetings, registers

    user = request.user
    actions = actions_available(declaration, user)
    award = declaration_award_summary(declaration)
    spec = PROGRAMMES[declaration.programme.code]
    context = {
        "declaration": declaration,
        "facts": [(fact, declaration.facts.get(fact.name)) for fact in spec.facts],
        "award": award,
        "events": declaration_events(declaration),
        "attachments": declaration_evidence(declaration),
        "commitment": declaration_standing_commitment(declaration),
        "actions": actions,
        "action_forms": _forms_for(declaration, user, actions, award),
        "console_section": "queue",
    }
    for section in (evaluation, registers, meetings):
        context.update(section.declaration_section(request, declaration))
    context.update(overrides or {})
    if isinstance(context["action_forms"], dict):
        context["action_forms"] = [
            (key, _ACTION_LABELS.get(key) or A(key).label, form) for key, form in context["action_forms"].items()
        ]
    return render(request, "review/declaration.html", context, status=status)


def console_declaration(request, pk):
    """The declaration `pk` if the console user may see it; 404 otherwise."""
    user = console_user(request)
    return get_object_or_404(selectors.declaration_list_for_console(user), pk=pk)


@login_required
def declaration_page(request, pk):
    declaration = console_declaration(request, pk)
    user = request.user
    if request.method == "POST":
        action = request.POST.get("action", "")
        if not _may_attempt(action, user, declaration):
            raise PermissionDenied
        try:
            form, success = _handle(action, declaration, user, request.POST)
        except TransitionRefused as refusal:
            messages.error(request, str(refusal))
            return redirect("review:declaration", pk=pk)
        if success:
            messages.success(request, success)
            if not rules.has_perm("declarations.view_declaration", user, declaration):
                return redirect("review:queue")
            return redirect("review:declaration", pk=pk)
        messages.error(request, _("Please correct the fields marked below."))
        actions = actions_available(declaration, user)
        forms = _forms_for(declaration, user, actions, declaration_award_summary(declaration))
        forms[action] = form
        return render_page(request, declaration, {"action_forms": forms})
    return render_page(request, declaration)


urlpatterns = [path("<int:pk>/", declaration_page, name="declaration")]
