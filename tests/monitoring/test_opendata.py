"""Open data (Art. 3, issue 16 item 4): the public results by year and programme, and every
confirmed award as CSV and JSON shaped after the 360Giving grant fields, validated against a JSON
Schema here; never a classified project, never an award that was not confirmed after publicity;
streamed in a constant number of queries; formula-neutralised CSV cells."""

import csv
import io
import itertools
import json
from decimal import Decimal

import jsonschema
import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext

from config.demo import PATHS, Cast
from declarations.enums import DeclarationState as S
from declarations.models import Declaration
from monitoring.opendata import award_list, grants
from tests.factories import CallFactory, DeclarationFactory

pytestmark = pytest.mark.django_db

URL = "/monitoring/open-data/"
APPROVED = Decimal("1600000.00")

AMOUNT = {"type": "number", "minimum": 0, "multipleOf": 0.01}
DATE = {"type": ["string", "null"], "pattern": r"^\d{4}-\d{2}-\d{2}$"}
ORGANISATION = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["id", "name"],
        "properties": {"id": {"type": "string", "minLength": 1}, "name": {"type": "string", "minLength": 1}},
    },
}
# The 360Giving grant fields used, with the ones this publisher adds.
GRANT_SCHEMA = {
    "type": "object",
    "required": [
        "id",
        "title",
        "description",
        "currency",
        "amountAwarded",
        "amountDisbursed",
        "awardDate",
        "recipientOrganization",
        "fundingOrganization",
        "grantProgramme",
        "status",
    ],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "pattern": "^360G-bjkw-.+"},
        "title": {"type": "string", "minLength": 1},
        "description": {"type": "string"},
        "currency": {"const": "CNY"},
        "amountAwarded": AMOUNT,
        "amountDisbursed": AMOUNT,
        "awardDate": {**DATE, "type": "string"},
        "approvalDate": DATE,
        "firstPaymentDate": DATE,
        "lastPaymentDate": DATE,
        "status": {"enum": ["confirmed", "disbursing", "paid", "stopped", "terminated", "recovered"]},
        "supportYear": {"type": "integer"},
        "recipientOrganization": {
            **ORGANISATION,
            "items": {
                **ORGANISATION["items"],
                "properties": {
                    "id": {"type": "string", "pattern": r"^CN-USCC-[0-9A-Z]{18}$"},
                    "name": {"type": "string"},
                },
            },
        },
        "fundingOrganization": ORGANISATION,
        "grantProgramme": {
            "type": "array",
            "minItems": 1,
            "items": {"type": "object", "required": ["code", "title"]},
        },
    },
}
PACKAGE_SCHEMA = {
    "type": "object",
    "required": ["grants"],
    "additionalProperties": False,
    "properties": {"grants": {"type": "array", "items": GRANT_SCHEMA}},
}
# A CSV row, by the 360Giving spreadsheet titles.
CSV_ROW_SCHEMA = {
    "type": "object",
    "required": [
        "Identifier",
        "Title",
        "Currency",
        "Amount Awarded",
        "Amount Disbursed",
        "Award Date",
        "Recipient Org:Identifier",
        "Recipient Org:Name",
        "Funding Org:Identifier",
        "Funding Org:Name",
        "Grant Programme:Code",
        "Grant Programme:Title",
    ],
    "properties": {
        "Identifier": {"type": "string", "pattern": "^360G-bjkw-.+"},
        "Currency": {"const": "CNY"},
        "Amount Awarded": {"type": "string", "pattern": r"^\d+\.\d{2}$"},
        "Amount Disbursed": {"type": "string", "pattern": r"^\d+\.\d{2}$"},
        "Award Date": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        "Recipient Org:Identifier": {"type": "string", "pattern": r"^CN-USCC-[0-9A-Z]{18}$"},
        "Status": {"enum": ["confirmed", "disbursing", "paid", "stopped", "terminated", "recovered"]},
    },
}


@pytest.fixture
def cast(applicant, staff, reviewer, second_reviewer, finance, second_finance):
    return Cast(applicant, staff, [reviewer, second_reviewer], finance, approver=second_finance)


@pytest.fixture
def awards(cast, open_call):
    """Declarations in every state that matters here, each under a call of its own year (the Art. 6
    cap per institution and year leaves room for all): name -> declaration."""
    years = itertools.count(open_call.year)

    def make(state, *, through=None, **kwargs):
        call = CallFactory(year=next(years))
        declaration = DeclarationFactory(
            organisation=cast.applicant.organisation, call=call, created_by=cast.applicant, **kwargs
        )
        path = PATHS[state][:-1] if through is None else through
        return build(declaration, state, path)

    def build(declaration, state, through):
        from tests.factories.states import build_to

        return build_to(declaration, state, cast=cast, amount=APPROVED, through=through)

    made = {
        "confirmed": make(S.CONFIRMED),
        "paid": make(S.PAID),
        "disbursing": make(S.DISBURSING, title="=HYPERLINK(1)"),
        "stopped": make(S.STOPPED, through=[S.CONFIRMED]),
        "classified": make(S.PAID, classified=True),
        "approved": make(S.APPROVED),
        "in_publicity": make(S.IN_PUBLICITY),
        "objection_upheld": make(S.OBJECTION_UPHELD),
        "terminated_unconfirmed": make(S.TERMINATED, through=[S.APPROVED]),
        "not_supported": make(S.NOT_SUPPORTED),
    }
    return made


PUBLISHED = {"confirmed", "paid", "disbursing", "stopped"}


def _ids(made, names):
    return {f"360G-bjkw-{made[name].number}" for name in names}


def _json(client, query=""):
    response = client.get(URL + "awards.json" + query)
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(b"".join(response.streaming_content))


def _csv(client, query=""):
    response = client.get(URL + "awards.csv" + query)
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_the_json_holds_every_confirmed_award_and_nothing_else(client, awards):
    package = _json(client)
    jsonschema.validate(package, PACKAGE_SCHEMA)
    assert {grant["id"] for grant in package["grants"]} == _ids(awards, PUBLISHED)
    by_id = {grant["id"]: grant for grant in package["grants"]}
    paid = by_id[f"360G-bjkw-{awards['paid'].number}"]
    assert paid["amountAwarded"] == 1600000 and paid["amountDisbursed"] == 1600000 and paid["status"] == "paid"
    assert paid["recipientOrganization"][0] == {
        "id": f"CN-USCC-{awards['paid'].organisation.credit_code}",
        "name": awards["paid"].organisation.name,
    }
    assert paid["grantProgramme"][0]["code"] == "ART6"
    assert by_id[f"360G-bjkw-{awards['disbursing'].number}"]["amountDisbursed"] == 800000
    stopped = by_id[f"360G-bjkw-{awards['stopped'].number}"]
    assert stopped["status"] == "stopped" and stopped["amountDisbursed"] == 0


def test_the_csv_holds_the_same_awards_with_neutralised_cells(client, awards):
    rows = _csv(client)
    for row in rows:
        jsonschema.validate(row, CSV_ROW_SCHEMA)
    assert {row["Identifier"] for row in rows} == _ids(awards, PUBLISHED)
    titles = {row["Title"] for row in rows}
    assert "'=HYPERLINK(1)" in titles and "=HYPERLINK(1)" not in titles


def test_a_classified_or_unconfirmed_project_never_appears_anywhere(client, awards):
    hidden = [awards[name] for name in awards if name not in PUBLISHED]
    package = json.dumps(_json(client), ensure_ascii=False)
    csv_text = json.dumps(_csv(client), ensure_ascii=False)
    page = client.get(URL).content.decode()
    for declaration in hidden:
        assert declaration.number not in package and declaration.number not in csv_text
        assert declaration.title not in package
    # Classified later, gone at once.
    Declaration.objects.filter(pk=awards["paid"].pk).update(classified=True)
    assert awards["paid"].number not in json.dumps(_json(client))
    assert "ZGC-" not in page


def test_one_year_of_awards_can_be_asked(client, awards):
    year = awards["paid"].call.year
    assert {grant["id"] for grant in _json(client, f"?year={year}")["grants"]} == _ids(awards, {"paid"})
    assert [row["Identifier"] for row in _csv(client, f"?year={year}")] == sorted(_ids(awards, {"paid"}))


@pytest.mark.parametrize("query", ["?year=abc", "?year=1999", "?year=99999999999999999999"])
def test_a_wrong_year_is_told_not_a_server_error(client, awards, query):
    for path in ("awards.json", "awards.csv", ""):
        response = client.get(URL + path + query)
        assert response.status_code == 400
        assert response.context["form"].errors["year"]


def test_the_awards_are_read_in_one_query_whatever_their_number(awards, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert len(list(grants())) == len(PUBLISHED)
    assert award_list().query.select_related  # organisation, programme and call come with the rows


def test_the_public_page_needs_no_sign_in_and_counts_confirmed_awards_only(client, awards):
    year = awards["paid"].call.year
    response = client.get(URL, {"year": year})
    assert response.status_code == 200
    results = response.context["results"]
    art6 = next(row for row in results.programmes if row.programme.code == "ART6")
    assert (art6.received, art6.awards, art6.awarded, art6.paid) == (1, 1, APPROVED, APPROVED)
    page = response.content.decode()
    assert "1,600,000.00" in page and 'href="/monitoring/open-data/awards.csv?year=' in page
    # The classified project's year: received is counted, the award is not.
    classified = client.get(URL, {"year": awards["classified"].call.year}).context["results"]
    art6 = next(row for row in classified.programmes if row.programme.code == "ART6")
    assert (art6.received, art6.awards, art6.awarded, art6.paid) == (1, 0, 0, 0)


def test_the_public_page_defaults_to_the_latest_year_in_a_constant_number_of_queries(client, awards):
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    CallFactory(year=2099, budgets=False)
    with CaptureQueriesContext(connection) as more:
        response = client.get(URL)
    assert response.context["results"].year == 2099
    assert len(few.captured_queries) == len(more.captured_queries)


def test_the_site_menu_links_the_open_data(client, open_call):
    assert 'href="/monitoring/open-data/"' in client.get("/").content.decode()


ODD_INPUTS = ["\x00", "1e400", "NaN", "\uff12\uff10\uff12\uff16", "-1", " 1 ", "9" * 40, "<script>"]


@pytest.mark.parametrize("value", ODD_INPUTS)
def test_odd_input_is_a_message_never_a_server_error(client, staff, open_call, value):
    for path in ("", "awards.csv", "awards.json"):
        response = client.get(URL + path, {"year": value})
        assert response.status_code == 400 and response.context["form"].errors["year"]
    client.force_login(staff)
    for path in ("/monitoring/statistics/", "/monitoring/statistics/export.xlsx"):
        for name in ("year", "call"):
            response = client.get(path, {name: value})
            assert response.status_code == 400 and response.context["form"].errors[name]


def test_the_funder_is_the_commission_under_the_id_the_deployment_names(client, awards, settings):
    settings.OPEN_DATA_FUNDER_ID = "CN-USCC-11110000000000000X"

    funders = {
        (funder["id"], funder["name"]) for grant in _json(client)["grants"] for funder in grant["fundingOrganization"]
    }

    assert funders == {("CN-USCC-11110000000000000X", "北京市科学技术委员会、中关村科技园区管理委员会")}
