"""Bring a declaration straight into any state of the workflow, as if it had walked there.

`build_to(declaration, state, cast=...)` follows TRANSITIONS from the declaration's state and, for each
step, writes with plain ORM calls what the services of that step write when `config.demo.walk_to`
takes it: the state and the declaration's saved version (django-simple-history), the
DeclarationEvent with the same actor and note, the applicant's notices, and the records the step
leaves behind (evidence files and the signed commitment, the number, acceptance checks, reviewers'
assignments and scores, the evaluation summary, the meeting and its opinion, the decision with its
award cap, the publicity batch and entry, an upheld objection, payments, the recovery case). Timestamps
are taken in the order the services take them.

It skips what the services check (permissions, locks, the credit and double-funding registers that
would divert a declaration, the submission's problems) and the repeated work of a walk, so it is
several times faster; it refuses an approved amount above the award cap, as the walk would.

Tests only: for setting up a declaration whose journey is not what the test is about. The walk
itself stays tested once per path (tests/test_demo_walk.py, tests/test_full_path.py), and
tests/test_state_factory.py proves that a built declaration and a walked one cannot be told apart.
"""

import hashlib
from collections import deque
from datetime import timedelta
from decimal import Decimal
from functools import cached_property

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common.history import audited
from common.messages import message, note_stripped
from config.demo import Cast, evidence_pdf, step
from declarations import commitment
from declarations.enums import DeclarationAction as A
from declarations.enums import DeclarationState as S
from declarations.enums import SignatoryCapacity
from declarations.evidence import EVIDENCE
from declarations.models import Attachment, Commitment, Declaration, DeclarationEvent, DeclarationNumberSequence
from declarations.selectors import declaration_award_assessment
from declarations.tasks import recompute_award_caps
from declarations.workflow import TRANSITIONS, milestones_reached
from disbursement.enums import RecoveryCaseAction
from disbursement.models import RecoveryCase, RecoveryCaseEvent
from notices.services import notice_create, notices_for_submission, notices_for_transition
from publicity.models import ObjectionOutcome
from publicity.services import objection_handle, objection_raise, publicity_version_publish
from review.acceptance import checklist_for, checklist_record
from review.double_funding import double_funding_check
from review.evaluation import Evaluation, evaluation_result, programme_rubric, summary_values, weighted_total
from review.models import (
    AcceptanceCheck,
    AcceptanceOutcome,
    CriterionScore,
    Decision,
    DecisionOutcome,
    EvaluationMeeting,
    EvaluationSummary,
    FundingRecord,
    MeetingOpinion,
    ReviewAssignment,
    SupportScheme,
)

__all__ = ["DEFAULT_AMOUNT", "Cast", "build_to", "path_to", "ready_to_submit"]

DEFAULT_AMOUNT = Decimal("1600000.00")
CENT = Decimal("0.01")

# The notes and texts config.demo.step gives each step.
NOTES = {
    A.RETURN: "请补充付款凭证。",
    A.WITHDRAW: "申报专项有误。",
    A.ACCEPT: "形式审查通过。",
    A.REFUSE: "被投企业不属于中关村高新技术领域。",
    A.DISQUALIFY: "列入失信被执行人名单。",
    A.REJECT: "评审得分低于合格线。",
    A.APPROVE: "依据评审意见。",
    A.STOP: "注册地已迁出北京。",
    A.TERMINATE: "经查投资系虚构。",
    A.RECOVER: "投资证明材料系伪造。",
}
EVALUATION_OPINION = "属中关村高新技术领域的首轮投资，情况属实。"


# A payment is made on the way into this state (disbursement.services.payment_record); a recovery
# needs one before it (disbursement.recovery.recovery_case_open refuses to recover nothing).
FIRST_PAYMENT = TRANSITIONS[A.START_DISBURSEMENT].target


def _shortest(start, target, paid):
    """The states after `start` up to `target` by the fewest transitions (table order breaks ties),
    recovering only after a payment (`paid`: one was made before `start`); and whether one was."""
    first = (start, paid)
    before = {first: None}
    todo = deque([first])
    while todo:
        node = todo.popleft()
        state, paid_here = node
        if state == target:
            path = []
            while node != first:
                path.append(node[0])
                node = before[node]
            return path[::-1], paid_here
        for action, transition in TRANSITIONS.items():
            if state not in transition.sources or (action == A.RECOVER and not paid_here):
                continue
            following = (transition.target, paid_here or transition.target == FIRST_PAYMENT)
            if following not in before:
                before[following] = node
                todo.append(following)
    raise ValueError(f"No transition leads from {start} to {target}.")


def path_to(start, target, through=(), paid=None):
    """The states a declaration in `start` passes to reach `target`: the fewest transitions, by way
    of the states in `through` in their order, and recovering only what was paid; `start` itself is
    not included. `paid`: whether something was paid before `start` (by default, when `start` is a
    state payments are made in)."""
    if paid is None:
        paid = start in (FIRST_PAYMENT, TRANSITIONS[A.COMPLETE_PAYMENT].target)
    path, here = [], start
    for stop in (*through, target):
        steps, paid = _shortest(here, stop, paid)
        path += steps
        here = stop
    return path


def _action(source, target):
    (action,) = [a for a, t in TRANSITIONS.items() if source in t.sources and t.target == target]
    return action


class _Builder:
    def __init__(self, declaration, cast, amount):
        self.declaration = Declaration.objects.select_related("organisation", "programme", "call").get(
            pk=declaration.pk
        )
        self.cast = cast
        self.amount = Decimal(amount)

    @cached_property
    def rubric(self):
        return programme_rubric(self.declaration.programme_id)

    # --- what declarations.workflow.declaration_transition writes -------------------------------

    def transition(self, action, actor, note="", **changes):
        transition = TRANSITIONS[action]
        declaration = self.declaration
        from_state = declaration.state
        moment = timezone.now()
        changes.update(milestones_reached(declaration, action, moment))
        for field, value in changes.items():
            setattr(declaration, field, value)
        declaration.state = transition.target
        declaration.save()
        event = DeclarationEvent.objects.create(
            declaration=declaration,
            action=action,
            from_state=from_state,
            to_state=transition.target,
            actor=actor,
            note=note_stripped(note),
            created_at=moment,
        )
        if transition.notify_applicant:
            notices_for_transition(declaration=declaration, event=event)
        if action == A.SUBMIT:
            notices_for_submission(declaration=declaration, event=event)
        if transition.changes_history:
            pk = declaration.pk
            transaction.on_commit(lambda: recompute_award_caps.delay(declaration_id=pk))
        return event

    # --- one method per action: the records of the service that takes it ------------------------

    def complete(self):
        """config.demo.complete_for_submission: the evidence files still missing and the commitment."""
        declaration, applicant = self.declaration, self.cast.applicant
        present = set(declaration.attachments.values_list("evidence", flat=True))
        added = []
        for evidence in EVIDENCE[declaration.programme.code]:
            if evidence.required and evidence.code not in present:
                content = evidence_pdf(f"{evidence.code} of {declaration.title}")
                attachment = Attachment(
                    declaration=declaration,
                    evidence=evidence.code,
                    original_name=f"{evidence.code}.pdf",
                    content_type="application/pdf",
                    size=len(content),
                    sha256=hashlib.sha256(content).hexdigest(),
                    uploaded_by=applicant,
                    uploaded_at=timezone.now(),
                )
                attachment.file.save("evidence", ContentFile(content, f"{evidence.code}.pdf"), save=False)
                # The saved version's time, after the upload's, as simple_history takes it on save.
                attachment._history_date = timezone.now()
                added.append(attachment)
        if added:
            Attachment.objects.bulk_create(added)
            Attachment.history.bulk_history_create(added, default_change_reason=None)
            self._void_commitments(_("an evidence file was added"))
        representative = declaration.organisation.legal_representative
        name = " ".join((representative or applicant.get_full_name() or applicant.username).split())
        capacity = SignatoryCapacity.LEGAL_REPRESENTATIVE if representative else SignatoryCapacity.AUTHORISED_CONTACT
        version = commitment.CURRENT_VERSION
        text = commitment.commitment_text(version)
        self._void_commitments(_("signed again"))
        Commitment.objects.create(
            declaration=declaration,
            version=version,
            text=text,
            language=translation.get_language() or "",
            signatory_name=name,
            signatory_capacity=capacity,
            signed_by=applicant,
            ip_address="127.0.0.1",
            user_agent="demo",
            content_hash=commitment.content_hash(
                version=version,
                text=text,
                signatory_name=name,
                signatory_capacity=capacity,
                content=commitment.declaration_content(declaration, declaration.attachments.all()),
            ),
        )

    def submit(self):
        """config.demo.complete_for_submission, then declarations.services.declaration_submit."""
        self.complete()
        declaration = self.declaration
        changes = {"submitted_at": timezone.now()}
        if not declaration.number:
            sequence, _created = DeclarationNumberSequence.objects.get_or_create(
                year=declaration.call.year, programme_code=declaration.programme.code
            )
            sequence.last += 1
            sequence.save(update_fields=["last"])
            changes["number"] = f"ZGC-{declaration.call.year}-{declaration.programme.code}-{sequence.last:06d}"
        self.transition(A.SUBMIT, self.cast.applicant, **changes)

    def _void_commitments(self, reason):
        """declarations.services._void_commitments, which each new file and each signature calls."""
        Commitment.objects.filter(declaration=self.declaration, voided_at__isnull=True).update(
            voided_at=timezone.now(), void_reason=str(reason)[:200]
        )

    def _acceptance_check(self, outcome, ticked, note):
        AcceptanceCheck.objects.create(
            declaration=self.declaration,
            items=checklist_record(self.declaration, ticked),
            outcome=outcome,
            note=note,
            checked_by=self.cast.staff,
        )

    def return_(self):
        self.transition(A.RETURN, self.cast.staff, NOTES[A.RETURN])
        self._acceptance_check(AcceptanceOutcome.RETURNED, (), NOTES[A.RETURN])

    def withdraw(self):
        self.transition(A.WITHDRAW, self.cast.applicant, NOTES[A.WITHDRAW])

    def accept(self):
        declaration = self.declaration
        self.transition(A.ACCEPT, self.cast.staff, NOTES[A.ACCEPT])
        self._acceptance_check(
            AcceptanceOutcome.ACCEPTED, [item.key for item in checklist_for(declaration)], NOTES[A.ACCEPT]
        )
        if FundingRecord.objects.filter(credit_code=declaration.organisation.credit_code).exists():
            double_funding_check(declaration)

    def refuse(self):
        self.transition(A.REFUSE, self.cast.staff, NOTES[A.REFUSE])
        self._acceptance_check(AcceptanceOutcome.REFUSED, (), NOTES[A.REFUSE])

    def disqualify(self):
        self.transition(A.DISQUALIFY, self.cast.staff, NOTES[A.DISQUALIFY])

    def start_review(self):
        """review.services.reviewers_assign with the cast's reviewers."""
        declaration, staff = self.declaration, self.cast.staff
        for reviewer in self.cast.reviewers:
            _assignment, is_new = ReviewAssignment.objects.get_or_create(
                declaration=declaration, reviewer=reviewer, defaults={"assigned_by": staff}
            )
            if is_new:
                notice_create(
                    recipient=reviewer,
                    subject=message("review.assigned.subject", title=declaration.title),
                    body=message("review.assigned.body", number=declaration.number),
                    declaration=declaration,
                )
        self.transition(A.START_REVIEW, staff)
        self._summary()

    def complete_review(self):
        """Each active reviewer scores as config.demo.step does and submits (review.evaluation.assignment_score)."""
        declaration = self.declaration
        criteria = list(self.rubric.criteria.all())
        active = list(declaration.review_assignments.filter(submitted_at__isnull=True, released_at__isnull=True))
        if not active:
            raise ValueError("No reviewer is assigned to complete the review.")
        for n, assignment in enumerate(active):
            fraction = Decimal("0.82") + Decimal("0.04") * n
            scores = {c.pk: (c.min_score + (c.max_score - c.min_score) * fraction).quantize(CENT) + 0 for c in criteria}
            CriterionScore.objects.bulk_create(
                [CriterionScore(assignment=assignment, criterion_id=pk, score=score) for pk, score in scores.items()]
            )
            assignment.score = weighted_total(criteria, scores)
            assignment.opinion = EVALUATION_OPINION
            assignment.started = True
            assignment.submitted_at = timezone.now()
            assignment.save(update_fields=["score", "opinion", "started", "submitted_at"])
        self._summary()
        self.transition(A.COMPLETE_REVIEW, active[-1].reviewer)

    def _summary(self):
        """review.evaluation.evaluation_summary_refresh, from the rows at hand."""
        declaration = self.declaration
        rubric = self.rubric
        assignments = list(
            declaration.review_assignments.filter(released_at__isnull=True).prefetch_related("criterion_scores")
        )
        submitted = [a for a in assignments if a.submitted_at is not None and a.score is not None]
        result = evaluation_result(
            criteria=list(rubric.criteria.all()),
            pass_mark=rubric.pass_mark,
            outlier_margin=rubric.outlier_margin,
            evaluations=[
                Evaluation(key=a.pk, total=a.score, scores={s.criterion_id: s.score for s in a.criterion_scores.all()})
                for a in submitted
            ],
            aggregation=declaration.call.score_aggregation,
        )
        EvaluationSummary.objects.update_or_create(
            declaration=declaration, defaults=summary_values(result, assigned=len(assignments))
        )

    def _opinion(self, amount):
        """config.demo.meeting_opinion_record: today's meeting of the call (recorded if there is none)
        and its opinion on the declaration (review.meetings.meeting_record and opinion_record)."""
        declaration, staff = self.declaration, self.cast.staff
        today = timezone.localdate()
        meeting = EvaluationMeeting.objects.filter(call=declaration.call, held_on=today).first()
        if meeting is None:
            meeting = EvaluationMeeting(call=declaration.call, held_on=today, place="301会议室", recorded_by=staff)
            audited(meeting, staff, message("review.meeting.recorded")).save()
            meeting.members_present.set([staff, *self.cast.reviewers])
        opinion = MeetingOpinion.objects.filter(meeting=meeting, declaration=declaration).first()
        reason = message("review.opinion.corrected")
        if opinion is None:
            opinion = MeetingOpinion(meeting=meeting, declaration=declaration)
            reason = message("review.opinion.recorded")
        opinion.opinion = "按评审结果予以支持。" if amount else "低于合格线。"
        opinion.scheme = SupportScheme.SUPPORT if amount else SupportScheme.NOT_SUPPORT
        opinion.proposed_amount = amount or None
        opinion.recorded_by = staff
        opinion.recorded_at = timezone.now()
        audited(opinion, staff, reason).save()
        return opinion

    def _decision(self, opinion, outcome, note):
        """What review.services._decide records after the transition."""
        declaration = self.declaration
        decision = Decision.objects.create(
            declaration=declaration,
            outcome=outcome,
            amount=declaration.approved_amount if outcome == DecisionOutcome.APPROVED else None,
            award_cap=declaration.award_cap,
            reason=note,
            opinion=opinion,
            event=declaration.events.order_by("-created_at", "-pk").first(),
            decided_by=self.cast.staff,
        )
        decision.evaluations.set(
            declaration.review_assignments.filter(submitted_at__isnull=False, released_at__isnull=True)
        )

    def reject(self):
        opinion = self._opinion(None)
        note = NOTES[A.REJECT]
        self.transition(A.REJECT, self.cast.staff, note, approved_amount=None, decision_reason=note)
        self._decision(opinion, DecisionOutcome.NOT_SUPPORTED, note)

    def approve(self):
        amount = self.amount
        assessment = declaration_award_assessment(self.declaration)
        if not assessment.eligible or not 0 < amount <= assessment.award:
            raise ValueError(f"{amount} yuan cannot be approved: the award cap is {assessment.award} yuan.")
        opinion = self._opinion(amount)
        note = NOTES[A.APPROVE]
        self.transition(
            A.APPROVE,
            self.cast.staff,
            note,
            approved_amount=amount,
            decision_reason=note,
            award_cap=assessment.award,
            award_assessment=assessment.record(),
        )
        self._decision(opinion, DecisionOutcome.APPROVED, note)

    # Publicity is a handful of queries for one declaration: its steps are the walk's own
    # (config.demo.step), so batches, versions, published rows and objections are exactly the services'.

    def publicise(self):
        """publicity.services.publicity_batch_open for this declaration alone."""
        step(self.declaration, S.IN_PUBLICITY, self.cast, self.amount)
        self.declaration.refresh_from_db()

    def uphold_objection(self):
        """publicity.services.objection_raise, then objection_handle upholding it."""
        step(self.declaration, S.OBJECTION_UPHELD, self.cast, self.amount)
        self.declaration.refresh_from_db()

    def reopen_review(self):
        """publicity.services.objection_raise, then objection_handle sending it back to evaluation."""
        entry = self.declaration.publicity_entries.get(withdrawn_at__isnull=True)
        objection = objection_raise(
            entry=entry, name="李四", contact="13800000000", text="The score missed a fact.", today=entry.starts_on
        )
        objection_handle(
            objection_id=objection.pk,
            actor=self.cast.staff,
            outcome=ObjectionOutcome.REVIEW,
            reason="The evaluation must consider a fact it missed.",
            reply="Thank you: the project goes back to the evaluation.",
        )
        self.declaration.refresh_from_db()

    def confirm(self):
        """config.demo.backdate_batch, then publicity.services.publicity_batch_close (the system's)."""
        step(self.declaration, S.CONFIRMED, self.cast, self.amount)
        self.declaration.refresh_from_db()

    def _paid(self):
        return self.declaration.payments.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")

    def start_disbursement(self):
        """config.demo.step: the plan of two halves, the first order prepared, approved and paid."""
        step(self.declaration, S.DISBURSING, self.cast, self.amount)
        self.declaration.refresh_from_db()

    def complete_payment(self):
        """config.demo.step: the last tranche's order prepared, approved and paid."""
        step(self.declaration, S.PAID, self.cast, self.amount)
        self.declaration.refresh_from_db()

    def _unpaid(self):
        """disbursement.services.unpaid_cancelled: what will never be paid once support ends."""
        return self.declaration.approved_amount - self._paid()

    def stop(self):
        """disbursement.services.declaration_stop."""
        self.transition(A.STOP, self.cast.finance, NOTES[A.STOP], cancelled_amount=self._unpaid())

    def terminate(self):
        """disbursement.recovery.declaration_terminate by staff; in publicity, the batch's next
        version withdraws the project (publicity.services.publicity_version_publish)."""
        in_publicity = self.declaration.state == S.IN_PUBLICITY
        self.transition(A.TERMINATE, self.cast.staff, NOTES[A.TERMINATE], cancelled_amount=self._unpaid())
        if in_publicity:
            entry = self.declaration.publicity_entries.get(withdrawn_at__isnull=True)
            publicity_version_publish(
                actor=self.cast.staff,
                batch_id=entry.batch_id,
                changelog=_("No. %(number)s withdrawn: the commission terminated the project (Art. 21).")
                % {"number": self.declaration.number},
                withdraw_entry_ids=[entry.pk],
            )
            self.declaration.refresh_from_db()

    def recover(self):
        """disbursement.recovery.recovery_case_open by staff of everything paid, due in 30 days,
        barring the unit for three years: the case, its opening event, then A.RECOVER."""
        declaration, staff = self.declaration, self.cast.staff
        paid, today = self._paid(), timezone.localdate()
        due_on = today + timedelta(days=30)
        taken = RecoveryCase.objects.filter(declaration=declaration).count()
        case = RecoveryCase.objects.create(
            declaration=declaration,
            number=f"{declaration.number}-R{taken + 1}",
            reason=NOTES[A.RECOVER],
            amount_due=paid,
            due_on=due_on,
            barred_until=today + timedelta(days=3 * 365),
            opened_by=staff,
        )
        RecoveryCaseEvent.objects.create(
            case=case,
            action=RecoveryCaseAction.OPEN,
            from_state="",
            to_state=case.state,
            actor=staff,
            note=NOTES[A.RECOVER],
        )
        note = message("recovery.opened", number=case.number, amount=paid, due=due_on, reason=NOTES[A.RECOVER])
        self.transition(
            A.RECOVER,
            staff,
            note,
            recovered_amount=declaration.recovered_amount + paid,
            cancelled_amount=self._unpaid(),
        )


STEPS = {
    A.SUBMIT: _Builder.submit,
    A.WITHDRAW: _Builder.withdraw,
    A.RETURN: _Builder.return_,
    A.ACCEPT: _Builder.accept,
    A.REFUSE: _Builder.refuse,
    A.DISQUALIFY: _Builder.disqualify,
    A.START_REVIEW: _Builder.start_review,
    A.COMPLETE_REVIEW: _Builder.complete_review,
    A.APPROVE: _Builder.approve,
    A.REJECT: _Builder.reject,
    A.PUBLICISE: _Builder.publicise,
    A.UPHOLD_OBJECTION: _Builder.uphold_objection,
    A.REOPEN_REVIEW: _Builder.reopen_review,
    A.CONFIRM: _Builder.confirm,
    A.START_DISBURSEMENT: _Builder.start_disbursement,
    A.COMPLETE_PAYMENT: _Builder.complete_payment,
    A.STOP: _Builder.stop,
    A.TERMINATE: _Builder.terminate,
    A.RECOVER: _Builder.recover,
}
if set(STEPS) != set(TRANSITIONS):  # pragma: no cover - a new action needs its step here
    raise ImportError("tests/factories/states.py has no step for some action of TRANSITIONS")


def build_to(declaration, state, *, cast, amount=DEFAULT_AMOUNT, through=()):
    """Bring `declaration` from its state to `state` (see path_to; `through` names states to pass on
    the way, e.g. `through=[S.PAID]` to recover a declaration paid in full, as walk_to does) as the
    people of `cast` would, with `amount` approved (disbursing: half of it paid; paid: all of it).

    Writes what the walk would have written (module docstring) and returns the declaration
    reloaded, as config.demo.walk_to does."""
    builder = _Builder(declaration, cast, amount)
    with transaction.atomic():
        here = builder.declaration.state
        for target in path_to(here, state, through, paid=builder.declaration.payments.exists()):
            STEPS[_action(here, target)](builder)
            here = target
    return Declaration.objects.get(pk=declaration.pk)


def ready_to_submit(declaration, applicant):
    """What config.demo.complete_for_submission leaves on a draft (the evidence files still missing
    and the signed commitment), written as build_to writes it; returns the declaration reloaded."""
    builder = _Builder(declaration, Cast(applicant=applicant, staff=None, reviewers=[], finance=None), DEFAULT_AMOUNT)
    with transaction.atomic():
        builder.complete()
    return Declaration.objects.get(pk=declaration.pk)
