"""The state factory (tests/factories/states.py) cannot be told from the walk (config.demo.walk_to):
for every state, a declaration built there and one walked there by the real services leave the same
state, the same audit trail (events with their actors and notes, saved versions, in the same order)
and the same records; and the services take a built declaration on from any state as they take a
walked one. The walk itself is tested once per path in tests/test_demo_walk.py."""

import hashlib
import re

import pytest
from django.db import transaction

from config.demo import PATHS, Cast, complete_for_submission, walk_to
from declarations.enums import DeclarationState as S
from declarations.models import Attachment, Declaration, DeclarationNumberSequence
from declarations.services import commitment_covers
from review.models import EvaluationMeeting
from tests.factories import DeclarationFactory
from tests.factories.states import build_to, path_to, ready_to_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(applicant, staff, reviewer, second_reviewer, finance, second_finance):
    return Cast(
        applicant=applicant,
        staff=staff,
        reviewers=[reviewer, second_reviewer],
        finance=finance,
        approver=second_finance,
    )


def _who(user):
    return None if user is None else (user.username, user.role)


def _history(rows, *fields):
    return [(row.history_type, _who(row.history_user), row.history_change_reason, *fields) for row in rows]


def snapshot(declaration):
    """Everything the code reads of a declaration and its records, without the ids and times that
    differ between two runs; times become the order of the timeline."""
    d = Declaration.objects.select_related("organisation", "programme", "call").get(pk=declaration.pk)
    timeline = []

    def at(moment, label):
        if moment is not None:
            timeline.append((moment, label))

    def pk_free(text):
        # Payment references carry the declaration's id (PAY-<pk>-1); a date's month must not be taken for it.
        return re.sub(rf"\b([A-Z]+)-{d.pk}-", r"\1-<pk>-", str(text))

    snap = {
        "declaration": (
            d.state,
            d.number,
            d.title,
            d.facts,
            d.classified,
            d.approved_amount,
            d.decision_reason,
            d.award_cap,
            d.award_assessment,
            d.submitted_at is not None,
            d.cancelled_amount,
            d.recovered_amount,
        ),
        "sequence": list(DeclarationNumberSequence.objects.values_list("year", "programme_code", "last")),
    }
    at(d.submitted_at, "submitted_at")
    versions = list(d.history.order_by("history_date", "history_id"))
    snap["versions"] = _history(versions)
    snap["version_fields"] = [
        (v.state, v.number, v.approved_amount, v.decision_reason, v.award_cap, v.submitted_at is not None)
        for v in versions
    ]
    for v in versions:
        at(v.history_date, f"version {v.state}")
    events = list(d.events.select_related("actor").order_by("created_at", "pk"))
    snap["events"] = [(e.action, e.from_state, e.to_state, _who(e.actor), pk_free(e.note)) for e in events]
    for e in events:
        at(e.created_at, f"event {e.action}")

    storage = Attachment._meta.get_field("file").storage
    attachments = list(d.attachments.order_by("uploaded_at", "pk"))
    snap["attachments"] = [
        (
            a.evidence,
            a.original_name,
            a.content_type,
            a.size,
            a.sha256,
            _who(a.uploaded_by),
            a.file.name.startswith(f"declarations/{d.pk}/") and a.file.name.endswith(".pdf"),
            hashlib.sha256(storage.open(a.file.name).read()).hexdigest() == a.sha256,
        )
        for a in attachments
    ]
    snap["attachment_versions"] = _history(Attachment.history.filter(declaration_id=d.pk).order_by("history_id"))
    for a in attachments:
        at(a.uploaded_at, f"attachment {a.evidence}")
    commitments = list(d.commitments.order_by("accepted_at", "pk"))
    snap["commitments"] = [
        (
            c.version,
            c.text,
            c.language,
            c.signatory_name,
            c.signatory_capacity,
            _who(c.signed_by),
            c.ip_address,
            c.user_agent,
            c.content_hash,
            c.voided_at is not None,
            c.void_reason,
            commitment_covers(c, d),
        )
        for c in commitments
    ]
    snap["commitment_versions"] = _history(d.commitments.model.history.filter(declaration_id=d.pk))
    for c in commitments:
        at(c.accepted_at, "commitment signed")
        at(c.voided_at, "commitment voided")

    checks = list(d.acceptance_checks.order_by("checked_at", "pk"))
    snap["acceptance"] = [(c.items, c.outcome, c.note, _who(c.checked_by)) for c in checks]
    for c in checks:
        at(c.checked_at, f"acceptance {c.outcome}")
    snap["double_funding"] = [
        (m.record.project_title, m.similarity, m.judgement) for m in d.double_funding_matches.select_related("record")
    ]

    assignments = list(d.review_assignments.select_related("reviewer", "assigned_by").order_by("assigned_at", "pk"))
    reviewer_of = {a.pk: a.reviewer.username for a in assignments}
    snap["assignments"] = [
        (
            _who(a.reviewer),
            _who(a.assigned_by),
            a.score,
            a.opinion,
            a.submitted_at is not None,
            a.released_at,
            a.release_reason,
            [(s.criterion_id, s.score) for s in a.criterion_scores.order_by("criterion__position", "pk")],
        )
        for a in assignments
    ]
    for a in assignments:
        at(a.assigned_at, f"assigned {a.reviewer.username}")
        at(a.submitted_at, f"evaluation submitted {a.reviewer.username}")
    summary = getattr(d, "evaluation_summary", None) if hasattr(d, "evaluation_summary") else None
    snap["summary"] = summary and (
        summary.aggregation,
        summary.total,
        summary.spread,
        summary.evaluations,
        summary.assigned,
        summary.passed,
        summary.criteria_missed,
        sorted(reviewer_of[pk] for pk in summary.outliers),
        summary.has_outliers,
    )

    meetings = list(EvaluationMeeting.objects.filter(call=d.call).order_by("pk"))
    snap["meetings"] = [
        (
            m.held_on,
            m.place,
            m.minutes,
            _who(m.recorded_by),
            sorted(u.username for u in m.members_present.all()),
            _history(m.history.order_by("history_date", "history_id")),
        )
        for m in meetings
    ]
    for m in meetings:
        at(m.recorded_at, "meeting recorded")
    opinions = list(d.meeting_opinions.select_related("meeting").order_by("pk"))
    snap["opinions"] = [
        (
            o.meeting.held_on,
            o.opinion,
            o.scheme,
            o.proposed_amount,
            _who(o.recorded_by),
            _history(o.history.order_by("history_date", "history_id")),
        )
        for o in opinions
    ]
    for o in opinions:
        at(o.recorded_at, "opinion recorded")
    decision = getattr(d, "decision", None) if hasattr(d, "decision") else None
    snap["decision"] = decision and (
        decision.outcome,
        decision.amount,
        decision.award_cap,
        decision.reason,
        decision.opinion.scheme,
        decision.event.action,
        _who(decision.decided_by),
        sorted(a.reviewer.username for a in decision.evaluations.all()),
    )
    if decision:
        at(decision.decided_at, "decided")

    entry = getattr(d, "publicity_entry", None) if hasattr(d, "publicity_entry") else None
    snap["publicity"] = entry and (
        entry.batch.title,
        entry.batch.starts_on,
        entry.batch.ends_on,
        _who(entry.batch.opened_by),
        entry.batch.closed_at is not None,
        entry.batch.entries.count(),
        [
            (o.name, o.contact, o.text, o.state, o.response, _who(o.handled_by), o.handled_at is not None)
            for o in entry.objections.all()
        ],
    )
    if entry:
        at(entry.batch.opened_at, "publicity opened")
        at(entry.batch.closed_at, "publicity closed")
        for o in entry.objections.all():
            at(o.created_at, "objection raised")
            at(o.handled_at, "objection handled")
    snap["payments"] = [
        (p.amount, p.paid_on, pk_free(p.reference), _who(p.recorded_by)) for p in d.payments.order_by("pk")
    ]
    for p in d.payments.all():
        at(p.recorded_at, f"payment {pk_free(p.reference)}")
    cases = list(d.recovery_cases.select_related("opened_by").order_by("pk"))
    snap["recovery_cases"] = [
        (
            c.number,
            c.reason,
            c.amount_due,
            c.repaid_amount,
            c.due_on,
            c.barred_until,
            c.dishonest,
            c.state,
            _who(c.opened_by),
            [(e.action, e.from_state, e.to_state, _who(e.actor), e.note) for e in c.events.all()],
        )
        for c in cases
    ]
    for c in cases:
        at(c.opened_at, "recovery case opened")
    notices = list(d.notices.select_related("recipient").order_by("created_at", "pk"))

    # An objection's receipt number is random: the staff's notice of it names it. The staff's notice
    # of a submission names its time, which two runs of a slow test need not share.
    def receipt_free(text):
        text = re.sub(r"\bGS[A-Z0-9]{10}\b", "GS<receipt>", pk_free(text))
        return re.sub(r"\b\d{1,2}(:\d{2})? [ap]\.m\.|\bnoon\b|\bmidnight\b|\b\d{1,2}:\d{2}\b", "<time>", text)

    snap["notices"] = [
        (_who(n.recipient), receipt_free(n.subject), receipt_free(n.body), n.emailed_at, n.read_at) for n in notices
    ]
    for n in notices:
        at(n.created_at, f"notice to {n.recipient.username}")

    snap["timeline"] = [label for _moment, label in sorted(timeline, key=lambda item: item[0])]
    return snap


def _in_a_savepoint(make):
    """The snapshot of what make() leaves, then undone, so the next run starts from the same rows."""
    with transaction.atomic():
        snap = snapshot(make())
        transaction.set_rollback(True)
    return snap


def _draft(cast, call):
    return DeclarationFactory(
        organisation=cast.applicant.organisation, call=call, created_by=cast.applicant, title="Quantum sensing"
    )


def _walked(cast, call, state):
    return _in_a_savepoint(lambda: walk_to(_draft(cast, call), state, cast))


@pytest.mark.parametrize("state", list(PATHS))
def test_a_declaration_built_into_a_state_is_one_walked_there(state, cast, open_call):
    walked = _walked(cast, open_call, state)
    built = _in_a_savepoint(lambda: build_to(_draft(cast, open_call), state, cast=cast, through=PATHS[state][:-1]))

    assert built == walked
    assert built["declaration"][0] == state
    assert [event[2] for event in built["events"]] == PATHS[state]


# Each step of the walk: the state it starts from and the one it reaches.
STEPS = [(path[-2] if len(path) > 1 else S.DRAFT, state) for state, path in PATHS.items() if path]


@pytest.mark.parametrize(("start", "state"), STEPS, ids=[f"{start}-{state}" for start, state in STEPS])
def test_the_services_take_a_built_declaration_on_as_a_walked_one(start, state, cast, open_call):
    walked = _walked(cast, open_call, state)
    built_then_walked = _in_a_savepoint(
        lambda: walk_to(build_to(_draft(cast, open_call), start, cast=cast, through=PATHS[start][:-1]), state, cast)
    )

    assert built_then_walked == walked


def test_a_draft_made_ready_to_submit_is_one_completed_by_the_services(cast, open_call):
    def complete():
        draft = _draft(cast, open_call)
        complete_for_submission(draft, cast.applicant)
        return draft

    completed = _in_a_savepoint(complete)
    ready = _in_a_savepoint(lambda: ready_to_submit(_draft(cast, open_call), cast.applicant))

    assert ready == completed
    assert ready["declaration"][0] == S.DRAFT
    assert ready["attachments"] and ready["commitments"]


def test_build_to_takes_the_fewest_transitions_unless_told_which_states_to_pass():
    assert path_to(S.DRAFT, S.RECOVERED) == [
        S.SUBMITTED,
        S.ACCEPTED,
        S.UNDER_REVIEW,
        S.REVIEWED,
        S.APPROVED,
        S.IN_PUBLICITY,
        S.CONFIRMED,
        S.DISBURSING,
        S.RECOVERED,
    ]
    for state, path in PATHS.items():
        assert path_to(S.DRAFT, state, through=path[:-1]) == path
    assert path_to(S.SUBMITTED, S.SUBMITTED, through=[S.RETURNED]) == [S.RETURNED, S.SUBMITTED]
    with pytest.raises(ValueError, match="No transition"):
        path_to(S.PAID, S.SUBMITTED)


def test_a_declaration_recovered_while_disbursing_recovers_what_was_paid(cast, open_call):
    recovered = build_to(_draft(cast, open_call), S.RECOVERED, cast=cast)

    assert [e.to_state for e in recovered.events.all()][-2:] == [S.DISBURSING, S.RECOVERED]
    assert recovered.recovery_cases.get().amount_due == recovered.approved_amount / 2
    assert (recovered.cancelled_amount, recovered.recovered_amount) == (
        recovered.approved_amount / 2,
        recovered.approved_amount / 2,
    )


def test_a_recovery_is_built_only_after_a_payment_as_the_services_allow():
    assert path_to(S.APPROVED, S.RECOVERED)[-3:] == [S.CONFIRMED, S.DISBURSING, S.RECOVERED]
    assert path_to(S.APPROVED, S.TERMINATED) == [S.TERMINATED]
    assert path_to(S.TERMINATED, S.RECOVERED, paid=True) == [S.RECOVERED]
    with pytest.raises(ValueError, match="No transition"):
        path_to(S.TERMINATED, S.RECOVERED, paid=False)


def test_build_to_refuses_an_amount_above_the_award_cap_as_the_walk_does(cast, open_call):
    with pytest.raises(ValueError, match="cannot be approved"):
        build_to(_draft(cast, open_call), S.APPROVED, cast=cast, amount="900000000.00")
