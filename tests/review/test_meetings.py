"""The commission's evaluation meeting (Art. 15 (2)): the record of the meeting, the members who
withdrew for a conflict, and the opinion and support scheme for each declaration discussed."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from common.messages import from_db
from config.demo import Cast
from declarations.enums import DeclarationState as S
from declarations.models import Declaration
from declarations.services import award_cap_refresh
from declarations.workflow import TransitionRefused
from review.meetings import (
    meeting_detail,
    meeting_record,
    meeting_update,
    meetings_for,
    opinion_record,
    opinions_for,
    withdrawal_record,
    withdrawal_remove,
)
from review.models import (
    EvaluationMeeting,
    EvaluationSummary,
    MeetingOpinion,
    MeetingWithdrawal,
    SupportScheme,
)
from review.services import declaration_decide_per_opinion
from tests.factories import CallFactory, DeclarationFactory, ReviewerFactory, StaffFactory
from tests.factories.states import build_to

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def cast(applicant, staff, reviewer, second_reviewer, finance, second_finance):
    return Cast(applicant, staff, [reviewer, second_reviewer], finance, approver=second_finance)


@pytest.fixture
def make_declaration(cast, open_call):
    """An ART6 declaration of the applicant's institution in `open_call`, built into `state`
    (8,000,000 invested: award cap 1,600,000.00)."""

    def make(state=S.REVIEWED, call=None, **kwargs):
        declaration = DeclarationFactory(
            organisation=cast.applicant.organisation, call=call or open_call, created_by=cast.applicant, **kwargs
        )
        return build_to(declaration, state, cast=cast)

    return make


@pytest.fixture
def meeting(staff, reviewer, second_reviewer, open_call):
    return meeting_record(
        actor=staff,
        call=open_call,
        held_on=TODAY(),
        place="Room 301",
        members=[staff, reviewer, second_reviewer],
        minutes="Eleven projects discussed.",
    )


def _errors(refusal):
    return {field: [str(m) for m in messages] for field, messages in refusal.value.message_dict.items()}


# --- recording the meeting -------------------------------------------------------------------------


def test_meeting_record_saves_the_meeting_with_its_members_and_a_history_naming_the_actor(staff, reviewer, open_call):
    meeting = meeting_record(
        actor=staff, call=open_call, held_on=TODAY(), place=" Room 301 ", members=[staff, reviewer], minutes="Notes"
    )

    meeting = EvaluationMeeting.objects.get(pk=meeting.pk)
    assert (meeting.call, meeting.held_on, meeting.place, meeting.minutes, meeting.recorded_by) == (
        open_call,
        TODAY(),
        "Room 301",
        "Notes",
        staff,
    )
    assert set(meeting.members_present.all()) == {staff, reviewer}
    assert {record.history_user for record in meeting.history.all()} == {staff}
    assert list(meetings_for(open_call)) == [meeting]
    assert list(meetings_for(CallFactory())) == []


def test_meeting_record_page_records_the_meeting_and_shows_it(client, staff, reviewer, open_call):
    client.force_login(staff)

    response = client.post(
        "/console/meetings/new/",
        {
            "call": open_call.pk,
            "held_on": TODAY().isoformat(),
            "place": "Room 301",
            "members": [staff.pk, reviewer.pk],
            "minutes": "Discussed the first round.",
        },
    )

    meeting = EvaluationMeeting.objects.get()
    assert response["Location"] == f"/console/meetings/{meeting.pk}/"
    page = client.get(response["Location"])
    assert page.context["detail"].members == sorted([staff, reviewer], key=lambda u: (u.role, u.last_name, u.username))
    assert "Discussed the first round." in page.content.decode()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"call": ""}, "call", "Choose the call whose declarations the meeting evaluated."),
        ({"held_on": ""}, "held_on", "Give the date the meeting was held."),
        ({"held_on": "2026-13-45"}, "held_on", "Enter a valid date."),
        ({"held_on": "tomorrow"}, "future", "is in the future: a meeting is recorded once it has been held."),
        ({"members": []}, "members", "Choose at least one member present."),
        ({"members": ["applicant"]}, "members", "cannot be a member of the meeting; reload the page."),
        ({"members": ["99999999999999999999"]}, "members", "cannot be a member of the meeting; reload the page."),
        ({"place": "x" * 201}, "place", "Ensure this value has at most 200 characters (it has 201)."),
    ],
)
def test_meeting_record_page_shows_each_error_at_its_field_keeping_the_input(
    client, staff, reviewer, applicant, open_call, change, field, message
):
    data = {
        "call": open_call.pk,
        "held_on": TODAY().isoformat(),
        "place": "Room 301",
        "members": [staff.pk, reviewer.pk],
        "minutes": "Kept as typed.",
    }
    if change.get("held_on") == "tomorrow":
        change = {"held_on": (TODAY() + datetime.timedelta(days=1)).isoformat()}
        field = "held_on"
    if change.get("members") == ["applicant"]:
        change = {"members": [applicant.pk]}
    data.update(change)
    client.force_login(staff)

    response = client.post("/console/meetings/new/", data)

    assert response.status_code == 200
    form = response.context["form"]
    assert message in form.errors[field][0]
    assert form.data["minutes"] == "Kept as typed."
    assert not EvaluationMeeting.objects.exists()


def test_meeting_record_refuses_members_who_are_neither_staff_nor_active_reviewers(staff, applicant, open_call):
    retired = ReviewerFactory(username="retired", is_active=False)

    with pytest.raises(ValidationError) as refusal:
        meeting_record(actor=staff, call=open_call, held_on=TODAY(), place="", members=[applicant, retired], minutes="")

    assert _errors(refusal) == {
        "members": [
            f"Only active commission staff and expert reviewers can be members of the meeting, not: "
            f"{applicant}, {retired}."
        ]
    }


@pytest.mark.parametrize("role", ["reviewer", "finance", "applicant"])
def test_meeting_services_refuse_anyone_but_commission_staff(request, role, meeting, make_declaration, staff):
    declaration = make_declaration()
    actor = request.getfixturevalue(role)

    with pytest.raises(TransitionRefused, match=r"You are not allowed to do this\."):
        meeting_record(actor=actor, call=meeting.call, held_on=TODAY(), place="", members=[staff], minutes="")
    with pytest.raises(TransitionRefused):
        meeting_update(meeting_id=meeting.pk, actor=actor, held_on=TODAY(), place="", members=[staff], minutes="")
    with pytest.raises(TransitionRefused):
        withdrawal_record(meeting_id=meeting.pk, actor=actor, member=staff, reason="Conflict")
    with pytest.raises(TransitionRefused):
        opinion_record(
            meeting_id=meeting.pk,
            declaration_id=declaration.pk,
            actor=actor,
            opinion="Support.",
            scheme=SupportScheme.SUPPORT,
            proposed_amount=Decimal("1.00"),
        )
    assert EvaluationMeeting.objects.count() == 1
    assert not MeetingOpinion.objects.exists()


def test_meeting_update_corrects_the_record_and_keeps_the_earlier_version(client, meeting, staff, reviewer):
    client.force_login(staff)

    response = client.post(
        f"/console/meetings/{meeting.pk}/edit/",
        {"held_on": TODAY().isoformat(), "place": "Room 502", "members": [staff.pk], "minutes": "Corrected."},
    )

    assert response["Location"] == f"/console/meetings/{meeting.pk}/"
    meeting.refresh_from_db()
    assert (meeting.place, meeting.minutes, list(meeting.members_present.all())) == ("Room 502", "Corrected.", [staff])
    assert meeting.history.earliest().place == "Room 301"
    assert meeting.history.latest().history_user == staff


def test_meeting_update_keeps_a_member_who_withdrew(meeting, staff, reviewer):
    withdrawal_record(meeting_id=meeting.pk, actor=staff, member=reviewer, reason="Former employer.")

    with pytest.raises(ValidationError) as refusal:
        meeting_update(meeting_id=meeting.pk, actor=staff, held_on=TODAY(), place="", members=[staff], minutes="")

    assert _errors(refusal) == {
        "members": [f"{reviewer} withdrew at this meeting for a conflict, so must stay among the members present."]
    }
    assert reviewer in meeting.members_present.all()


def test_meeting_update_keeps_a_member_who_has_left_since(client, meeting, staff, reviewer, second_reviewer):
    reviewer.is_active = False
    reviewer.save()
    client.force_login(staff)

    form = client.get(f"/console/meetings/{meeting.pk}/edit/").context["form"]
    response = client.post(
        f"/console/meetings/{meeting.pk}/edit/",
        {"held_on": TODAY().isoformat(), "place": "Room 502", "members": [staff.pk, reviewer.pk], "minutes": ""},
    )

    assert reviewer in form.fields["members"].queryset
    assert response["Location"] == f"/console/meetings/{meeting.pk}/"
    assert set(meeting.members_present.all()) == {staff, reviewer}


# --- withdrawals ---------------------------------------------------------------------------------------


def test_withdrawals_from_one_declaration_and_from_the_whole_meeting_are_recorded(
    client, meeting, staff, reviewer, second_reviewer, make_declaration
):
    declaration = make_declaration()
    client.force_login(staff)

    response = client.post(
        f"/console/meetings/{meeting.pk}/withdrawals/",
        {
            "withdrawal-member": reviewer.pk,
            "withdrawal-declaration": declaration.pk,
            "withdrawal-reason": "Advised the investee.",
        },
    )
    withdrawal_record(meeting_id=meeting.pk, actor=staff, member=second_reviewer, reason="Partner of the fund.")

    assert response["Location"] == f"/console/meetings/{meeting.pk}/#withdrawals"
    assert [(w.member, w.declaration, w.reason) for w in MeetingWithdrawal.objects.order_by("pk")] == [
        (reviewer, declaration, "Advised the investee."),
        (second_reviewer, None, "Partner of the fund."),
    ]
    detail = meeting_detail(meeting)
    assert detail.whole_meeting_withdrawals == {second_reviewer.pk}
    assert [from_db(record.history_change_reason) for record in meeting.history.order_by("history_id")][-2:] == [
        f"Withdrawal: {reviewer}, {declaration}",
        f"Withdrawal: {second_reviewer}, the whole meeting",
    ]
    assert meeting.history.latest().history_user == staff


def test_withdrawal_refuses_a_member_not_present_and_a_declaration_of_another_call(
    meeting, staff, make_declaration, open_call
):
    absent = ReviewerFactory(username="absent")
    elsewhere = make_declaration(call=CallFactory(title="Another call"))

    with pytest.raises(ValidationError) as refusal:
        withdrawal_record(meeting_id=meeting.pk, actor=staff, member=absent, declaration=elsewhere, reason=" ")

    assert _errors(refusal) == {
        "member": [f"{absent} is not among the members present at this meeting."],
        "declaration": [f"Declaration {elsewhere} is not of this meeting's call, {open_call}."],
        "reason": ["Give the conflict of interest the member withdrew for."],
    }
    assert not MeetingWithdrawal.objects.exists()


def test_withdrawal_is_recorded_once(meeting, staff, reviewer, second_reviewer, make_declaration):
    declaration = make_declaration()
    withdrawal_record(meeting_id=meeting.pk, actor=staff, member=reviewer, declaration=declaration, reason="A")
    withdrawal_record(meeting_id=meeting.pk, actor=staff, member=second_reviewer, reason="B")

    with pytest.raises(ValidationError) as again:
        withdrawal_record(meeting_id=meeting.pk, actor=staff, member=reviewer, declaration=declaration, reason="A")
    with pytest.raises(ValidationError) as whole:
        withdrawal_record(
            meeting_id=meeting.pk, actor=staff, member=second_reviewer, declaration=declaration, reason="B"
        )

    assert _errors(again) == {"member": [f"{reviewer} withdrew from the discussion of {declaration} already."]}
    assert _errors(whole) == {"member": [f"{second_reviewer} withdrew from the whole meeting already."]}
    assert MeetingWithdrawal.objects.count() == 2


def test_withdrawal_page_shows_errors_at_the_field_keeping_the_input(client, meeting, staff):
    outsider = StaffFactory(username="outsider")
    client.force_login(staff)

    response = client.post(
        f"/console/meetings/{meeting.pk}/withdrawals/",
        {"withdrawal-member": outsider.pk, "withdrawal-reason": ""},
    )

    assert response.status_code == 200
    form = response.context["withdrawal_form"]
    assert form.errors == {
        "member": ["Choose one of the members present."],
        "reason": ["Give the conflict of interest the member withdrew for."],
    }
    assert not MeetingWithdrawal.objects.exists()


def test_a_withdrawal_recorded_by_mistake_is_removed_with_the_reason_in_both_histories(
    client, meeting, staff, reviewer, make_declaration
):
    declaration = make_declaration()
    withdrawal = withdrawal_record(
        meeting_id=meeting.pk, actor=staff, member=reviewer, declaration=declaration, reason="Advised the investee."
    )
    client.force_login(staff)

    response = client.post(
        f"/console/meetings/{meeting.pk}/withdrawals/{withdrawal.pk}/remove/",
        {f"removal-{withdrawal.pk}-removal_reason": "Wrong member chosen."},
    )

    assert response["Location"] == f"/console/meetings/{meeting.pk}/#withdrawals"
    assert not MeetingWithdrawal.objects.exists()
    assert not meeting_detail(meeting).withdrawals
    # The withdrawal's own history keeps it, recorded then removed, each with the actor.
    records = list(MeetingWithdrawal.history.filter(id=withdrawal.pk).order_by("history_id"))
    assert [(r.history_type, r.history_user, from_db(r.history_change_reason)) for r in records] == [
        ("+", staff, "Withdrawal recorded"),
        ("-", staff, "Wrong member chosen."),
    ]
    assert records[-1].reason == "Advised the investee."
    latest = meeting.history.latest()
    assert from_db(latest.history_change_reason) == (
        f"Withdrawal removed: {reviewer}, {declaration} (Wrong member chosen.)"
    )
    # A message, read in the reader's language; the reason as typed.
    assert from_db(latest.history_change_reason).in_language("zh-hans") == (
        f"删除回避记录：{reviewer}，{declaration}（Wrong member chosen.）"
    )
    assert latest.history_user == staff


def test_removing_a_withdrawal_needs_a_reason_shown_at_its_field(client, meeting, staff, reviewer):
    withdrawal = withdrawal_record(meeting_id=meeting.pk, actor=staff, member=reviewer, reason="Partner.")
    client.force_login(staff)

    response = client.post(
        f"/console/meetings/{meeting.pk}/withdrawals/{withdrawal.pk}/remove/",
        {f"removal-{withdrawal.pk}-removal_reason": "  "},
    )

    assert response.status_code == 200
    ((shown, form),) = response.context["withdrawals"]
    assert shown == withdrawal
    assert form.errors == {"removal_reason": ["Say why the withdrawal is removed."]}
    html = response.content.decode()
    assert '<details class="small" open>' in html
    assert "Say why the withdrawal is removed." in html
    assert MeetingWithdrawal.objects.filter(pk=withdrawal.pk).exists()
    with pytest.raises(ValidationError) as refusal:
        withdrawal_remove(withdrawal_id=withdrawal.pk, actor=staff, reason="")
    assert _errors(refusal) == {"removal_reason": ["Say why the withdrawal is removed."]}


def test_removing_a_withdrawal_of_another_meeting_or_one_gone_is_not_found(
    client, meeting, staff, reviewer, second_reviewer, open_call
):
    other = meeting_record(
        actor=staff, call=open_call, held_on=TODAY(), place="Room 2", members=[staff, second_reviewer], minutes=""
    )
    elsewhere = withdrawal_record(meeting_id=other.pk, actor=staff, member=second_reviewer, reason="Partner.")
    client.force_login(staff)

    wrong_meeting = client.post(
        f"/console/meetings/{meeting.pk}/withdrawals/{elsewhere.pk}/remove/",
        {f"removal-{elsewhere.pk}-removal_reason": "x"},
    )
    gone = client.post(f"/console/meetings/{meeting.pk}/withdrawals/999999/remove/", {})

    assert (wrong_meeting.status_code, gone.status_code) == (404, 404)
    assert MeetingWithdrawal.objects.filter(pk=elsewhere.pk).exists()


def test_only_commission_staff_may_remove_a_withdrawal(meeting, staff, reviewer):
    withdrawal = withdrawal_record(meeting_id=meeting.pk, actor=staff, member=reviewer, reason="Partner.")

    with pytest.raises(TransitionRefused):
        withdrawal_remove(withdrawal_id=withdrawal.pk, actor=reviewer, reason="Mine.")

    assert MeetingWithdrawal.objects.filter(pk=withdrawal.pk).exists()


# --- opinions ------------------------------------------------------------------------------------------


def test_opinion_to_support_within_the_award_cap_is_recorded(meeting, staff, make_declaration):
    declaration = make_declaration()

    opinion = opinion_record(
        meeting_id=meeting.pk,
        declaration_id=declaration.pk,
        actor=staff,
        opinion="Sound first-round investment.",
        scheme=SupportScheme.SUPPORT,
        proposed_amount=Decimal("1600000.00"),
    )

    opinion = MeetingOpinion.objects.get(pk=opinion.pk)
    assert (opinion.meeting, opinion.declaration, opinion.scheme, opinion.proposed_amount, opinion.recorded_by) == (
        meeting,
        declaration,
        SupportScheme.SUPPORT,
        Decimal("1600000.00"),
        staff,
    )
    assert opinions_for(declaration) == [opinion]
    assert Declaration.objects.get(pk=declaration.pk).state == S.REVIEWED


def test_opinion_page_records_an_opinion_typed_with_separators(client, meeting, staff, make_declaration):
    declaration = make_declaration()
    client.force_login(staff)

    response = client.post(
        f"/console/meetings/{meeting.pk}/opinions/",
        {
            "opinion-declaration": declaration.pk,
            "opinion-scheme": "support",
            "opinion-proposed_amount": "1,200,000.00",
            "opinion-opinion": "Support at three quarters of the cap.",
        },
    )

    assert response["Location"] == f"/console/meetings/{meeting.pk}/#opinions"
    opinion = MeetingOpinion.objects.get()
    assert (opinion.scheme, opinion.proposed_amount) == ("support", Decimal("1200000.00"))
    page = client.get(response["Location"]).content.decode()
    assert "1,200,000.00" in page
    assert f'href="/console/{declaration.pk}/"' in page


def test_opinion_above_the_award_cap_is_refused_at_the_amount_field_with_the_cap_keeping_the_input(
    client, meeting, staff, make_declaration
):
    declaration = make_declaration()
    client.force_login(staff)

    response = client.post(
        f"/console/meetings/{meeting.pk}/opinions/",
        {
            "opinion-declaration": declaration.pk,
            "opinion-scheme": "support",
            "opinion-proposed_amount": "2,000,000.00",
            "opinion-opinion": "Full support.",
        },
    )

    assert response.status_code == 200
    form = response.context["opinion_form"]
    assert form.errors == {
        "proposed_amount": ["The proposed amount 2,000,000.00 yuan is above the award cap of 1,600,000.00 yuan."]
    }
    assert (form.data["opinion-opinion"], form.data["opinion-proposed_amount"]) == ("Full support.", "2,000,000.00")
    assert "above the award cap of 1,600,000.00 yuan" in response.content.decode()
    assert not MeetingOpinion.objects.exists()


@pytest.mark.parametrize(
    ("scheme", "amount", "message"),
    [
        ("not_support", Decimal("100.00"), "A declaration that is not supported carries no proposed amount"),
        ("support", None, "Give the proposed amount of support."),
        ("support", Decimal("0"), "The proposed amount must be more than zero."),
        ("support", Decimal("-5"), "The proposed amount must be more than zero."),
        ("support", Decimal("1.005"), "Give the proposed amount in yuan with at most two decimals."),
        ("support", Decimal("1E+30"), "is above the award cap of 1,600,000.00 yuan."),
    ],
)
def test_opinion_amount_must_suit_the_scheme(meeting, staff, make_declaration, scheme, amount, message):
    declaration = make_declaration()

    with pytest.raises(ValidationError) as refusal:
        opinion_record(
            meeting_id=meeting.pk,
            declaration_id=declaration.pk,
            actor=staff,
            opinion="Opinion.",
            scheme=scheme,
            proposed_amount=amount,
        )

    assert list(_errors(refusal)) == ["proposed_amount"]
    assert message in _errors(refusal)["proposed_amount"][0]
    assert not MeetingOpinion.objects.exists()


def test_opinion_not_to_support_carries_no_amount(meeting, staff, make_declaration):
    declaration = make_declaration()

    opinion = opinion_record(
        meeting_id=meeting.pk,
        declaration_id=declaration.pk,
        actor=staff,
        opinion="Below the pass mark.",
        scheme=SupportScheme.NOT_SUPPORT,
    )

    assert (opinion.scheme, MeetingOpinion.objects.get().proposed_amount) == ("not_support", None)


def test_opinion_page_refuses_an_amount_for_not_support_at_the_field(client, meeting, staff, make_declaration):
    declaration = make_declaration()
    client.force_login(staff)

    response = client.post(
        f"/console/meetings/{meeting.pk}/opinions/",
        {
            "opinion-declaration": declaration.pk,
            "opinion-scheme": "not_support",
            "opinion-proposed_amount": "5,000.00",
            "opinion-opinion": "Not supported.",
        },
    )

    assert response.context["opinion_form"].errors == {
        "proposed_amount": ["A declaration that is not supported carries no proposed amount: leave it empty."]
    }


def test_opinion_on_an_ineligible_declaration_is_refused_with_its_reasons(meeting, staff, make_declaration):
    declaration = make_declaration()
    Declaration.objects.filter(pk=declaration.pk).update(facts=declaration.facts | {"equity_ratio_after_pct": "51"})

    with pytest.raises(ValidationError) as refusal:
        opinion_record(
            meeting_id=meeting.pk,
            declaration_id=declaration.pk,
            actor=staff,
            opinion="Support.",
            scheme=SupportScheme.SUPPORT,
            proposed_amount=Decimal("1.00"),
        )

    assert _errors(refusal) == {
        "proposed_amount": [
            "The declaration is not eligible, so nothing may be approved: "
            "Art. 6 (2) 3: Equity ratio after the investment is 51%; it may be at most 50%."
        ]
    }


@pytest.mark.parametrize("state", [S.UNDER_REVIEW, S.APPROVED, S.NOT_SUPPORTED])
def test_opinion_is_refused_before_the_evaluation_is_complete_and_after_the_decision(
    meeting, staff, make_declaration, state
):
    declaration = make_declaration(state)

    with pytest.raises(ValidationError) as refusal:
        opinion_record(
            meeting_id=meeting.pk,
            declaration_id=declaration.pk,
            actor=staff,
            opinion="Support.",
            scheme=SupportScheme.NOT_SUPPORT,
        )

    assert _errors(refusal) == {
        "declaration": [
            "The meeting gives its opinion on declarations whose evaluation is complete and not yet decided; "
            f"{declaration} is “{declaration.get_state_display()}”."
        ]
    }


def test_opinion_on_a_declaration_of_another_call_is_refused(meeting, staff, make_declaration, open_call):
    elsewhere = make_declaration(call=CallFactory(title="Another call"))

    with pytest.raises(ValidationError) as refusal:
        opinion_record(
            meeting_id=meeting.pk,
            declaration_id=elsewhere.pk,
            actor=staff,
            opinion="Support.",
            scheme=SupportScheme.SUPPORT,
            proposed_amount=Decimal("1.00"),
        )

    assert _errors(refusal) == {"declaration": [f"Declaration {elsewhere} is not of this meeting's call, {open_call}."]}


def test_opinion_page_offers_only_reviewed_declarations_of_the_call(client, meeting, staff, make_declaration):
    reviewed = make_declaration()
    under_review = make_declaration(S.UNDER_REVIEW)
    elsewhere = make_declaration(call=CallFactory(title="Another call"))
    EvaluationSummary.objects.filter(declaration=reviewed).update(total=Decimal("84.50"))
    award_cap_refresh(declaration_id=reviewed.pk)
    client.force_login(staff)

    response = client.get(f"/console/meetings/{meeting.pk}/")
    refused = client.post(
        f"/console/meetings/{meeting.pk}/opinions/",
        {"opinion-declaration": under_review.pk, "opinion-scheme": "not_support", "opinion-opinion": "No."},
    )

    field = response.context["opinion_form"].fields["declaration"]
    [offered] = field.queryset
    assert offered == reviewed
    assert field.label_from_instance(offered) == (
        f"{reviewed.number} · {reviewed.organisation.name} · {reviewed.title} · weighted total 84.50 · "
        "award cap 1,600,000.00 yuan"
    )
    assert elsewhere not in field.queryset
    assert refused.context["opinion_form"].errors["declaration"] == [
        "This declaration is not awaiting the meeting's opinion: its evaluation must be complete and "
        "no decision taken yet."
    ]


def test_opinion_is_recorded_although_a_member_withdrew_for_the_declaration(meeting, staff, reviewer, make_declaration):
    declaration = make_declaration()
    withdrawal_record(meeting_id=meeting.pk, actor=staff, member=reviewer, declaration=declaration, reason="Advisor.")

    opinion_record(
        meeting_id=meeting.pk,
        declaration_id=declaration.pk,
        actor=staff,
        opinion="Support.",
        scheme=SupportScheme.SUPPORT,
        proposed_amount=Decimal("800000.00"),
    )

    [row] = meeting_detail(meeting).opinions
    assert (row.declaration, row.withdrawn) == (declaration, (reviewer,))


def test_opinion_update_keeps_its_history(meeting, staff, make_declaration):
    declaration = make_declaration()
    other_staff = StaffFactory(username="staff-b")
    first = opinion_record(
        meeting_id=meeting.pk,
        declaration_id=declaration.pk,
        actor=staff,
        opinion="Support.",
        scheme=SupportScheme.SUPPORT,
        proposed_amount=Decimal("1600000.00"),
    )

    second = opinion_record(
        meeting_id=meeting.pk,
        declaration_id=declaration.pk,
        actor=other_staff,
        opinion="On reflection, not supported.",
        scheme=SupportScheme.NOT_SUPPORT,
    )

    assert second.pk == first.pk
    assert MeetingOpinion.objects.count() == 1
    history = [
        (h.scheme, h.proposed_amount, h.opinion, h.history_user, from_db(h.history_change_reason))
        for h in first.history.order_by("history_id")
    ]
    assert history == [
        ("support", Decimal("1600000.00"), "Support.", staff, "Opinion recorded"),
        ("not_support", None, "On reflection, not supported.", other_staff, "Opinion corrected"),
    ]


def test_meeting_page_fills_the_opinion_form_to_correct_an_opinion(client, meeting, staff, make_declaration):
    declaration = make_declaration()
    opinion_record(
        meeting_id=meeting.pk,
        declaration_id=declaration.pk,
        actor=staff,
        opinion="Support.",
        scheme=SupportScheme.SUPPORT,
        proposed_amount=Decimal("1000000.00"),
    )
    client.force_login(staff)

    response = client.get(f"/console/meetings/{meeting.pk}/?declaration={declaration.pk}")

    assert response.context["opinion_form"].initial == {
        "declaration": declaration.pk,
        "scheme": "support",
        "proposed_amount": Decimal("1000000.00"),
        "opinion": "Support.",
    }
    assert 'value="1,000,000.00"' in response.content.decode()
    for garbage in ("abc", "-1", "99999999999999999999999", "", "²", "1.5"):
        assert client.get(f"/console/meetings/{meeting.pk}/?declaration={garbage}").status_code == 200
    assert client.get("/console/meetings/new/?call=²").status_code == 200


def test_meeting_page_shows_the_decision_taken_on_an_opinion(client, meeting, staff, make_declaration):
    declaration = make_declaration()
    opinion = opinion_record(
        meeting_id=meeting.pk,
        declaration_id=declaration.pk,
        actor=staff,
        opinion="Support.",
        scheme=SupportScheme.SUPPORT,
        proposed_amount=Decimal("1500000.00"),
    )
    declaration_decide_per_opinion(declaration_id=opinion.declaration_id, actor=staff)
    client.force_login(staff)

    response = client.get(f"/console/meetings/{meeting.pk}/")

    [row] = response.context["detail"].opinions
    assert (row.decision.amount, row.decision_rests_on_this_opinion, row.open_for_correction) == (
        Decimal("1500000.00"),
        True,
        False,
    )
    assert 'Support approved: <span class="amount">1,500,000.00</span>' in response.content.decode()


def test_earlier_meeting_page_shows_a_decision_taken_on_a_later_meetings_opinion(
    client, meeting, staff, make_declaration
):
    declaration = make_declaration()
    earlier = meeting_record(
        actor=staff,
        call=meeting.call,
        held_on=TODAY() - datetime.timedelta(days=7),
        place="",
        members=[staff],
        minutes="",
    )
    for held, amount in ((earlier, "1600000.00"), (meeting, "900000.00")):
        opinion_record(
            meeting_id=held.pk,
            declaration_id=declaration.pk,
            actor=staff,
            opinion=f"Support at {amount}.",
            scheme=SupportScheme.SUPPORT,
            proposed_amount=Decimal(amount),
        )
    declaration_decide_per_opinion(declaration_id=declaration.pk, actor=staff)
    client.force_login(staff)

    [on_earlier] = client.get(f"/console/meetings/{earlier.pk}/").context["detail"].opinions
    [on_latest] = client.get(f"/console/meetings/{meeting.pk}/").context["detail"].opinions

    assert (on_earlier.decision.amount, on_earlier.decision_rests_on_this_opinion) == (Decimal("900000.00"), False)
    assert on_latest.decision_rests_on_this_opinion is True
    assert [o.meeting for o in opinions_for(declaration)] == [meeting, earlier]


# --- the declaration page ----------------------------------------------------------------------------


def test_declaration_page_shows_staff_the_meeting_opinions_and_where_to_record_one(
    client, meeting, staff, make_declaration
):
    declaration = make_declaration()
    client.force_login(staff)
    before = client.get(f"/console/{declaration.pk}/")
    opinion_record(
        meeting_id=meeting.pk,
        declaration_id=declaration.pk,
        actor=staff,
        opinion="Sound investment, support in full.",
        scheme=SupportScheme.SUPPORT,
        proposed_amount=Decimal("1600000.00"),
    )

    after = client.get(f"/console/{declaration.pk}/")

    record_url = f"/console/meetings/{meeting.pk}/?declaration={declaration.pk}#record-opinion"
    assert before.context["meeting_section"]["record_url"] == record_url
    assert before.context["meeting_section"]["opinions"] == []
    content = after.content.decode()
    assert f'<a href="/console/meetings/{meeting.pk}/">' in content
    assert "Sound investment, support in full." in content
    assert "1,600,000.00" in content
    assert f'href="{record_url}">Record the meeting\'s opinion</a>' in content


def test_declaration_page_sends_staff_to_record_the_meeting_first_when_there_is_none(client, staff, make_declaration):
    declaration = make_declaration()
    client.force_login(staff)

    response = client.get(f"/console/{declaration.pk}/")

    section = response.context["meeting_section"]
    assert (section["record_url"], section["no_meeting_yet"]) == (
        f"/console/meetings/new/?call={declaration.call_id}",
        True,
    )
    new_page = client.get(section["record_url"])
    assert new_page.context["form"]["call"].value() == declaration.call_id


def test_declaration_page_shows_reviewers_nothing_of_the_meeting(client, meeting, staff, reviewer, make_declaration):
    declaration = make_declaration()
    opinion_record(
        meeting_id=meeting.pk,
        declaration_id=declaration.pk,
        actor=staff,
        opinion="A confidential opinion.",
        scheme=SupportScheme.NOT_SUPPORT,
    )
    client.force_login(reviewer)

    response = client.get(f"/console/{declaration.pk}/")

    assert response.status_code == 200
    assert "meeting_section" not in response.context
    assert "A confidential opinion." not in response.content.decode()


# --- who may see the meeting pages -------------------------------------------------------------------


def _meeting_requests(meeting, declaration, staff):
    return [
        ("get", "/console/meetings/", {}),
        ("get", "/console/meetings/new/", {}),
        ("post", "/console/meetings/new/", {"call": meeting.call_id, "held_on": "2026-01-05", "members": [staff.pk]}),
        ("get", f"/console/meetings/{meeting.pk}/", {}),
        ("get", f"/console/meetings/{meeting.pk}/edit/", {}),
        ("post", f"/console/meetings/{meeting.pk}/edit/", {"held_on": "2026-01-05", "members": [staff.pk]}),
        (
            "post",
            f"/console/meetings/{meeting.pk}/withdrawals/",
            {"withdrawal-member": staff.pk, "withdrawal-reason": "x"},
        ),
        (
            "post",
            f"/console/meetings/{meeting.pk}/opinions/",
            {"opinion-declaration": declaration.pk, "opinion-scheme": "not_support", "opinion-opinion": "x"},
        ),
        ("get", f"/console/meetings/{meeting.pk}/opinions/", {}),
    ]


@pytest.mark.parametrize("role", ["reviewer", "finance", "applicant", "administrator"])
def test_meeting_pages_and_actions_are_refused_to_everyone_but_commission_staff(
    client, request, role, meeting, staff, make_declaration
):
    declaration = make_declaration()
    client.force_login(request.getfixturevalue(role))

    statuses = {
        url: getattr(client, method)(url, data).status_code
        for method, url, data in _meeting_requests(meeting, declaration, staff)
    }

    assert set(statuses.values()) == {403}
    assert EvaluationMeeting.objects.count() == 1
    assert not MeetingWithdrawal.objects.exists()
    assert not MeetingOpinion.objects.exists()


def test_meeting_pages_send_anonymous_users_to_login(client, meeting):
    assert client.get("/console/meetings/")["Location"].startswith("/accounts/login/")
    assert client.get(f"/console/meetings/{meeting.pk}/")["Location"].startswith("/accounts/login/")


def test_meeting_pages_answer_404_for_a_meeting_that_does_not_exist(client, staff):
    client.force_login(staff)

    for url in ("/console/meetings/424242/", "/console/meetings/99999999999999999999999/edit/"):
        assert client.get(url).status_code == 404


def test_meeting_list_filters_by_call_and_ignores_garbage(client, meeting, staff, reviewer):
    other = meeting_record(
        actor=staff, call=CallFactory(title="Another call"), held_on=TODAY(), place="", members=[staff], minutes=""
    )
    client.force_login(staff)

    assert list(client.get("/console/meetings/").context["page"]) == [other, meeting]
    assert list(client.get(f"/console/meetings/?call={meeting.call_id}").context["page"]) == [meeting]
    for garbage in ("abc", "99999999999999999999999", "-1", "²"):
        response = client.get(f"/console/meetings/?call={garbage}&page=x")
        assert list(response.context["page"]) == [other, meeting]


# --- query counts ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 20])
def test_meeting_page_query_count_does_not_grow_with_opinions(
    client, meeting, staff, reviewer, applicant, open_call, count, django_assert_max_num_queries
):
    declarations = DeclarationFactory.create_batch(
        count, organisation=applicant.organisation, call=open_call, created_by=applicant
    )
    Declaration.objects.filter(pk__in=[d.pk for d in declarations]).update(state=S.REVIEWED)
    for n, declaration in enumerate(declarations):
        EvaluationSummary.objects.create(declaration=declaration, aggregation="mean", total=Decimal(70 + n))
        withdrawal_record(meeting_id=meeting.pk, actor=staff, member=reviewer, declaration=declaration, reason="x")
        opinion = opinion_record(
            meeting_id=meeting.pk,
            declaration_id=declaration.pk,
            actor=staff,
            opinion=f"Opinion {n}",
            scheme=SupportScheme.SUPPORT if n % 2 else SupportScheme.NOT_SUPPORT,
            proposed_amount=Decimal("1000.00") if n % 2 else None,
        )
        if n % 4 == 1:
            declaration_decide_per_opinion(declaration_id=opinion.declaration_id, actor=staff)
    client.force_login(staff)

    with django_assert_max_num_queries(11):
        response = client.get(f"/console/meetings/{meeting.pk}/")

    assert len(response.context["detail"].opinions) == count


@pytest.mark.parametrize("count", [3, 30])
def test_meeting_list_query_count_does_not_grow_with_meetings(
    client, staff, reviewer, open_call, count, django_assert_max_num_queries
):
    for _ in range(count):
        meeting_record(actor=staff, call=open_call, held_on=TODAY(), place="", members=[staff, reviewer], minutes="")
    client.force_login(staff)

    with django_assert_max_num_queries(6):
        response = client.get("/console/meetings/")

    assert len(response.context["page"]) == min(count, 25)
