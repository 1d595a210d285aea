"""The commission's evaluation meeting (Art. 15 (2)): who met, who withdrew for a conflict, and the
opinion and support scheme the meeting proposed for each declaration it discussed.

Services write (staff only, one transaction each, simple_history as the audit record); selectors
read, without one query per row. A decision (review.services) points to the opinion it came from.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import rules
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from common.history import audited
from common.messages import message
from common.money import yuan
from common.typography import join_list
from declarations.enums import DeclarationState as S
from declarations.models import Declaration
from declarations.workflow import TransitionRefused
from review.models import EvaluationMeeting, MeetingOpinion, MeetingWithdrawal, SupportScheme
from review.rules import MEETING_MEMBER_ROLES, is_meeting_member
from review.services import AboveAwardCap, declaration_award_cap

FEN = Decimal("0.01")


def _require_staff(actor):
    if not rules.has_perm("console.staff", actor):
        raise TransitionRefused(_("You are not allowed to do this."))


def _names(users):
    return join_list(users)


def _meeting_errors(*, held_on, members, keep=(), present=()):
    """Field -> message for a meeting's date and members; `keep` are members who must stay, and
    `present` those recorded already, who stay valid members if they have left since."""
    errors = {}
    if held_on is None:
        errors["held_on"] = _("Give the date the meeting was held.")
    elif held_on > timezone.localdate():
        errors["held_on"] = _("%(date)s is in the future: a meeting is recorded once it has been held.") % {
            "date": held_on.isoformat()
        }
    if not members:
        errors["members"] = _("Choose at least one member present.")
    else:
        ineligible = [m for m in members if m not in present and not is_meeting_member(m)]
        missing = [m for m in keep if m not in members]
        if ineligible:
            errors["members"] = _(
                "Only active commission staff and expert reviewers can be members of the meeting, not: %(names)s."
            ) % {"names": _names(ineligible)}
        elif missing:
            errors["members"] = _(
                "%(names)s withdrew at this meeting for a conflict, so must stay among the members present."
            ) % {"names": _names(missing)}
    return errors


@transaction.atomic
def meeting_record(*, actor, call, held_on, place, members, minutes):
    """Record an evaluation meeting of `call` that has been held.

    1. refuse (TransitionRefused) unless the actor is commission staff;
    2. refuse (ValidationError by field) a date in the future, no members, or a member who is not
       active staff or an expert reviewer;
    3. save the meeting and its members present, each with a history record naming the actor.
    Returns the meeting.
    """
    _require_staff(actor)
    members = list(members)
    errors = _meeting_errors(held_on=held_on, members=members)
    if call is None:
        errors["call"] = _("Choose the call whose declarations the meeting evaluated.")
    if errors:
        raise ValidationError(errors)
    meeting = EvaluationMeeting(
        call=call,
        held_on=held_on,
        place=(place or "").strip(),
        minutes=(minutes or "").strip(),
        recorded_by=actor,
    )
    audited(meeting, actor, message("review.meeting.recorded")).save()
    meeting.members_present.set(members)
    return meeting


@transaction.atomic
def meeting_update(*, meeting_id, actor, held_on, place, members, minutes):
    """Correct a meeting's date, place, members present or minutes (its call stays).

    Refuses as `meeting_record` does, and the removal of a member who withdrew at the meeting
    (the withdrawal names them). Writes a history record naming the actor. Returns the meeting.
    """
    _require_staff(actor)
    meeting = EvaluationMeeting.objects.select_for_update().get(pk=meeting_id)
    members = list(members)
    withdrawn = User.objects.filter(pk__in=meeting.withdrawals.values("member_id"))
    present = list(meeting.members_present.all())
    errors = _meeting_errors(held_on=held_on, members=members, keep=list(withdrawn), present=present)
    if errors:
        raise ValidationError(errors)
    meeting.held_on = held_on
    meeting.place = (place or "").strip()
    meeting.minutes = (minutes or "").strip()
    audited(meeting, actor, message("review.meeting.corrected")).save()
    if {m.pk for m in members} != {m.pk for m in present}:
        meeting.members_present.set(members)
    return meeting


@transaction.atomic
def withdrawal_record(*, meeting_id, actor, member, declaration=None, reason):
    """Record that a member present withdrew for a conflict of interest, from the discussion of one
    declaration of the meeting's call, or from the whole meeting when `declaration` is None.

    1. refuse (TransitionRefused) unless the actor is commission staff;
    2. refuse (ValidationError by field) a member not present, a declaration of another call, a
       withdrawal recorded already, or no reason;
    3. save the withdrawal and a history record of the meeting naming the actor and the member.
    Returns the withdrawal.
    """
    _require_staff(actor)
    meeting = EvaluationMeeting.objects.select_for_update().select_related("call").get(pk=meeting_id)
    errors = {}
    if member is None or not meeting.members_present.filter(pk=member.pk).exists():
        errors["member"] = _("%(name)s is not among the members present at this meeting.") % {
            "name": member or _("Nobody")
        }
    else:
        earlier = meeting.withdrawals.filter(member=member)
        if earlier.filter(declaration__isnull=True).exists():
            errors["member"] = _("%(name)s withdrew from the whole meeting already.") % {"name": member}
        elif declaration is not None and earlier.filter(declaration=declaration).exists():
            errors["member"] = _("%(name)s withdrew from the discussion of %(declaration)s already.") % {
                "name": member,
                "declaration": declaration,
            }
    if declaration is not None and declaration.call_id != meeting.call_id:
        errors["declaration"] = _("Declaration %(declaration)s is not of this meeting's call, %(call)s.") % {
            "declaration": declaration,
            "call": meeting.call,
        }
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Give the conflict of interest the member withdrew for.")
    if errors:
        raise ValidationError(errors)
    withdrawal = MeetingWithdrawal(meeting=meeting, member=member, declaration=declaration, reason=reason)
    audited(withdrawal, actor, message("review.withdrawal.recorded")).save()
    audited(meeting, actor, message("review.withdrawal.note", withdrawal=_withdrawn(withdrawal))).save()
    return withdrawal


def _withdrawn(withdrawal):
    """Who withdrew, and from what, for the meeting's history: a message, the names as they are now."""
    if withdrawal.declaration_id is None:
        return message("review.withdrawal.whole_meeting", name=withdrawal.member)
    return message("review.withdrawal.declaration", name=withdrawal.member, declaration=withdrawal.declaration)


@transaction.atomic
def withdrawal_remove(*, withdrawal_id, actor, reason):
    """Remove a withdrawal recorded by mistake.

    1. refuse (TransitionRefused) unless the actor is commission staff;
    2. refuse (ValidationError on "removal_reason") without a reason;
    3. delete the withdrawal, whose history keeps it with the actor and the reason, and add a
       history record of the meeting naming them. Returns the meeting.
    """
    _require_staff(actor)
    # Locked, so that a second click finds it gone (DoesNotExist) rather than deleting it twice.
    withdrawal = MeetingWithdrawal.objects.select_for_update().get(pk=withdrawal_id)
    meeting = EvaluationMeeting.objects.select_for_update().get(pk=withdrawal.meeting_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"removal_reason": _("Say why the withdrawal is removed.")})
    audited(withdrawal, actor, reason).delete()
    note = message("review.withdrawal.removed", withdrawal=_withdrawn(withdrawal), reason=reason)
    audited(meeting, actor, note).save()
    return meeting


def _amount(value):
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value).replace(",", ""))
    except InvalidOperation:
        return Decimal("NaN")


def _amount_error(declaration, scheme, amount):
    """The message for the proposed amount field, or None when it suits the scheme and the cap."""
    if scheme == SupportScheme.NOT_SUPPORT:
        if amount is not None:
            return _("A declaration that is not supported carries no proposed amount: leave it empty.")
        return None
    if amount is None:
        return _("Give the proposed amount of support.")
    if not amount.is_finite() or amount <= 0:
        return _("The proposed amount must be more than zero.")
    try:
        assessment = declaration_award_cap(declaration)
    except AboveAwardCap as refusal:
        return str(refusal)
    if amount > assessment.award:
        return _("The proposed amount %(amount)s yuan is above the award cap of %(cap)s yuan.") % {
            "amount": yuan(amount),
            "cap": yuan(assessment.award),
        }
    if amount != amount.quantize(FEN):
        return _("Give the proposed amount in yuan with at most two decimals.")
    return None


@transaction.atomic
def opinion_record(*, meeting_id, declaration_id, actor, opinion, scheme, proposed_amount=None):
    """Record, or correct, the meeting's opinion on one declaration and the support scheme it proposes.

    1. refuse (TransitionRefused) unless the actor is commission staff;
    2. lock the declaration's row, so no decision is taken on it meanwhile;
    3. refuse (ValidationError by field) a declaration of another call or not `reviewed` (evaluation
       complete, no decision yet), an empty opinion, an unknown scheme, a support scheme without an
       amount above zero or above the award cap (the cap named), a not-support scheme with an amount;
    4. create the opinion, or update the meeting's earlier one for the declaration, with a history
       record naming the actor (the earlier version stays in the history).
    Members who withdrew for the declaration are recorded as withdrawals; they do not stop the opinion.
    Returns the opinion.
    """
    _require_staff(actor)
    meeting = EvaluationMeeting.objects.select_related("call").get(pk=meeting_id)
    declaration = (
        Declaration.objects.select_for_update(of=("self",))
        .select_related("programme", "call", "organisation")
        .filter(pk=declaration_id)
        .first()
    )
    amount = _amount(proposed_amount)
    opinion = (opinion or "").strip()
    errors = {}
    if declaration is None:
        errors["declaration"] = _("Choose a declaration.")
    elif declaration.call_id != meeting.call_id:
        errors["declaration"] = _("Declaration %(declaration)s is not of this meeting's call, %(call)s.") % {
            "declaration": declaration,
            "call": meeting.call,
        }
    elif declaration.state != S.REVIEWED:
        errors["declaration"] = _(
            "The meeting gives its opinion on declarations whose evaluation is complete and not yet decided; "
            "%(declaration)s is “%(state)s”."
        ) % {"declaration": declaration, "state": declaration.get_state_display()}
    if not opinion:
        errors["opinion"] = _("Write the meeting's evaluation opinion.")
    if scheme not in SupportScheme.values:
        errors["scheme"] = _("Choose whether the meeting proposes to support the declaration.")
    elif "declaration" not in errors:
        amount_error = _amount_error(declaration, scheme, amount)
        if amount_error:
            errors["proposed_amount"] = amount_error
    if errors:
        raise ValidationError(errors)
    record = MeetingOpinion.objects.filter(meeting=meeting, declaration=declaration).first()
    if record is None:
        record = MeetingOpinion(meeting=meeting, declaration=declaration)
        reason = message("review.opinion.recorded")
    else:
        reason = message("review.opinion.corrected")
    record.opinion = opinion
    record.scheme = scheme
    record.proposed_amount = amount if scheme == SupportScheme.SUPPORT else None
    record.recorded_by = actor
    record.recorded_at = timezone.now()
    audited(record, actor, reason).save()
    return record


# --- selectors -----------------------------------------------------------------------------------


def meetings_for(call=None):
    """Evaluation meetings, the latest first, with their numbers of members, opinions and proposals
    to support; those of `call` only when it is given."""
    meetings = EvaluationMeeting.objects.select_related("call", "recorded_by").annotate(
        member_count=Count("members_present", distinct=True),
        opinion_count=Count("opinions", distinct=True),
        support_count=Count("opinions", filter=Q(opinions__scheme=SupportScheme.SUPPORT), distinct=True),
    )
    if call is not None:
        meetings = meetings.filter(call=call)
    return meetings.order_by("-held_on", "-pk")


def meeting_get(pk):
    """The meeting `pk` with its call; EvaluationMeeting.DoesNotExist when there is none."""
    return EvaluationMeeting.objects.select_related("call", "recorded_by").get(pk=pk)


def meeting_member_candidates(meeting=None):
    """Who may be recorded as present: active commission staff and expert reviewers, and those
    recorded at `meeting` already."""
    eligible = Q(role__in=MEETING_MEMBER_ROLES, is_active=True)
    if meeting is not None:
        eligible |= Q(pk__in=meeting.members_present.values("pk"))
    return User.objects.filter(eligible).order_by("role", "last_name", "username")


def one_to_one_or_none(instance, name):
    """A reverse one-to-one loaded by select_related, or None when there is no such row."""
    try:
        return getattr(instance, name)
    except ObjectDoesNotExist:
        return None


@dataclass(frozen=True)
class OpinionRow:
    """One declaration the meeting discussed: its opinion, weighted total, decision, withdrawals."""

    opinion: MeetingOpinion
    declaration: Declaration
    total: Decimal | None
    decision: object  # review.models.Decision or None
    withdrawn: tuple  # members who withdrew from this declaration's discussion

    @property
    def open_for_correction(self):
        return self.declaration.state == S.REVIEWED

    @property
    def decision_rests_on_this_opinion(self):
        return self.decision is not None and self.decision.opinion_id == self.opinion.pk


@dataclass(frozen=True)
class MeetingDetail:
    meeting: EvaluationMeeting
    members: list
    withdrawals: list  # MeetingWithdrawal, with member and declaration
    whole_meeting_withdrawals: frozenset  # ids of members who withdrew from the whole meeting
    opinions: list  # OpinionRow


def meeting_detail(meeting):
    """Everything the meeting page shows, in a fixed number of queries whatever the number of opinions."""
    members = list(meeting.members_present.order_by("role", "last_name", "username"))
    withdrawals = list(meeting.withdrawals.select_related("member", "declaration").order_by("pk"))
    by_declaration = {}
    for withdrawal in withdrawals:
        if withdrawal.declaration_id is not None:
            by_declaration.setdefault(withdrawal.declaration_id, []).append(withdrawal.member)
    opinions = meeting.opinions.select_related(
        "recorded_by",
        "declaration__organisation",
        "declaration__programme",
        "declaration__evaluation_summary",
        "declaration__decision",
    ).order_by("declaration__number", "pk")
    rows = []
    for opinion in opinions:
        declaration = opinion.declaration
        summary = one_to_one_or_none(declaration, "evaluation_summary")
        rows.append(
            OpinionRow(
                opinion=opinion,
                declaration=declaration,
                total=summary.total if summary else None,
                decision=one_to_one_or_none(declaration, "decision"),
                withdrawn=tuple(by_declaration.get(declaration.pk, ())),
            )
        )
    return MeetingDetail(
        meeting=meeting,
        members=members,
        withdrawals=withdrawals,
        whole_meeting_withdrawals=frozenset(w.member_id for w in withdrawals if w.declaration_id is None),
        opinions=rows,
    )


def declarations_awaiting_opinion(meeting):
    """The declarations of the meeting's call it may give an opinion on: evaluated, not yet decided."""
    return (
        Declaration.objects.filter(call_id=meeting.call_id, state=S.REVIEWED)
        .select_related("organisation", "programme", "evaluation_summary")
        .order_by("number", "pk")
    )


def declarations_for_withdrawal(meeting):
    """The declarations of the meeting's call a member may withdraw from: those awaiting an opinion
    and those the meeting discussed."""
    return (
        Declaration.objects.filter(call_id=meeting.call_id)
        .filter(Q(state=S.REVIEWED) | Q(meeting_opinions__meeting=meeting))
        .distinct()
        .order_by("number", "pk")
    )


def opinions_for(declaration):
    """The meeting opinions on a declaration, the latest meeting first."""
    return list(
        MeetingOpinion.objects.filter(declaration=declaration)
        .select_related("meeting", "recorded_by")
        .order_by("-meeting__held_on", "-meeting__pk")
    )


def meeting_latest_for_call(call_id):
    """The latest evaluation meeting of a call, or None."""
    return EvaluationMeeting.objects.filter(call_id=call_id).order_by("-held_on", "-pk").first()
