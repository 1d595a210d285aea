"""Walk a declaration to any state through the real service functions.

Used by `load_demo` and by the tests, so both see exactly what users would have produced.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_DOWN, Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from declarations.enums import DeclarationState as S
from declarations.enums import SignatoryCapacity
from declarations.evidence import EVIDENCE
from declarations.models import Declaration
from declarations.services import attachment_add, commitment_sign, declaration_submit, declaration_withdraw
from disbursement.models import BankAccount
from disbursement.recovery import declaration_terminate, recovery_case_open
from disbursement.services import (
    PlannedTranche,
    bank_account_set,
    declaration_paid_total,
    declaration_stop,
    order_approve,
    order_mark_paid,
    order_prepare,
    payment_plan_set,
)
from publicity.calendar import CalendarNotCovered, publicity_first_day, working_days_between, working_days_window
from publicity.models import ObjectionOutcome, PublicityBatch, PublicityEntry, PublishedEntry
from publicity.services import objection_handle, objection_raise, publicity_batch_close, publicity_batch_open
from review.acceptance import checklist_for
from review.evaluation import assignment_score, programme_rubric
from review.meetings import meeting_record, opinion_record
from review.models import EvaluationMeeting, SupportScheme
from review.services import (
    declaration_accept,
    declaration_approve,
    declaration_disqualify,
    declaration_refuse,
    declaration_reject,
    declaration_return,
    reviewers_assign,
)

# The demo's staff-side users (staff, reviewers, finance officers, the administrator) sign in with an
# authenticator app set up with this key (base32), so that the demo can be tried and checked from
# outside; `load_demo` prints it and its otpauth:// URL. Never the key of a real account.
DEMO_TOTP_SECRET = "ZGCDEMOTOTPSECRETZGCDEMO"  # nosec B105 -- published on purpose, demo only
DEMO_TOTP_URL = f"otpauth://totp/ZGC%20Support%20Funds%3Ademo?secret={DEMO_TOTP_SECRET}&issuer=ZGC%20Support%20Funds"


@dataclass
class Cast:
    """The people who act on a declaration on its way."""

    applicant: object
    staff: object
    reviewers: list
    finance: object
    # The second finance officer, who approves the orders `finance` prepares (two-person approval).
    approver: object = None


# The state each state is reached from on the way the demo and the tests take.
PREVIOUS = {
    S.SUBMITTED: S.DRAFT,
    S.RETURNED: S.SUBMITTED,
    S.WITHDRAWN: S.SUBMITTED,
    S.ACCEPTED: S.SUBMITTED,
    S.NOT_ACCEPTED: S.SUBMITTED,
    S.DISQUALIFIED: S.SUBMITTED,
    S.UNDER_REVIEW: S.ACCEPTED,
    S.REVIEWED: S.UNDER_REVIEW,
    S.NOT_SUPPORTED: S.REVIEWED,
    S.APPROVED: S.REVIEWED,
    S.IN_PUBLICITY: S.APPROVED,
    S.OBJECTION_UPHELD: S.IN_PUBLICITY,
    S.CONFIRMED: S.IN_PUBLICITY,
    S.STOPPED: S.CONFIRMED,
    S.DISBURSING: S.CONFIRMED,
    S.PAID: S.DISBURSING,
    S.TERMINATED: S.DISBURSING,
    S.RECOVERED: S.PAID,
}


def _path_to(state):
    return [*_path_to(PREVIOUS[state]), state] if state in PREVIOUS else []


# The states each state is reached through, from draft.
PATHS = {state: _path_to(state) for state in S}


def demo_opening_day():
    """The day the demo and the tests' walks open a batch: today; or, while the next year's working
    days are not entered yet (late December), the latest earlier day whose period can be counted,
    so that the demo still loads. The services themselves never guess."""
    day = timezone.localdate()
    for _ in range(31):
        try:
            working_days_window(publicity_first_day(day))
        except CalendarNotCovered:
            day -= timedelta(days=1)
        else:
            return day
    return timezone.localdate()


def _latest_window_with(day, reaching_back=21):
    """The period starting on the latest day on or before `day` whose period can be counted."""
    first = day
    for _ in range(reaching_back + 31):
        try:
            window = working_days_window(first)
        except CalendarNotCovered:
            window = None
        if window and window[0] <= day:
            return window
        first -= timedelta(days=1)
    raise CalendarNotCovered(day.year)


def _move_batch(batch, starts_on, ends_on):
    """The batch's period, and the working days it stores with it (as publicity.services does)."""
    working_days = [day.isoformat() for day in working_days_between(starts_on, ends_on)]
    PublicityBatch.objects.filter(pk=batch.pk).update(starts_on=starts_on, ends_on=ends_on, working_days=working_days)


def backdate_batch(batch):
    """Demo and tests only: move a batch's 5 working days into the past so it can be closed."""
    starts_on, ends_on = _latest_window_with(timezone.localdate() - timedelta(days=21))
    _move_batch(batch, starts_on, ends_on)
    PublicityEntry.objects.filter(batch=batch).update(starts_on=starts_on, ends_on=ends_on)
    PublishedEntry.objects.filter(batch=batch).update(starts_on=starts_on, ends_on=ends_on)
    batch.refresh_from_db()
    return batch


def batch_running_today(batch):
    """Demo only: move a batch's period so that today is in it (its first working day on or before
    today), so that an objection can be tried at once."""
    starts_on, ends_on = _latest_window_with(timezone.localdate())
    _move_batch(batch, starts_on, ends_on)
    PublicityEntry.objects.filter(batch=batch).update(starts_on=starts_on, ends_on=ends_on)
    PublishedEntry.objects.filter(batch=batch).update(starts_on=starts_on, ends_on=ends_on)
    batch.refresh_from_db()
    return batch


def evidence_pdf(text):
    """A small, valid one-page PDF showing `text` (ASCII): the demo's and the tests' evidence file."""
    shown = text.encode("ascii", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 18 Tf 72 770 Td (" + shown + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return pdf


def complete_for_submission(declaration, applicant):
    """Attach a file for each evidence kind still missing and sign the good-faith commitment, as an
    applicant does before submitting."""
    present = set(declaration.attachments.values_list("evidence", flat=True))
    for evidence in EVIDENCE[declaration.programme.code]:
        if evidence.required and evidence.code not in present:
            attachment_add(
                declaration_id=declaration.pk,
                actor=applicant,
                evidence=evidence.code,
                uploaded_file=ContentFile(
                    evidence_pdf(f"{evidence.code} of {declaration.title}"), f"{evidence.code}.pdf"
                ),
            )
    representative = declaration.organisation.legal_representative
    commitment_sign(
        declaration_id=declaration.pk,
        actor=applicant,
        signatory_name=representative or applicant.get_full_name() or applicant.username,
        signatory_capacity=SignatoryCapacity.LEGAL_REPRESENTATIVE
        if representative
        else SignatoryCapacity.AUTHORISED_CONTACT,
        ip_address="127.0.0.1",
        user_agent="demo",
    )


def meeting_opinion_record(declaration, cast, amount):
    """The evaluation meeting's opinion a decision rests on: support at `amount`, or not (None)."""
    meeting = EvaluationMeeting.objects.filter(call=declaration.call, held_on=timezone.localdate()).first()
    if meeting is None:
        meeting = meeting_record(
            actor=cast.staff,
            call=declaration.call,
            held_on=timezone.localdate(),
            place="301会议室",
            members=[cast.staff, *cast.reviewers],
            minutes="",
        )
    return opinion_record(
        meeting_id=meeting.pk,
        declaration_id=declaration.pk,
        actor=cast.staff,
        opinion="按评审结果予以支持。" if amount else "低于合格线。",
        scheme=SupportScheme.SUPPORT if amount else SupportScheme.NOT_SUPPORT,
        proposed_amount=amount or None,
    )


def step(declaration, target, cast, amount):
    """Take the one action that moves `declaration` to `target`."""
    pk = declaration.pk
    if target == S.SUBMITTED:
        complete_for_submission(declaration, cast.applicant)
        declaration_submit(declaration_id=pk, actor=cast.applicant)
    elif target == S.RETURNED:
        declaration_return(declaration_id=pk, actor=cast.staff, note="请补充付款凭证。")
    elif target == S.WITHDRAWN:
        declaration_withdraw(declaration_id=pk, actor=cast.applicant, note="申报专项有误。")
    elif target == S.ACCEPTED:
        declaration_accept(
            declaration_id=pk,
            actor=cast.staff,
            checklist={item.key: True for item in checklist_for(declaration)},
            note="形式审查通过。",
        )
    elif target == S.NOT_ACCEPTED:
        declaration_refuse(declaration_id=pk, actor=cast.staff, note="被投企业不属于中关村高新技术领域。")
    elif target == S.DISQUALIFIED:
        declaration_disqualify(declaration_id=pk, actor=cast.staff, note="列入失信被执行人名单。")
    elif target == S.UNDER_REVIEW:
        reviewers_assign(declaration_id=pk, actor=cast.staff, reviewers=cast.reviewers)
    elif target == S.REVIEWED:
        criteria = list(programme_rubric(declaration.programme_id).criteria.all())
        active = declaration.review_assignments.filter(submitted_at__isnull=True, released_at__isnull=True)
        for n, assignment in enumerate(active):
            fraction = Decimal("0.82") + Decimal("0.04") * n
            assignment_score(
                assignment_id=assignment.pk,
                actor=assignment.reviewer,
                scores={
                    c.pk: (c.min_score + (c.max_score - c.min_score) * fraction).quantize(Decimal("0.01"))
                    for c in criteria
                },
                opinion="属中关村高新技术领域的首轮投资，情况属实。",
                submit=True,
            )
    elif target == S.NOT_SUPPORTED:
        meeting_opinion_record(declaration, cast, None)
        declaration_reject(declaration_id=pk, actor=cast.staff, note="评审得分低于合格线。")
    elif target == S.APPROVED:
        meeting_opinion_record(declaration, cast, amount)
        declaration_approve(declaration_id=pk, actor=cast.staff, amount=amount, note="依据评审意见。")
    elif target == S.IN_PUBLICITY:
        publicity_batch_open(actor=cast.staff, call=declaration.call, declaration_ids=[pk], today=demo_opening_day())
    elif target == S.OBJECTION_UPHELD:
        entry = declaration.publicity_entries.get()
        objection = objection_raise(
            entry=entry,
            name="李四",
            contact="13800000000",
            text="该投资并非首轮投资。",
            today=entry.batch.starts_on,
        )
        objection_handle(
            objection_id=objection.pk,
            actor=cast.staff,
            outcome=ObjectionOutcome.NOT_SUPPORTED,
            reason="此前已有融资轮次，该投资并非首轮投资。",
            reply="经核实，此前已有融资轮次，项目从名单中撤下。",
        )
    elif target == S.CONFIRMED:
        batch = backdate_batch(declaration.publicity_entries.get().batch)
        publicity_batch_close(batch_id=batch.pk, today=batch.ends_on + timedelta(days=1))
    elif target == S.STOPPED:
        declaration_stop(declaration_id=pk, actor=cast.finance, note="注册地已迁出北京。")
    elif target == S.DISBURSING:
        # Two tranches of half the amount each; the first is paid.
        half = (declaration.approved_amount / 2).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
        demo_bank_account(declaration.organisation, cast)
        payment_plan_set(
            declaration_id=pk,
            actor=cast.finance,
            tranches=[PlannedTranche(half), PlannedTranche(declaration.approved_amount - half)],
        )
        demo_order_paid(declaration, cast, tranche_number=1, reference=f"PAY-{pk}-1")
    elif target == S.PAID:
        tranches = list(declaration.tranches.order_by("number").values_list("number", flat=True)) or [1]
        demo_order_paid(declaration, cast, tranche_number=tranches[-1], reference=f"PAY-{pk}-2")
    elif target == S.TERMINATED:
        declaration_terminate(declaration_id=pk, actor=cast.staff, note="经查投资系虚构。")
    elif target == S.RECOVERED:
        recovery_case_open(
            declaration_id=pk,
            actor=cast.staff,
            amount_due=declaration_paid_total(declaration),
            due_on=timezone.localdate() + timedelta(days=30),
            reason="投资证明材料系伪造。",
            barred_until=timezone.localdate() + timedelta(days=3 * 365),
        )
    else:  # pragma: no cover - PATHS lists only the states above
        raise ValueError(target)


def demo_bank_account(organisation, cast):
    """The unit's account in its registered name, recorded once."""
    if not BankAccount.objects.filter(organisation=organisation).exists():
        bank_account_set(
            organisation_id=organisation.pk,
            actor=cast.finance,
            account_name=organisation.name,
            bank_name="北京银行中关村分行",
            account_number=f"6222{organisation.pk:015d}",
        )


def demo_order_paid(declaration, cast, *, tranche_number, reference):
    """An order for what of the tranche is open, prepared by `cast.finance`, approved by
    `cast.approver` after the re-check, and marked paid today."""
    if cast.approver is None:
        raise ValueError("Paying needs a second finance officer: give the Cast an approver.")
    demo_bank_account(declaration.organisation, cast)
    order = order_prepare(declaration_id=declaration.pk, actor=cast.finance, tranche_number=tranche_number)
    order_approve(order_id=order.pk, actor=cast.approver)
    return order_mark_paid(
        order_id=order.pk, actor=cast.finance, voucher_number=reference, paid_on=timezone.localdate()
    )


def walk_to(declaration, target, cast, amount=Decimal("1600000.00")):
    """Move a declaration along PATHS[target] from wherever it stands on that path; returns it
    reloaded."""
    path = PATHS[target]
    declaration = Declaration.objects.get(pk=declaration.pk)
    if declaration.state in path:
        path = path[path.index(declaration.state) + 1 :]
    for state in path:
        step(declaration, state, cast, amount)
        declaration = Declaration.objects.get(pk=declaration.pk)
    return declaration
