"""A token's holder reads through the API exactly what they may open on the pages: the same rules and
visibility selectors; anonymous requests get 401 and no data."""

import pytest
import rules

from declarations.selectors import declarations_visible_to

ROLES = ["applicant", "other_applicant", "staff", "reviewer", "second_reviewer", "finance", "administrator"]
LISTS = ["/api/declarations/", "/api/payments/", "/api/recovery-cases/"]


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("who", ROLES)
def test_each_role_lists_exactly_the_declarations_its_rule_allows(
    request, declarations_of_every_kind, token_client, who
):
    user = request.getfixturevalue(who)
    allowed = {
        d.pk for d in declarations_of_every_kind.values() if rules.has_perm("declarations.view_declaration", user, d)
    }

    listed = ids(token_client(user).get("/api/declarations/"))

    assert listed == allowed == set(declarations_visible_to(user).values_list("pk", flat=True))


def test_an_applicants_token_sees_only_its_organisations_declarations(
    declarations_of_every_kind, applicant, token_client
):
    listed = ids(token_client(applicant).get("/api/declarations/"))

    assert listed == {declarations_of_every_kind["mine_draft"].pk, declarations_of_every_kind["mine"].pk}


def test_a_reviewers_token_sees_only_its_assigned_declarations(declarations_of_every_kind, reviewer, token_client):
    assert ids(token_client(reviewer).get("/api/declarations/")) == {declarations_of_every_kind["mine"].pk}


@pytest.mark.parametrize("who", ROLES)
def test_a_declaration_hidden_from_the_holder_is_a_404(request, declarations_of_every_kind, token_client, who):
    user = request.getfixturevalue(who)
    client = token_client(user)
    for declaration in declarations_of_every_kind.values():
        allowed = rules.has_perm("declarations.view_declaration", user, declaration)
        response = client.get(f"/api/declarations/{declaration.pk}/")
        assert response.status_code == (200 if allowed else 404), (who, declaration.state)


def test_a_hidden_declaration_asked_for_is_recorded_as_a_denial(declarations_of_every_kind, applicant, token_client):
    from accounts.models import SecurityEvent

    theirs = declarations_of_every_kind["theirs"]

    assert token_client(applicant).get(f"/api/declarations/{theirs.pk}/").status_code == 404
    assert SecurityEvent.objects.filter(kind="denied", actor=applicant, object_id=str(theirs.pk)).exists()


@pytest.mark.parametrize("path", [*LISTS, "/api/declarations/1/"])
def test_anonymous_requests_get_401_and_no_data(declarations_of_every_kind, client, path):
    response = client.get(path)

    assert response.status_code == 401
    assert "results" not in response.json() and "id" not in response.json()
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_wrong_token_gets_401(declarations_of_every_kind, client):
    response = client.get("/api/declarations/", HTTP_AUTHORIZATION="Bearer zgc_" + "0" * 60)

    assert response.status_code == 401


def test_a_session_is_not_an_api_credential(declarations_of_every_kind, client, applicant):
    client.force_login(applicant)

    assert client.get("/api/declarations/").status_code == 401


@pytest.mark.parametrize(
    ("who", "payments", "cases"),
    [
        ("applicant", 403, 403),
        ("reviewer", 403, 403),
        ("administrator", 403, 403),
        ("staff", 200, 200),
        ("finance", 200, 200),
    ],
)
def test_payments_and_recovery_cases_follow_the_finance_pages_permissions(
    request, declarations_of_every_kind, token_client, who, payments, cases
):
    user = request.getfixturevalue(who)
    client = token_client(user)

    assert (
        client.get("/api/payments/").status_code
        == payments
        == (200 if rules.has_perm("disbursement.view_money", user) else 403)
    )
    assert (
        client.get("/api/recovery-cases/").status_code
        == cases
        == (200 if rules.has_perm("disbursement.view_recovery_cases", user) else 403)
    )


@pytest.mark.parametrize("who", ["applicant", "reviewer", "administrator"])
def test_paid_and_recovered_amounts_are_only_for_those_who_see_the_money(
    request, declarations_of_every_kind, token_client, who
):
    rows = token_client(request.getfixturevalue(who)).get("/api/declarations/").json()["results"]

    assert rows
    assert all(row["paid_amount"] is None and row["recovered_amount"] is None for row in rows)


def test_an_applicant_reads_its_own_states_not_the_internal_steps(declarations_of_every_kind, applicant, token_client):
    client = token_client(applicant)
    mine = declarations_of_every_kind["mine"]  # under_review on the staff side

    row = client.get(f"/api/declarations/{mine.pk}/").json()

    assert (row["state"], row["state_label"]) == ("under_evaluation", "Under evaluation")
    assert ids(client.get("/api/declarations/?state=under_evaluation")) == {mine.pk}
    refused = client.get("/api/declarations/?state=under_review")
    assert refused.status_code == 400 and "state" in refused.json()


def test_staff_read_the_staff_states(declarations_of_every_kind, staff, token_client):
    mine = declarations_of_every_kind["mine"]

    row = token_client(staff).get(f"/api/declarations/{mine.pk}/").json()

    assert (row["state"], row["state_label"]) == ("under_review", "Under expert evaluation")


def test_the_applicants_state_groups_are_the_states_that_share_a_label():
    from collections import defaultdict

    from api.states import APPLICANT_GROUPS
    from declarations.enums import APPLICANT_LABELS

    by_label = defaultdict(set)
    for state, label in APPLICANT_LABELS.items():
        by_label[str(label)].add(state)

    assert [states for states in by_label.values() if len(states) > 1] == [set(s) for s in APPLICANT_GROUPS.values()]
