"""One declaration's page in the staff console, with the actions the user may take on it now.

Each action is a form posted to the page; errors are shown at the form that was sent. The parts of
the evaluation (review.views.evaluation, registers, meetings) add their own sections and endpoints.
"""

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.security import visible_or_404
from common.confirm import Confirmation, confirmation_page, is_confirmed
from common.messages import join_list
from common.money import yuan
from common.views import permission_required
from declarations.enums import DeclarationAction as A
from declarations.enums import DeclarationState as S
from declarations.programmes import PROGRAMMES
from declarations.selectors import (
    declaration_award_summary,
    declaration_events,
    declaration_evidence,
    declaration_standing_commitment,
    declaration_with_parts,
)
from declarations.workflow import (
    TRANSITIONS,
    TransitionRefused,
    actions_available,
    declaration_transition,
    states_ahead,
    transition_refusal,
)
from review import selectors, services
from review.budgets import OverBudget
from review.forms import AcceptanceForm, AssignForm, DecisionForm, NoteForm, ReasonForm
from review.recheck import unit_recheck
from review.views.sections import SECTIONS

ACCEPTANCE = "acceptance"
ASSIGN = "assign"
_ACTION_LABELS = {ASSIGN: gettext_lazy("Assign expert reviewers")}
# Actions that end the declaration: shown apart from the forward step, in red.
DESTRUCTIVE = (A.REJECT, A.DISQUALIFY)
# The workflow actions of the staff on this page, which are shown disabled, with the reason, when
# the state does not allow them now.
STAFF_ACTIONS = (A.ACCEPT, A.COMPLETE_REVIEW, A.APPROVE, A.REJECT, A.DISQUALIFY)


class NeedsConfirmation(Exception):
    """A valid form for an irreversible action, not yet confirmed: show what it will do."""

    def __init__(self, confirmation):
        super().__init__(confirmation.title)
        self.confirmation = confirmation


def _what_will_happen(action, declaration, data):
    """The confirmation of `action` on `declaration` with the form's cleaned `data`: its title, what
    it will do, and what was typed."""
    facts = [
        (_("Declaration"), f"{declaration.number} {declaration.title}"),
        (_("Organisation"), declaration.organisation.name),
    ]
    note = (data.get("note") or "").strip()
    if action == "accept":
        title, lines = (
            _("Accept the declaration"),
            [
                _("The declaration is accepted: it passed the formal review and goes on to expert evaluation."),
                _("The applicant is told, and can no longer change it."),
            ],
        )
    elif action == "return":
        title, lines = (
            _("Return the declaration for revision"),
            [
                _("The declaration goes back to the applicant with your comments."),
                _("The applicant may change it and submit it again."),
            ],
        )
    elif action == "refuse":
        title, lines = (
            _("Do not accept the declaration"),
            [
                _("The declaration is not accepted: this ends it, and it cannot be submitted again."),
                _("The applicant is told, with your comments."),
            ],
        )
    elif action == A.APPROVE:
        title, lines = (
            _("Approve support"),
            [
                _("Support of %(amount)s yuan is decided for this project (the support scheme).")
                % {"amount": yuan(data["amount"])},
                _("The project is then listed for publicity for 5 working days; the applicant is told."),
            ],
        )
        facts.append((_("Approved amount (yuan)"), yuan(data["amount"])))
    elif action == ASSIGN:
        names = [str(reviewer) for reviewer in data["reviewers"]]
        title, lines = (
            _("Assign expert reviewers"),
            [
                _("%(names)s are assigned to evaluate this declaration; each is told and sees it in their queue.")
                % {"names": join_list(names)},
                _("An assignment cannot be taken back: a reviewer leaves only by declaring a conflict of interest."),
            ],
        )
        if declaration.state == S.ACCEPTED:
            lines.append(_("The expert evaluation starts: the declaration moves to “Under expert evaluation”."))
        facts.append((_("Expert reviewers"), "\n".join(names)))
    elif action == A.REJECT:
        title, lines = (
            _("Do not support"),
            [
                _("The decision is that the project is not supported: this ends the declaration."),
                _("The applicant is told, with your reason."),
            ],
        )
    elif action == A.DISQUALIFY:
        title, lines = (
            _("Disqualify (Art. 17)"),
            [
                _("The applicant's qualification is cancelled under Art. 17: this ends the declaration."),
                _("The applicant is told, with your reason."),
            ],
        )
    else:
        title, lines = (
            _("Complete the evaluation"),
            [
                _("The expert evaluation is closed: no reviewer can submit or change a score any more."),
                _("The declaration then waits for the commission's decision."),
            ],
        )
    if note:
        facts.append((_("Comments"), note))
    return Confirmation(
        title=title,
        consequences=lines,
        facts=facts,
        action_url=reverse("review:declaration", args=[declaration.pk]),
        cancel_url=reverse("review:declaration", args=[declaration.pk]),
        danger=action in ("refuse", *DESTRUCTIVE),
    )


def _confirmed_or_raise(action, declaration, data, confirmed):
    if not confirmed:
        raise NeedsConfirmation(_what_will_happen(action, declaration, data))


def _outcome_message(declaration, done):
    """What the user reads after a service ran: `done`, or the Art. 17 disqualification it met instead."""
    if declaration.state == S.DISQUALIFIED:
        return messages.WARNING, declaration.events.order_by("-created_at", "-pk").first().note
    return messages.SUCCESS, done


def _handle(action, declaration, user, data, confirmed=False):
    """Run the service for one console form; returns (form, (level, message) or None). A valid form
    of an irreversible action that is not `confirmed` raises NeedsConfirmation, changing nothing."""
    pk = declaration.pk
    if action == ACCEPTANCE:
        form = AcceptanceForm(data, prefix=action, declaration=declaration)
        if form.is_valid():
            outcome, checklist, note = form.cleaned_data["outcome"], form.checklist_ticked(), form.cleaned_data["note"]
            _confirmed_or_raise(outcome, declaration, form.cleaned_data, confirmed)
            if outcome == "accept":
                result = services.declaration_accept(declaration_id=pk, actor=user, checklist=checklist, note=note)
                return form, _outcome_message(result, _("Declaration accepted."))
            service = services.declaration_return if outcome == "return" else services.declaration_refuse
            service(declaration_id=pk, actor=user, note=note, checklist=checklist)
            done = _("Returned for revision.") if outcome == "return" else _("Declaration not accepted.")
            return form, (messages.SUCCESS, done)
    elif action == ASSIGN:
        form = AssignForm(data, prefix=action, reviewers=selectors.reviewers_with_load(declaration))
        if form.is_valid():
            _confirmed_or_raise(action, declaration, form.cleaned_data, confirmed)
            services.reviewers_assign(declaration_id=pk, actor=user, reviewers=list(form.cleaned_data["reviewers"]))
            return form, (messages.SUCCESS, _("Expert reviewers assigned."))
    elif action == A.APPROVE:
        form = DecisionForm(data, prefix=action)
        if form.is_valid():
            _confirmed_or_raise(action, declaration, form.cleaned_data, confirmed)
            try:
                result = services.declaration_approve(
                    declaration_id=pk, actor=user, amount=form.cleaned_data["amount"], note=form.cleaned_data["note"]
                )
            except (services.AboveAwardCap, OverBudget) as refusal:
                form.add_error("amount", str(refusal))
                return form, None
            return form, _outcome_message(result, _("Support approved."))
    elif action in (A.REJECT, A.DISQUALIFY):
        form = ReasonForm(data, prefix=action)
        if form.is_valid():
            _confirmed_or_raise(action, declaration, form.cleaned_data, confirmed)
            service = services.declaration_reject if action == A.REJECT else services.declaration_disqualify
            result = service(declaration_id=pk, actor=user, note=form.cleaned_data["note"])
            if action == A.DISQUALIFY:
                return form, (messages.SUCCESS, _("Declaration disqualified."))
            return form, _outcome_message(result, _("Decided: not supported."))
    elif action == A.COMPLETE_REVIEW:
        form = NoteForm(data, prefix=action)
        if form.is_valid():
            _confirmed_or_raise(action, declaration, form.cleaned_data, confirmed)
            declaration_transition(declaration_id=pk, action=action, actor=user, note=form.cleaned_data["note"])
            return form, (messages.SUCCESS, _("Evaluation completed."))
    else:
        raise PermissionDenied
    return form, None


def _may_attempt(action, user, declaration):
    """Whether the user's role may take this action at all; a wrong state is refused later, with a message.
    Every action posted to this page is the staff's: reviewers act through review.views.evaluation."""
    if not rules.has_perm("console.staff", user):
        return False
    if action == ASSIGN:
        return rules.has_perm("review.start_review", user, declaration)
    if action == ACCEPTANCE:
        return rules.has_perm("review.accept", user, declaration)
    return action in TRANSITIONS and rules.has_perm(TRANSITIONS[action].permission, user, declaration)


def _forms_for(declaration, user, actions, award, decision_refusal):
    """The console forms for the actions the user may take now: the forward step first."""
    forms = {}
    if A.APPROVE in actions and not decision_refusal:
        opinion = services.latest_meeting_opinion(declaration)
        forms[A.APPROVE] = DecisionForm(
            prefix=A.APPROVE, cap=award.award, initial={"amount": opinion.proposed_amount, "note": opinion.opinion}
        )
        forms[A.REJECT] = ReasonForm(prefix=A.REJECT)
    if services.reviewers_assign_refusal(declaration, user) is None:
        forms[ASSIGN] = AssignForm(prefix=ASSIGN, reviewers=selectors.reviewers_with_load(declaration))
    if A.COMPLETE_REVIEW in actions and rules.has_perm("console.staff", user):
        forms[A.COMPLETE_REVIEW] = NoteForm(prefix=A.COMPLETE_REVIEW)
    if A.DISQUALIFY in actions:
        forms[A.DISQUALIFY] = ReasonForm(prefix=A.DISQUALIFY)
    return forms


def _refused(declaration, user, actions, forms, decision_refusal):
    """The staff's actions on this page that may not be taken now but still may later, each with its
    reason (from transition_refusal, or the decision's own refusal), in the order of a declaration's
    life. Actions the declaration is past are left out."""
    refused = []
    ahead = states_ahead(declaration.state)
    for action in STAFF_ACTIONS:
        if action in forms or (action == A.ACCEPT and action in actions):
            continue
        if not TRANSITIONS[action].sources & ahead:
            continue
        reason = transition_refusal(declaration, action, user)
        if reason is None and action in (A.APPROVE, A.REJECT):
            reason = decision_refusal
        if reason is not None:
            refused.append((action, A(action).label, reason))
    return refused


def _staff_checks(declaration, actions, acceptance_form=None):
    """The acceptance checklist and the Art. 17 check of the unit as staff see them."""
    context = {
        "recheck_findings": unit_recheck(declaration.organisation),
        "recheck_on": timezone.localdate(),
        "acceptance_checks": selectors.acceptance_checks(declaration),
    }
    if A.ACCEPT in actions:
        context["acceptance_form"] = acceptance_form or AcceptanceForm(prefix=ACCEPTANCE, declaration=declaration)
    return context


def render_page(request, declaration, overrides=None, status=200):
    """The declaration page with every section's context; `overrides` replaces parts of it, such as
    a bound form with its errors after a refused post."""
    user = request.user
    overrides = dict(overrides or {})
    actions = actions_available(declaration, user)
    award = declaration_award_summary(declaration)
    spec = PROGRAMMES[declaration.programme.code]
    is_staff = rules.has_perm("console.staff", user)
    decision_refusal = services.decision_refusal(declaration) if A.APPROVE in actions else None
    forms = _forms_for(declaration, user, actions, award, decision_refusal)
    forms.update(overrides.pop("action_forms", {}))
    context = {
        "declaration": declaration,
        "facts": [(fact, declaration.facts.get(fact.name)) for fact in spec.facts],
        "award": award,
        "events": declaration_events(declaration),
        "attachments": declaration_evidence(declaration),
        "commitment": declaration_standing_commitment(declaration),
        "actions": actions,
        "decision_refusal": decision_refusal,
        "is_staff": is_staff,
        "console_section": "queue",
    }
    if is_staff:
        context.update(_staff_checks(declaration, actions, overrides.pop("acceptance_form", None)))
    for section in SECTIONS:
        context.update(section(request, declaration))
    context.update(overrides)
    labelled = [(key, _ACTION_LABELS.get(key) or A(key).label, form) for key, form in forms.items()]
    context["action_forms"] = [row for row in labelled if row[0] not in DESTRUCTIVE]
    context["destructive_forms"] = [row for row in labelled if row[0] in DESTRUCTIVE]
    context["actions_refused"] = _refused(declaration, user, actions, forms, decision_refusal) if is_staff else []
    return render(request, "review/declaration.html", context, status=status)


def console_declaration(request, pk):
    """The declaration `pk` if the console user may see it; 404 otherwise (recorded as a denial when it exists)."""
    declaration = declaration_with_parts(pk)
    if declaration is not None and rules.has_perm("console.view_declaration", request.user, declaration):
        return declaration
    return visible_or_404(request, selectors.declaration_list_for_console(request.user), pk=pk)


@permission_required("console.enter")
def declaration_page(request, pk):
    declaration = console_declaration(request, pk)
    user = request.user
    if request.method != "POST":
        return render_page(request, declaration)
    action = request.POST.get("action", "")
    if not _may_attempt(action, user, declaration):
        raise PermissionDenied
    try:
        form, outcome = _handle(action, declaration, user, request.POST, confirmed=is_confirmed(request))
    except NeedsConfirmation as pending:
        return confirmation_page(request, pending.confirmation, extra={"console_section": "queue"})
    except TransitionRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("review:declaration", pk=pk)
    if outcome:
        messages.add_message(request, *outcome)
        if not rules.has_perm("declarations.view_declaration", user, declaration):
            return redirect("review:queue")
        return redirect("review:declaration", pk=pk)
    messages.error(request, _("Please correct the fields marked below."))
    if action == ACCEPTANCE:
        return render_page(request, declaration, {"acceptance_form": form})
    return render_page(request, declaration, {"action_forms": {action: form}})


urlpatterns = [path("<int:pk>/", declaration_page, name="declaration")]
