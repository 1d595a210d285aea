"""Acceptance, reviewer assignment, scoring and decisions. State changes go through the workflow."""

from decimal import Decimal

import rules
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import Role
from declarations.awards import ZERO, FactsInvalid, money_text
from declarations.enums import DeclarationAction as A
from declarations.enums import DeclarationState as S
from declarations.models import Declaration, Programme
from declarations.selectors import declaration_award_assessment
from declarations.workflow import TransitionRefused, declaration_transition
from notices.services import notice_create
from review.models import ReviewAssignment


def declaration_accept(*, declaration_id, actor, note=""):
    return declaration_transition(declaration_id=declaration_id, action=A.ACCEPT, actor=actor, note=note)


def declaration_return(*, declaration_id, actor, note):
    return declaration_transition(declaration_id=declaration_id, action=A.RETURN, actor=actor, note=note)


def declaration_disqualify(*, declaration_id, actor, note):
    return declaration_transition(declaration_id=declaration_id, action=A.DISQUALIFY, actor=actor, note=note)


@transaction.atomic
def reviewers_assign(*, declaration_id, actor, reviewers):
    """Assign expert reviewers and, when the declaration was only accepted, start its evaluation.

    Refuses a reviewer of the declaring organisation (conflict of interest) and a user who is not
    a reviewer. Each new reviewer gets a notice. Returns the new assignments.
    """
    declaration = Declaration.objects.select_for_update().get(pk=declaration_id)
    if not rules.has_perm("declarations.start_review", actor, declaration):
        raise TransitionRefused(_("You are not allowed to do this."))
    if declaration.state not in (S.ACCEPTED, S.UNDER_REVIEW):
        raise TransitionRefused(_("Reviewers are assigned to accepted declarations only."))
    if not reviewers:
        raise TransitionRefused(_("Choose at least one expert reviewer."))
    created = []
    for reviewer in reviewers:
        if reviewer.role != Role.REVIEWER or not reviewer.is_active:
            raise TransitionRefused(_("%(user)s is not an expert reviewer.") % {"user": reviewer})
        if reviewer.organisation_id and reviewer.organisation_id == declaration.organisation_id:
            raise TransitionRefused(
                _("%(user)s belongs to the declaring organisation: a conflict of interest.") % {"user": reviewer}
            )
        assignment, is_new = ReviewAssignment.objects.get_or_create(
            declaration=declaration, reviewer=reviewer, defaults={"assigned_by": actor}
        )
        if is_new:
            created.append(assignment)
            notice_create(
                recipient=reviewer,
                subject=_("New declaration to evaluate: %(title)s") % {"title": declaration.title},
                body=_("You have been assigned declaration %(number)s to evaluate.") % {"number": declaration.number},
                declaration=declaration,
            )
    if declaration.state == S.ACCEPTED:
        declaration_transition(declaration_id=declaration.pk, action=A.START_REVIEW, actor=actor)
    return created


@transaction.atomic
def assignment_score(*, assignment_id, actor, score, opinion, submit):
    """Save a reviewer's score and opinion as a draft, or submit them (then they are final).

    When the last active assignment of a declaration is submitted, its evaluation is complete and
    the declaration moves to `reviewed`.
    """
    assignment = ReviewAssignment.objects.select_for_update().select_related("declaration").get(pk=assignment_id)
    if assignment.reviewer_id != actor.pk or assignment.released_at is not None:
        raise TransitionRefused(_("This evaluation is not assigned to you."))
    if assignment.is_submitted:
        raise TransitionRefused(_("This evaluation was submitted already and can no longer be changed."))
    if assignment.declaration.state != S.UNDER_REVIEW:
        raise TransitionRefused(_("This declaration is not under evaluation."))
    if submit and (score is None or not (opinion or "").strip()):
        raise TransitionRefused(_("A submitted evaluation needs a score and an opinion."))
    assignment.score = score
    assignment.opinion = opinion
    if submit:
        assignment.submitted_at = timezone.now()
    assignment.save()
    if submit:
        outstanding = assignment.declaration.review_assignments.filter(
            released_at__isnull=True, submitted_at__isnull=True
        )
        if not outstanding.exists():
            declaration_transition(declaration_id=assignment.declaration_id, action=A.COMPLETE_REVIEW, actor=actor)
    return assignment


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


def declaration_approve(*, declaration_id, actor, amount, note=""):
    """Decide the support scheme: an approved amount above zero and no higher than the award cap.

    Decisions in one programme wait for each other (the programme's row is locked), so two decisions
    for the same key cannot both use the same annual or cumulative headroom."""
    amount = Decimal(amount)

    def prepare(declaration):
        if amount <= 0:
            raise TransitionRefused(_("The approved amount must be more than zero."))
        Programme.objects.select_for_update().get(pk=declaration.programme_id)
        assessment = declaration_award_cap(declaration)
        if amount > assessment.award:
            raise AboveAwardCap(
                _("The approved amount %(amount)s yuan is above the award cap of %(cap)s yuan.")
                % {"amount": money_text(amount), "cap": money_text(assessment.award)},
                cap=assessment.award,
            )
        return {
            "approved_amount": amount,
            "decision_reason": note,
            "award_cap": assessment.award,
            "award_assessment": assessment.record(),
        }

    return declaration_transition(
        declaration_id=declaration_id, action=A.APPROVE, actor=actor, note=note, prepare=prepare
    )


def declaration_reject(*, declaration_id, actor, note):
    return declaration_transition(
        declaration_id=declaration_id,
        action=A.REJECT,
        actor=actor,
        note=note,
        changes={"approved_amount": None, "decision_reason": note},
    )
