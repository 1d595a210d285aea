"""Acceptance, reviewer assignment, scoring and decisions. State changes go through the workflow."""

from dataclasses import dataclass
from decimal import Decimal

import rules
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.rules import is_reviewer
from common.messages import message
from common.money import ZERO, yuan
from common.typography import join_clauses, join_list
from declarations.awards import FactsInvalid
from declarations.enums import DeclarationAction as A
from declarations.enums import DeclarationState as S
from declarations.models import Declaration, Programme
from declarations.selectors import declaration_award_assessment
from declarations.workflow import (
    REVIEWER_ASSIGNABLE_STATES,
    TransitionRefused,
    declaration_transition,
    transition_refusal,
)
from notices.services import notice_create
from review.acceptance import checklist_for, checklist_record, checklist_unticked
from review.budgets import budget_check
from review.double_funding import double_funding_check
from review.evaluation import evaluation_summary_refresh
from review.models import (
    OPINIONS_LATEST_FIRST,
    AcceptanceCheck,
    AcceptanceOutcome,
    ConflictOfInterest,
    Decision,
    DecisionOutcome,
    MatchJudgement,
    MeetingOpinion,
    ReviewAssignment,
    SupportScheme,
)
from review.recheck import recheck_disqualification_note, unit_recheck


def _ticked(checklist):
    return {key for key, ticked in (checklist or {}).items() if ticked}


def _transition_allowed(declaration, action, actor):
    refusal = transition_refusal(declaration, action, actor)
    if refusal:
        raise TransitionRefused(refusal)


def _disqualified_by_recheck(declaration, actor):
    """The Art. 17 check (review.recheck.unit_recheck): with a credit record in force today or a
    change of registration status in effect, disqualify the declaration (naming every record) and
    return True; otherwise False. Runs at acceptance and before the decision; the applicant meets the
    same check at submission, finance before every payment."""
    findings = unit_recheck(declaration.organisation)
    if not findings:
        return False
    declaration_transition(
        declaration_id=declaration.pk,
        action=A.DISQUALIFY,
        actor=actor,
        note=recheck_disqualification_note(findings),
    )
    return True


def _acceptance_checked(declaration, actor, checklist, outcome, note):
    return AcceptanceCheck.objects.create(
        declaration=declaration,
        items=checklist_record(declaration, _ticked(checklist)),
        outcome=outcome,
        note=note,
        checked_by=actor,
    )


@transaction.atomic
def declaration_accept(*, declaration_id, actor, checklist, note=""):
    """Accept a submitted declaration once every checklist item is ticked (`checklist`: item key ->
    ticked). A record the Art. 17 check finds disqualifies it instead, with the record named; check the
    returned declaration's state. An accepted declaration is checked for double funding (Art. 16)."""
    declaration = (
        Declaration.objects.select_for_update().select_related("organisation", "programme").get(pk=declaration_id)
    )
    _transition_allowed(declaration, A.ACCEPT, actor)
    if _disqualified_by_recheck(declaration, actor):
        declaration.refresh_from_db()
        _acceptance_checked(
            declaration, actor, checklist, AcceptanceOutcome.DISQUALIFIED, declaration.events.latest("pk").note
        )
        return declaration
    unticked = checklist_unticked(declaration, _ticked(checklist))
    if unticked:
        raise TransitionRefused(
            _("Confirm every item of the checklist before accepting; not confirmed: %(items)s")
            % {"items": join_clauses(item.label for item in unticked)}
        )
    declaration = declaration_transition(declaration_id=declaration.pk, action=A.ACCEPT, actor=actor, note=note)
    _acceptance_checked(declaration, actor, checklist, AcceptanceOutcome.ACCEPTED, note)
    double_funding_check(declaration)
    return declaration


@transaction.atomic
def declaration_return(*, declaration_id, actor, note, checklist=None):
    """Return a submitted declaration to the applicant for revision, with staff's comments."""
    declaration = declaration_transition(declaration_id=declaration_id, action=A.RETURN, actor=actor, note=note)
    _acceptance_checked(declaration, actor, checklist, AcceptanceOutcome.RETURNED, note)
    return declaration


@transaction.atomic
def declaration_refuse(*, declaration_id, actor, note, checklist=None):
    """Do not accept a submitted declaration (it fails a condition of its programme), with the reason."""
    declaration = declaration_transition(declaration_id=declaration_id, action=A.REFUSE, actor=actor, note=note)
    _acceptance_checked(declaration, actor, checklist, AcceptanceOutcome.REFUSED, note)
    return declaration


def declaration_disqualify(*, declaration_id, actor, note):
    return declaration_transition(declaration_id=declaration_id, action=A.DISQUALIFY, actor=actor, note=note)


def reviewer_conflict(reviewer, declaration):
    """Why `reviewer` may not evaluate `declaration`, or None: they belong to the declaring
    organisation, or declared a conflict of interest with it."""
    if reviewer.organisation_id and reviewer.organisation_id == declaration.organisation_id:
        return _("%(user)s belongs to the declaring organisation: a conflict of interest.") % {"user": reviewer}
    conflict = ConflictOfInterest.objects.filter(reviewer=reviewer, organisation_id=declaration.organisation_id).first()
    if conflict is not None:
        return _("%(user)s declared a conflict of interest with %(organisation)s: %(reason)s") % {
            "user": reviewer,
            "organisation": declaration.organisation,
            "reason": conflict.reason,
        }
    return None


def reviewers_assign_refusal(declaration, actor):
    """Why `actor` may not assign reviewers to `declaration` now, or None when they may."""
    if not rules.has_perm("review.start_review", actor, declaration):
        return _("You are not allowed to do this.")
    if declaration.state not in REVIEWER_ASSIGNABLE_STATES:
        return _("Reviewers are assigned to accepted declarations only.")
    return None


@transaction.atomic
def reviewers_assign(*, declaration_id, actor, reviewers):
    """Assign expert reviewers and, when the declaration was only accepted, start its evaluation.

    Refuses a reviewer with a conflict of interest (`reviewer_conflict`) and a user who is not a
    reviewer, naming them; then nothing is assigned. Each new reviewer gets a notice. Returns the new assignments.
    """
    declaration = Declaration.objects.select_for_update().select_related("organisation").get(pk=declaration_id)
    refusal = reviewers_assign_refusal(declaration, actor)
    if refusal:
        raise TransitionRefused(refusal)
    if not reviewers:
        raise TransitionRefused(_("Choose at least one expert reviewer."))
    created = []
    for reviewer in reviewers:
        if not is_reviewer(reviewer):
            raise TransitionRefused(_("%(user)s is not an expert reviewer.") % {"user": reviewer})
        conflict = reviewer_conflict(reviewer, declaration)
        if conflict:
            raise TransitionRefused(conflict)
        assignment, is_new = ReviewAssignment.objects.get_or_create(
            declaration=declaration, reviewer=reviewer, defaults={"assigned_by": actor}
        )
        if is_new:
            created.append(assignment)
            notice_create(
                recipient=reviewer,
                subject=message("review.assigned.subject", title=declaration.title),
                body=message("review.assigned.body", number=declaration.number),
                declaration=declaration,
            )
    if declaration.state == S.ACCEPTED:
        declaration_transition(declaration_id=declaration.pk, action=A.START_REVIEW, actor=actor)
    evaluation_summary_refresh(declaration)
    return created


class AboveAwardCap(TransitionRefused):
    """An approved amount the award engine does not allow; `cap` is what it allows."""

    def __init__(self, message, cap):
        super().__init__(message)
        self.cap = cap


def declaration_award_cap(declaration):
    """The most that may be approved now: the award engine's result for the declaration's facts and
    the history decided so far. Refuses while facts are missing or a condition fails, naming them."""
    try:
        assessment = declaration_award_assessment(declaration)
    except FactsInvalid as invalid:
        raise AboveAwardCap(
            _("The award cannot be computed while these facts are missing or invalid: %(facts)s.")
            % {"facts": ", ".join(sorted(invalid.errors))},
            cap=None,
        ) from None
    if not assessment.eligible:
        raise AboveAwardCap(
            _("The declaration is not eligible, so nothing may be approved: %(reasons)s")
            % {"reasons": " ".join(assessment.reason_texts())},
            cap=ZERO,
        )
    return assessment


def latest_meeting_opinion(declaration):
    """The opinion of the latest evaluation meeting that discussed `declaration`, or None."""
    return (
        MeetingOpinion.objects.filter(declaration=declaration)
        .select_related("meeting")
        .order_by(*OPINIONS_LATEST_FIRST)
        .first()
    )


def decision_refusal(declaration):
    """Why `declaration` cannot be decided now, or None: the evaluation meeting has not given its
    opinion, or a possible double funding (Art. 16) is still to be judged or was judged the same
    project. The Art. 17 check is not here: a record found disqualifies instead."""
    matches = {m.judgement for m in declaration.double_funding_matches.all()}
    if MatchJudgement.SAME_PROJECT in matches:
        return _("A funded project of this unit was judged to be the same project (Art. 16): it cannot be supported.")
    if MatchJudgement.PENDING in matches:
        return _("Judge the possible double funding (Art. 16) before deciding.")
    if latest_meeting_opinion(declaration) is None:
        return _("Record the evaluation meeting's opinion on this declaration before deciding.")
    return None


def _decide(declaration_id, actor, action, outcome, note, prepare=None, changes=None):
    """The decision as the evaluation meeting's opinion supports it, with its `Decision` record;
    a record the Art. 17 check finds disqualifies the declaration instead (check the returned state)."""
    declaration = Declaration.objects.select_for_update().select_related("organisation").get(pk=declaration_id)
    _transition_allowed(declaration, action, actor)
    if _disqualified_by_recheck(declaration, actor):
        declaration.refresh_from_db()
        return declaration
    refusal = decision_refusal(declaration)
    if refusal:
        raise TransitionRefused(refusal)
    opinion = latest_meeting_opinion(declaration)
    if outcome == DecisionOutcome.APPROVED and opinion.scheme != SupportScheme.SUPPORT:
        raise TransitionRefused(
            _("The evaluation meeting of %(date)s proposed not to support this declaration.")
            % {"date": date_format(opinion.meeting.held_on, "SHORT_DATE_FORMAT")}
        )
    declaration = declaration_transition(
        declaration_id=declaration_id, action=action, actor=actor, note=note, prepare=prepare, changes=changes
    )
    decision = Decision.objects.create(
        declaration=declaration,
        outcome=outcome,
        amount=declaration.approved_amount if outcome == DecisionOutcome.APPROVED else None,
        award_cap=declaration.award_cap,
        reason=note,
        opinion=opinion,
        event=declaration.events.order_by("-created_at", "-pk").first(),
        decided_by=actor,
    )
    decision.evaluations.set(
        declaration.review_assignments.filter(submitted_at__isnull=False, released_at__isnull=True)
    )
    return declaration


@transaction.atomic
def declaration_approve(*, declaration_id, actor, amount, note=""):
    """Decide to support: an approved amount above zero, no higher than the award cap and than what
    is left of the programme's annual budget (review.budgets.OverBudget, also when no budget is
    recorded), on the evaluation meeting's opinion to support it.

    Decisions in one programme wait for each other (the programme's row is locked), so two decisions
    for the same key cannot both use the same annual or cumulative headroom, nor the same budget."""
    amount = Decimal(amount)

    def prepare(declaration):
        if amount <= 0:
            raise TransitionRefused(_("The approved amount must be more than zero."))
        Programme.objects.select_for_update().get(pk=declaration.programme_id)
        assessment = declaration_award_cap(declaration)
        if amount > assessment.award:
            raise AboveAwardCap(
                _("The approved amount %(amount)s yuan is above the award cap of %(cap)s yuan.")
                % {"amount": yuan(amount), "cap": yuan(assessment.award)},
                cap=assessment.award,
            )
        budget_check(declaration, amount)
        return {
            "approved_amount": amount,
            "decision_reason": note,
            "award_cap": assessment.award,
            "award_assessment": assessment.record(),
        }

    return _decide(declaration_id, actor, A.APPROVE, DecisionOutcome.APPROVED, note, prepare=prepare)


@transaction.atomic
def declaration_reject(*, declaration_id, actor, note):
    """Decide not to support, with the reason."""
    return _decide(
        declaration_id,
        actor,
        A.REJECT,
        DecisionOutcome.NOT_SUPPORTED,
        note,
        changes={"approved_amount": None, "decision_reason": note},
    )


def declaration_decide_per_opinion(*, declaration_id, actor):
    """Decide as the latest evaluation meeting proposed: support at its proposed amount, or not."""
    declaration = Declaration.objects.get(pk=declaration_id)
    opinion = latest_meeting_opinion(declaration)
    if opinion is None:
        raise TransitionRefused(_("Record the evaluation meeting's opinion on this declaration before deciding."))
    if opinion.scheme == SupportScheme.SUPPORT:
        note = message("review.meeting.proposed", date=opinion.meeting.held_on)
        return declaration_approve(
            declaration_id=declaration_id, actor=actor, amount=opinion.proposed_amount, note=note
        )
    return declaration_reject(declaration_id=declaration_id, actor=actor, note=opinion.opinion)


# --- bulk actions from the queue ---------------------------------------------------------------


class BulkAction:
    """What staff may do at once to the declarations ticked in the queue."""

    ASSIGN = "assign"
    ACCEPT = "accept"
    DECIDE = "decide"
    CHOICES = [
        (ASSIGN, gettext_lazy("Assign expert reviewers")),
        (ACCEPT, gettext_lazy("Accept")),
        (DECIDE, gettext_lazy("Decide as the evaluation meeting proposed")),
    ]


DONE, REFUSED, DISQUALIFIED = "done", "refused", "disqualified"
BULK_OUTCOMES = (DONE, REFUSED, DISQUALIFIED)


@dataclass(frozen=True)
class BulkOutcome:
    declaration: object
    status: str  # DONE, REFUSED or DISQUALIFIED
    message: str


def _apply_one(action, declaration, actor, reviewers, note):
    """Run one bulk action on one declaration through its service; returns the BulkOutcome or
    raises TransitionRefused."""
    pk = declaration.pk
    if action == BulkAction.ASSIGN:
        created = reviewers_assign(declaration_id=pk, actor=actor, reviewers=reviewers)
        if not created:
            return BulkOutcome(declaration, DONE, _("Every chosen reviewer was assigned already."))
        return BulkOutcome(
            declaration,
            DONE,
            _("Assigned: %(reviewers)s.") % {"reviewers": join_list(a.reviewer for a in created)},
        )
    if action == BulkAction.ACCEPT:
        checklist = {item.key: True for item in checklist_for(declaration)}
        result = declaration_accept(declaration_id=pk, actor=actor, checklist=checklist, note=note)
    else:
        result = declaration_decide_per_opinion(declaration_id=pk, actor=actor)
    if result.state == S.DISQUALIFIED:
        # A record the Art. 17 check found: the service disqualified it, naming the record.
        event = result.events.order_by("-created_at", "-pk").first()
        return BulkOutcome(result, DISQUALIFIED, event.note)
    if result.state == S.APPROVED:
        return BulkOutcome(
            result,
            DONE,
            _("%(state)s: %(amount)s yuan")
            % {"state": result.get_state_display(), "amount": yuan(result.approved_amount)},
        )
    return BulkOutcome(result, DONE, result.get_state_display())


def declarations_bulk_apply(*, action, declarations, actor, reviewers=(), note=""):
    """Run `action` (BulkAction) on each declaration through its service, each in a transaction of
    its own: a refusal leaves the others done. Returns one BulkOutcome per declaration, in order.

    The services check the actor's permission, lock the row, write the audit record and the notices."""
    outcomes = []
    for declaration in declarations:
        try:
            with transaction.atomic():
                outcomes.append(_apply_one(action, declaration, actor, list(reviewers), note))
        except TransitionRefused as refusal:
            outcomes.append(BulkOutcome(declaration, REFUSED, str(refusal)))
    return outcomes
