"""The double-funding check of Art. 16: a declaration whose project resembles one its unit was
already granted municipal funds for is flagged, shown side by side and judged by staff."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from config.demo import Cast
from declarations.enums import DeclarationState as S
from declarations.models import Declaration
from declarations.workflow import TransitionRefused
from review.double_funding import (
    THRESHOLD,
    double_funding_check,
    match_judge,
    shared_segments,
    similarity,
    trigrams,
)
from review.models import DoubleFundingMatch, FundingRecord, MatchJudgement, Register
from review.registers import register_import
from tests.factories import DeclarationFactory, OrganisationFactory
from tests.factories.states import build_to

pytestmark = pytest.mark.django_db

# The factory's declarations read "First-round investment in project N" and this summary:
# "Early hard-technology investment in a quantum sensing start-up."
SIMILAR = {
    "project_title": "Quantum sensing start-up investment",
    "project_content": "Early hard-technology investment in a quantum sensing start-up company",
}
DISSIMILAR = {
    "project_title": "Rooftop solar panels for a logistics warehouse",
    "project_content": "Subsidy for installing photovoltaic panels",
}


@pytest.fixture
def cast(applicant, staff, reviewer, second_reviewer, finance, second_finance):
    return Cast(applicant, staff, [reviewer, second_reviewer], finance, approver=second_finance)


def funded(credit_code, **fields):
    values = {
        "organisation_name": "Organisation as granted",
        "channel": "Municipal Bureau of Economy and Information Technology",
        "amount": Decimal("500000.00"),
        "granted_on": datetime.date(2025, 6, 1),
        "reference": "JJX-2025-1",
        **SIMILAR,
        **fields,
    }
    return FundingRecord.objects.create(credit_code=credit_code, **values)


def _at(state, cast, **kwargs):
    declaration = DeclarationFactory(organisation=cast.applicant.organisation, created_by=cast.applicant, **kwargs)
    return build_to(declaration, state, cast=cast)


# --- The measure ---------------------------------------------------------------------------------


def test_trigrams_are_those_of_pg_trgm():
    assert trigrams("Cat, cat!") == {"  c", " ca", "cat", "at "}
    assert trigrams("a") == {"  a", " a "}
    assert trigrams("量子") == {"  量", " 量子", "量子 "}


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        # The values PostgreSQL 15's pg_trgm returns for the same pairs (C.UTF-8).
        ("Quantum sensing chip", "quantum sensing chips R&D", 0.7407407),
        ("量子传感芯片研发项目", "量子传感芯片的研发", 0.4),
        ("word", "WORD", 1.0),
        ("", "", 0.0),
        ("!!!", "abc", 0.0),
    ],
)
def test_similarity_is_that_of_pg_trgm(a, b, expected):
    assert round(similarity(a, b), 7) == expected


def test_shared_segments_mark_what_both_texts_have_and_keep_the_text_as_it_was():
    assert shared_segments("Quantum <b>sensing</b> chip", "quantum sensing") == [
        ("Quantum", True),
        (" <b>", False),
        ("sensing", True),
        ("</b> chip", False),
    ]
    assert shared_segments("量子传感芯片", "传感芯片研发") == [("量子", False), ("传感芯片", True)]
    assert shared_segments("", "anything") == []


# --- The check -----------------------------------------------------------------------------------


def test_a_similar_funded_project_of_the_same_unit_is_flagged(draft):
    Declaration.objects.filter(pk=draft.pk).update(title="First-round investment in project 1")
    record = funded(draft.organisation.credit_code)

    matches = double_funding_check(draft)

    assert [(m.record, m.similarity, m.judgement) for m in matches] == [
        (record, Decimal("0.667"), MatchJudgement.PENDING)
    ]
    assert matches[0].similarity >= THRESHOLD


def test_the_same_project_funded_for_another_unit_is_not_flagged(draft):
    funded(OrganisationFactory().credit_code)

    assert double_funding_check(draft) == []
    assert DoubleFundingMatch.objects.count() == 0


def test_a_dissimilar_funded_project_of_the_same_unit_is_not_flagged(draft):
    funded(draft.organisation.credit_code, **DISSIMILAR)

    assert double_funding_check(draft) == []


def test_the_judgement_is_kept_when_the_check_runs_again(draft, staff):
    record = funded(draft.organisation.credit_code)
    [match] = double_funding_check(draft)
    match_judge(match_id=match.pk, actor=staff, judgement="different_project", note="Another investee.")
    Declaration.objects.filter(pk=draft.pk).update(summary="Early hard-technology investment in quantum sensing.")

    [again] = double_funding_check(Declaration.objects.get(pk=draft.pk))

    assert (again.pk, again.record, again.judgement, again.judgement_note, again.judged_by) == (
        match.pk,
        record,
        MatchJudgement.DIFFERENT_PROJECT,
        "Another investee.",
        staff,
    )
    assert again.similarity != match.similarity


def test_a_match_no_longer_similar_is_dropped_unless_it_was_judged(draft, staff):
    judged = funded(draft.organisation.credit_code)
    pending = funded(draft.organisation.credit_code, project_title="Quantum sensing start-up investment, phase 2")
    first = {m.record_id: m for m in double_funding_check(draft)}
    match_judge(match_id=first[judged.pk].pk, actor=staff, judgement="same_project", note="The same investment.")
    Declaration.objects.filter(pk=draft.pk).update(title="Rooftop solar", summary="Photovoltaic panels.")

    matches = double_funding_check(Declaration.objects.get(pk=draft.pk))

    assert [(m.record, m.judgement) for m in matches] == [(judged, MatchJudgement.SAME_PROJECT)]
    assert not DoubleFundingMatch.objects.filter(record=pending).exists()


def test_accepting_a_declaration_runs_the_check(cast):
    funded(cast.applicant.organisation.credit_code)

    declaration = _at(S.ACCEPTED, cast)

    assert [m.judgement for m in declaration.double_funding_matches.all()] == [MatchJudgement.PENDING]


def test_a_funding_import_flags_the_open_declarations_of_the_units_it_names(
    cast, staff, draft, django_capture_on_commit_callbacks
):
    submitted = _at(S.SUBMITTED, cast)
    other_unit = DeclarationFactory()
    Declaration.objects.filter(pk=other_unit.pk).update(state=S.SUBMITTED)
    code = cast.applicant.organisation.credit_code
    text = (
        "credit_code,organisation_name,project_title,project_content,channel,amount,granted_on\n"
        f"{code},Unit,{SIMILAR['project_title']},{SIMILAR['project_content']},Bureau,500000,2025-06-01\n"
    )

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = register_import(
            register=Register.FUNDING, uploaded_file=SimpleUploadedFile("funds.csv", text.encode()), actor=staff
        )

    assert (report.imported, len(callbacks)) == (1, 1)
    assert list(DoubleFundingMatch.objects.values_list("declaration", "record__imported_from")) == [
        (submitted.pk, report.register_import.pk)
    ]


def test_a_funding_import_of_rows_already_known_queues_nothing(staff, django_capture_on_commit_callbacks):
    funded("91110108000000001A")
    text = (
        "credit_code,organisation_name,project_title,project_content,channel,amount,granted_on,reference\n"
        "91110108000000001A,Organisation as granted,"
        f"{SIMILAR['project_title']},{SIMILAR['project_content']},"
        "Municipal Bureau of Economy and Information Technology,500000.00,2025-06-01,JJX-2025-1\n"
    )

    with django_capture_on_commit_callbacks() as callbacks:
        report = register_import(
            register=Register.FUNDING, uploaded_file=SimpleUploadedFile("again.csv", text.encode()), actor=staff
        )

    assert (report.imported, report.skipped, callbacks) == (0, 1, [])


# --- The judgement -------------------------------------------------------------------------------


@pytest.fixture
def match(draft):
    funded(draft.organisation.credit_code)
    return double_funding_check(draft)[0]


def test_staff_judge_a_match_and_history_keeps_who_did(match, staff):
    judged = match_judge(match_id=match.pk, actor=staff, judgement="same_project", note="  Same investee.  ")

    assert (judged.judgement, judged.judgement_note, judged.judged_by) == (
        MatchJudgement.SAME_PROJECT,
        "Same investee.",
        staff,
    )
    assert judged.judged_at is not None
    latest = judged.history.first()
    assert (latest.judgement, latest.history_user) == (MatchJudgement.SAME_PROJECT, staff)


@pytest.mark.parametrize(
    ("judgement", "note", "field"),
    [("pending", "x", "judgement"), ("maybe", "x", "judgement"), ("same_project", "   ", "note")],
)
def test_a_judgement_needs_a_verdict_and_a_reason(match, staff, judgement, note, field):
    with pytest.raises(TransitionRefused) as refusal:
        match_judge(match_id=match.pk, actor=staff, judgement=judgement, note=note)

    assert refusal.value.field == field
    assert DoubleFundingMatch.objects.get(pk=match.pk).judgement == MatchJudgement.PENDING


@pytest.mark.parametrize("role", ["reviewer", "finance", "applicant", "administrator"])
def test_only_staff_judge(match, request, role):
    with pytest.raises(TransitionRefused, match="Only commission staff"):
        match_judge(match_id=match.pk, actor=request.getfixturevalue(role), judgement="same_project", note="x")


# --- Pages ---------------------------------------------------------------------------------------


@pytest.fixture
def flagged(cast):
    """A submitted declaration with one possible double funding whose content holds markup."""
    declaration = _at(S.SUBMITTED, cast)
    funded(
        declaration.organisation.credit_code,
        project_content="Early hard-technology investment in a quantum sensing <script>alert(1)</script> start-up",
    )
    double_funding_check(declaration)
    return declaration


def test_the_side_by_side_page_shows_both_texts_with_what_they_share_marked(client, staff, flagged):
    client.force_login(staff)

    response = client.get(f"/console/{flagged.pk}/double-funding/")

    page = response.content.decode()
    [row] = response.context["comparisons"]
    assert row["percent"] == int(row["match"].similarity * 100 + Decimal("0.5"))
    marked = '<mark class="px-0">{}</mark>'.format
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    shared = f"{marked('quantum')} {marked('sensing')} {escaped} {marked('start')}-{marked('up')}"
    assert shared in page
    assert "<script>alert(1)</script>" not in page
    assert "500,000.00" in page
    assert "JJX-2025-1" in page


def test_staff_judge_from_the_side_by_side_page(client, staff, flagged):
    match = flagged.double_funding_matches.get()
    client.force_login(staff)
    prefix = f"match-{match.pk}"

    response = client.post(
        f"/console/{flagged.pk}/double-funding/",
        {"match": match.pk, f"{prefix}-judgement": "different_project", f"{prefix}-note": "Another investee."},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == ["Judgement recorded."]
    match.refresh_from_db()
    assert (match.judgement, match.judged_by) == (MatchJudgement.DIFFERENT_PROJECT, staff)


def test_a_judgement_without_a_reason_is_shown_at_the_fields(client, staff, flagged):
    match = flagged.double_funding_matches.get()
    client.force_login(staff)
    prefix = f"match-{match.pk}"

    response = client.post(
        f"/console/{flagged.pk}/double-funding/", {"match": match.pk, f"{prefix}-judgement": "pending"}
    )

    assert response.status_code == 200
    [row] = response.context["comparisons"]
    assert row["form"].errors == {
        "judgement": ["Select a valid choice. pending is not one of the available choices."],
        "note": ["This field is required."],
    }
    assert DoubleFundingMatch.objects.get(pk=match.pk).judgement == MatchJudgement.PENDING


@pytest.mark.parametrize("match_id", ["", "abc", "0", "99999999", str(2**70)])
def test_a_judgement_of_a_match_not_on_the_page_is_404(client, staff, flagged, match_id):
    client.force_login(staff)

    response = client.post(f"/console/{flagged.pk}/double-funding/", {"match": match_id})

    assert response.status_code == 404


def test_staff_run_the_check_again_from_the_declaration_page(client, staff, cast):
    declaration = _at(S.SUBMITTED, cast)
    funded(declaration.organisation.credit_code)
    client.force_login(staff)

    response = client.post(f"/console/{declaration.pk}/double-funding/check/", follow=True)

    assert response.redirect_chain == [(f"/console/{declaration.pk}/", 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Double-funding check run: 1 possible double funding, 1 to be judged."
    ]
    assert response.context["double_funding"].total == 1
    assert "1 possible double funding, 1 to be judged." in response.content.decode()


def test_the_declaration_page_says_when_nothing_resembles_the_declaration(client, staff, cast):
    declaration = _at(S.SUBMITTED, cast)
    client.force_login(staff)

    page = client.get(f"/console/{declaration.pk}/").content.decode()

    assert "No funded project of this unit resembles this declaration." in page
    assert "Run the check again" in page


def test_reviewers_see_no_double_funding_card(client, reviewer, cast):
    declaration = _at(S.UNDER_REVIEW, cast)
    funded(declaration.organisation.credit_code)
    double_funding_check(declaration)
    client.force_login(reviewer)

    response = client.get(f"/console/{declaration.pk}/")

    assert response.status_code == 200
    assert "double_funding" not in response.context
    assert "Double funding (Art. 16)" not in response.content.decode()


@pytest.mark.parametrize("role", ["reviewer", "finance", "applicant", "administrator"])
def test_the_double_funding_pages_are_refused_to_everyone_but_staff(client, request, flagged, role, cast):
    build_to(flagged, S.UNDER_REVIEW, cast=cast)  # the reviewer is assigned: still 403
    match = flagged.double_funding_matches.get()
    client.force_login(request.getfixturevalue(role))
    prefix = f"match-{match.pk}"

    statuses = [
        client.get(f"/console/{flagged.pk}/double-funding/").status_code,
        client.post(
            f"/console/{flagged.pk}/double-funding/",
            {"match": match.pk, f"{prefix}-judgement": "same_project", f"{prefix}-note": "x"},
        ).status_code,
        client.post(f"/console/{flagged.pk}/double-funding/check/").status_code,
    ]

    assert statuses == [403, 403, 403]
    assert DoubleFundingMatch.objects.get(pk=match.pk).judgement == MatchJudgement.PENDING


def test_staff_get_404_for_a_declaration_they_may_not_see(client, staff, draft):
    funded(draft.organisation.credit_code)
    client.force_login(staff)

    assert client.get(f"/console/{draft.pk}/double-funding/").status_code == 404
    assert client.post(f"/console/{draft.pk}/double-funding/check/").status_code == 404
    assert DoubleFundingMatch.objects.count() == 0


@pytest.mark.parametrize("count", [1, 12])
def test_side_by_side_query_count_does_not_grow_with_matches(client, staff, cast, count, django_assert_max_num_queries):
    declaration = _at(S.SUBMITTED, cast)
    for n in range(count):
        funded(declaration.organisation.credit_code, reference=f"JJX-{n}")
    assert len(double_funding_check(declaration)) == count
    client.force_login(staff)

    with django_assert_max_num_queries(6):
        response = client.get(f"/console/{declaration.pk}/double-funding/")

    assert len(response.context["comparisons"]) == count


# --- PostgreSQL ----------------------------------------------------------------------------------


@pytest.mark.postgres
def test_postgresql_trigram_similarity_agrees_with_the_python_measure(draft):
    """PostgreSQL only: the check's similarity comes from pg_trgm there, and flags the same records
    with the same similarity as the SQLite fallback."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's pg_trgm (DATABASE_URL=postgres://...)")
    code = draft.organisation.credit_code
    records = [
        funded(code),
        funded(code, **DISSIMILAR),
        funded(code, project_title="量子传感芯片研发项目", project_content=""),
        funded(code, project_title="Quantum sensing", project_content="hard-technology start-up"),
    ]
    Declaration.objects.filter(pk=draft.pk).update(summary=draft.summary + " 量子传感芯片的研发")
    draft.refresh_from_db()
    text = f"{draft.title} {draft.summary}"
    expected = {
        r.pk: Decimal(str(round(similarity(text, f"{r.project_title} {r.project_content}"), 3))) for r in records
    }

    matches = double_funding_check(draft)

    assert {m.record_id: m.similarity for m in matches} == {pk: v for pk, v in expected.items() if v >= THRESHOLD}
    assert len(matches) >= 1
