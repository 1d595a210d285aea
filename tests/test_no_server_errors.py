"""Generated input into every form of the path: wrong input gets a message, never a server error,
and never loses what was saved before.

Each applicant form is fed text, control characters, NUL bytes, numbers out of range, 1e400, NaN,
full-width digits, malformed and misordered dates, random files and ids no row has. The client
keeps raising the view's exceptions, so a server error fails the test with its traceback.
"""

import decimal
import io
import string

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from common.forms import MoneyField
from config.demo import Cast, complete_for_submission, evidence_pdf
from declarations.enums import DeclarationState as S
from declarations.enums import District, OrganisationType, SignatoryCapacity
from declarations.evidence import EVIDENCE
from declarations.forms import FactsForm, OrganisationForm
from declarations.models import Attachment, Declaration, Organisation, Programme
from declarations.programmes import PROGRAMMES, Kind
from declarations.services import ORGANISATION_FIELDS, attachment_add, commitment_sign, declaration_submit
from declarations.signup import OrganisationSignupForm
from tests.factories import CallFactory, DeclarationFactory, credit_code_for
from tests.factories.states import build_to

junk = st.one_of(
    st.text(max_size=300),
    st.just(""),
    st.sampled_from(["-1", "0", "1e309", "NaN", "Infinity", "1,2,3", "9" * 40, "2026-02-30", "<script>", "\uff10"]),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.decimals(allow_nan=False).map(str),
)

FACT_FIELDS = [f"facts-{fact.name}" for fact in PROGRAMMES["ART6"].facts]
# allauth's own fields, then the organisation's, taken from the form so a new field is fed too.
SIGNUP_FIELDS = ["username", "email", "password1", "password2", *OrganisationSignupForm.base_fields]
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
# The applicant's forms: one request or two per example, a fresh declaration for most.
FORM_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _clean(value):
    return value.replace("\x00", "")


# --- Strategies for the applicant's forms ---------------------------------------------------------

# Control characters, NUL included, alone or inside text.
control = st.text(alphabet=st.characters(max_codepoint=0x1F) | st.sampled_from("\x7f\x85\u2028\u2029\ufeff"))
text_input = st.one_of(
    st.text(max_size=300),
    st.just(""),
    control,
    st.builds(lambda a, b, c: a + b + c, st.text(max_size=20), control, st.text(max_size=20)),
    # Around the 100-, 200-, 2,000- and 5,000-character limits.
    st.builds(lambda ch, n: ch * n, st.sampled_from(["x", "数", " ", "\U0001f600"]), st.integers(95, 5010)),
    st.sampled_from(["<script>alert(1)</script>", "{{ 7|add:7 }}", "' OR 1=1 --", "\u202etxt.exe", "   "]),
)
number_input = st.one_of(
    st.sampled_from(
        [
            "",
            "-1",
            "-0",
            "0",
            "0.005",
            "1e400",
            "-1e400",
            "1e309",
            "1E+15",
            "NaN",
            "-NaN",
            "sNaN",
            "nan",
            "Infinity",
            "-Infinity",
            "inf",
            "\uff11\uff12\uff13",  # full-width 123
            "\uff11\uff0c\uff10\uff10\uff10",  # full-width 1,000
            "\uff11\uff10\uff10\uff05",  # full-width 100%
            "1,000,000.00",
            "1_000",
            " 12 ",
            "12.5%",
            "1,2,3",
            "9" * 40,
            "0." + "0" * 30 + "1",
            "99999999999999.99",
            "999,999,999,999.99",
            "1,000,000,000,000.00",
            "100000000000000.00",
            "100.00001",
        ]
    ),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(str),
    text_input,
)
date_input = st.one_of(
    st.sampled_from(
        [
            "",
            "2026-02-30",
            "2023-13-45",
            "0000-01-01",
            "0001-01-01",
            "1899-12-31",
            "2100-01-01",
            "9999-12-31",
            "10000-01-01",
            "-2026-01-01",
            "2026/03/01",
            "01/03/2026",
            "2026-3-1",
            "\uff12\uff10\uff12\uff16-\uff10\uff13-\uff10\uff11",  # full-width 2026-03-01
            "2026-03-01T00:00",
            "now",
        ]
    ),
    # Dates drawn independently: the investment often precedes the establishment.
    st.dates().map(lambda day: day.isoformat()),
    text_input,
)
boolean_input = st.one_of(st.sampled_from(["on", "off", "true", "false", "0", "1", ""]), text_input)


def _fact_input(fact):
    if fact.kind in (Kind.MONEY, Kind.PERCENT, Kind.INTEGER):
        return number_input
    if fact.kind == Kind.DATE:
        return date_input
    if fact.kind == Kind.BOOLEAN:
        return boolean_input
    if fact.kind == Kind.CHOICE:
        return st.one_of(st.sampled_from([code for code, _label in fact.choices]), text_input)
    return text_input


def _present(data):
    """A form posts only some of its fields: None drops the field from the request."""
    return {name: value for name, value in data.items() if value is not None}


def form_input(valid, wild):
    """A form's fields: valid values with up to two fields replaced by wild ones or left out, and
    wholly wild ones. So the valid path is taken often, and so is the one where a single bad field
    must keep the rest from being saved."""
    names = sorted(valid)
    return st.one_of(
        st.builds(
            lambda base, other, chosen: _present({**base, **{name: other[name] for name in chosen}}),
            st.fixed_dictionaries(valid),
            st.fixed_dictionaries({name: st.none() | wild[name] for name in names}),
            st.sets(st.sampled_from(names), max_size=2),
        ),
        st.fixed_dictionaries({}, optional=wild),
    )


def valid_text(max_size):
    return st.text(min_size=1, max_size=max_size).filter(lambda text: text.strip() and "\x00" not in text)


# The largest amount an amount field takes (common/forms.py MoneyField).
LARGEST_AMOUNT = MoneyField().max_value or decimal.Decimal("99999999999999.99")


def money():
    """An amount as people type it: plain, with ASCII or full-width thousands separators."""
    amount = st.decimals(min_value=0, max_value=LARGEST_AMOUNT, places=2)
    return st.one_of(
        amount.map(str),
        amount.map("{:,}".format),
        amount.map(lambda value: f"{value:,}".replace(",", "\uff0c")),
    )


def past_day(first="1900-01-01"):
    import datetime

    return st.dates(datetime.date.fromisoformat(first), datetime.date.today()).map(lambda day: day.isoformat())


ART6_VALID = {
    "facts-institution_registered_capital": money(),
    "facts-registered_in_beijing": st.sampled_from(["on", "true", "1", ""]),
    "facts-manager_registered_with_amac": st.sampled_from(["on", ""]),
    "facts-fund_filed_with_amac": st.sampled_from(["on", ""]),
    "facts-investee_name": valid_text(200),
    "facts-investee_established_on": st.sampled_from(["2019-05-10", "2023-05-10", "2026-01-01"]),
    "facts-investment_date": st.sampled_from(["2023-05-10", "2026-03-01", "2028-12-31"]),
    "facts-investment_amount": money(),
    "facts-equity_ratio_after_pct": st.decimals(min_value=0, max_value=100, places=4).map(str),
    "facts-first_round": st.sampled_from(["on", ""]),
    "facts-high_tech_field": st.sampled_from(["on", ""]),
    "facts-core_technology_or_ip": st.sampled_from(["on", ""]),
}
assert set(ART6_VALID) == set(FACT_FIELDS), "a new ART6 fact needs a valid strategy here"
art6_facts = form_input(ART6_VALID, {f"facts-{fact.name}": _fact_input(fact) for fact in PROGRAMMES["ART6"].facts})
organisation_input = form_input(
    {
        "organisation_name": valid_text(200),
        "organisation_type": st.sampled_from(OrganisationType.values),
        "district": st.sampled_from(District.values),
        "registered_capital": money(),
        "established_on": past_day("0001-01-01"),
        "annual_revenue": money(),
        "legal_representative": valid_text(100),
    },
    {
        "organisation_name": text_input,
        "organisation_type": text_input,
        "district": text_input,
        "registered_capital": number_input,
        "established_on": date_input,
        "annual_revenue": number_input,
        "legal_representative": text_input,
    },
)
# The applicant's organisation names Zhang San as its legal representative (tests/factories).
commitment_input = st.one_of(
    form_input(
        {
            "signatory_capacity": st.just(SignatoryCapacity.LEGAL_REPRESENTATIVE.value),
            "signatory_name": st.sampled_from(["Zhang San", " Zhang   San ", "Zhang\u3000San", "Zhang\tSan"]),
            "accept": st.sampled_from(["on", "true", "1"]),
        },
        {
            "signatory_capacity": st.one_of(st.sampled_from(SignatoryCapacity.values), text_input),
            "signatory_name": st.one_of(st.sampled_from(["zhang san", "Zhang San\x00", "李四"]), text_input),
            "accept": st.one_of(st.sampled_from(["", "off", "0", "false", "\x00"]), text_input),
        },
    ),
    form_input(
        {
            "signatory_capacity": st.just(SignatoryCapacity.AUTHORISED_CONTACT.value),
            "signatory_name": valid_text(100),
            "accept": st.just("on"),
        },
        {"signatory_capacity": text_input, "signatory_name": text_input, "accept": text_input},
    ),
).flatmap(
    lambda data: st.sampled_from([None, None, None, "review", "nonsense"]).map(lambda goto: data | {"goto": goto})
)
# An id no row has, a huge one, or one that is not a number at all; OPEN stands for the open call's.
id_input = st.one_of(
    st.just("OPEN"),
    st.sampled_from(["", "0", "-1", "1e3", "1.0", " 1 ", "\uff11", "abc", "None", "null", "[1]"]),
    st.sampled_from([str(2**31), str(2**63 - 1), str(2**63), str(2**64), "9" * 400, "-" + "9" * 40]),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    text_input,
)

# File contents: random bytes, and random bytes behind the magic numbers of the accepted types.
MAGIC = [b"%PDF-1.4\n", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xdb", b"GIF89a", b"PK\x03\x04"]


class RawUpload:
    """A file for the test client's multipart body with the name exactly as given: Django's own
    upload classes would refuse "", "." or "..", and the client writes the name into the part's
    header unescaped, as a hostile client may."""

    def __init__(self, name, content):
        self.name, self._content = name, content

    def read(self):
        return self._content


def _png(width, height):
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


file_content = st.one_of(
    st.binary(max_size=3000),
    st.builds(lambda magic, body: magic + body, st.sampled_from(MAGIC), st.binary(max_size=3000)),
    st.builds(lambda body: b"%PDF-1.7\n" + body + b"\n%%EOF\n", st.binary(max_size=3000)),
    st.builds(evidence_pdf, st.text(string.printable, max_size=80)),
    st.builds(lambda n: evidence_pdf("truncated")[:n], st.integers(0, 400)),
    st.builds(_png, st.integers(1, 40), st.integers(1, 40)),
    st.builds(lambda n: _png(8, 8)[:n], st.integers(0, 120)),
)
file_name = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "evidence.pdf",
            "证明材料.pdf",
            "../../etc/passwd",
            "..\\..\\boot.ini",
            "a/b/c.png",
            ".",
            "..",
            "con.pdf",
            "x" * 254 + ".pdf",
            "x" * 300 + ".pdf",
            "no-extension",
            "evil.pdf.exe",
            "name;with=semicolons.pdf",
            "%00.pdf",
            "\u202egpj.exe",
            " spaced .pdf ",
        ]
    ),
)
evidence_input = st.one_of(
    st.sampled_from([e.code for e in EVIDENCE["ART6"]]),
    st.sampled_from([e.code for e in EVIDENCE["ART11B"]]),  # another programme's evidence
    text_input,
)
attachment_input = form_input(
    {
        "evidence": st.sampled_from([e.code for e in EVIDENCE["ART6"]]),
        "name": st.one_of(st.sampled_from(["evidence.pdf", "证明材料.pdf", "scan.png"]), st.text(max_size=100)),
        "content": st.one_of(
            st.builds(evidence_pdf, st.text(string.printable, max_size=80)),
            st.builds(_png, st.integers(1, 40), st.integers(1, 40)),
        ),
    },
    {"evidence": evidence_input, "name": file_name, "content": file_content},
).flatmap(
    lambda data: st.sampled_from([None, None, None, "commitment", "nonsense"]).map(lambda goto: data | {"goto": goto})
)
new_declaration_input = form_input(
    {"call": st.just("OPEN"), "programme": st.just("ART6"), "title": valid_text(200)},
    {"call": id_input, "programme": id_input, "title": text_input},
)


# --- What must survive a post that was not valid --------------------------------------------------


def saved(declaration):
    """What a declaration holds: a post that is not valid must leave all of it as it was."""
    declaration = Declaration.objects.select_related("organisation").get(pk=declaration.pk)
    storage = Attachment._meta.get_field("file").storage
    return {
        "state": declaration.state,
        "title": declaration.title,
        "summary": declaration.summary,
        "facts": declaration.facts,
        "number": declaration.number,
        "attachments": [
            (a.pk, a.evidence, a.original_name, a.sha256, storage.exists(a.file.name))
            for a in declaration.attachments.order_by("pk")
        ],
        "commitments": [(c.pk, c.voided_at) for c in declaration.commitments.order_by("pk")],
        "events": declaration.events.count(),
        "organisation": organisation_saved(declaration.organisation),
    }


def sqlite_cannot_read_back(amount):
    """Whether Django's SQLite backend would fail to read `amount` back from a DecimalField(16, 2):
    it reads through a float rounded to 15 digits, so 99,999,999,999,999.95 and above come back as
    1E+14, which does not fit 16 digits (decimal.InvalidOperation on every read of the row)."""
    as_read = decimal.Context(prec=15).create_decimal_from_float(float(amount))
    try:
        as_read.quantize(decimal.Decimal("0.01"), context=decimal.Context(prec=16))
    except decimal.InvalidOperation:
        return True
    return False


def organisation_saved(organisation):
    organisation.refresh_from_db()
    return {name: getattr(organisation, name) for name in ORGANISATION_FIELDS}


def assert_refused(response):
    """The page came back with the form's messages. (A POST with no fields at all leaves the form
    unbound, the views building it from `request.POST or None`: nothing is marked then.)"""
    form = response.context["form"]
    assert form.errors or not form.is_bound
    event("refused")


def steps_url(declaration, step):
    return f"/applicant/declarations/{declaration.pk}/steps/{step}/"


def _next_step(declaration, step):
    following = {"organisation": "project", "project": "facts", "facts": "attachments", "commitment": "review"}
    return steps_url(declaration, following[step])


@pytest.fixture
def draft_factory(applicant, open_call):
    def make():
        return DeclarationFactory(organisation=applicant.organisation, call=open_call, created_by=applicant), applicant

    return make


@pytest.fixture
def reviewed_factory(applicant, staff, reviewer, finance, open_call):
    cast = Cast(applicant=applicant, staff=staff, reviewers=[reviewer], finance=finance)

    def make():
        declaration = DeclarationFactory(organisation=applicant.organisation, call=open_call, created_by=applicant)
        return build_to(declaration, S.REVIEWED, cast=cast), staff

    return make


@pytest.fixture
def signed_draft(applicant, open_call):
    """A fresh draft with one evidence file and a standing commitment: both must outlive a bad post."""

    def make():
        declaration = DeclarationFactory(organisation=applicant.organisation, call=open_call, created_by=applicant)
        attachment_add(
            declaration_id=declaration.pk,
            actor=applicant,
            evidence="business_licence",
            uploaded_file=ContentFile(evidence_pdf("licence"), "licence.pdf"),
        )
        commitment_sign(
            declaration_id=declaration.pk,
            actor=applicant,
            signatory_name="王五",
            signatory_capacity=SignatoryCapacity.AUTHORISED_CONTACT,  # whoever the profile names
        )
        return declaration

    return make


# --- The tests ------------------------------------------------------------------------------------


@pytest.mark.django_db
@SETTINGS
@given(data=st.fixed_dictionaries(dict.fromkeys(SIGNUP_FIELDS, junk)))
def test_signup_never_fails_on_any_input(client, data):
    response = client.post("/accounts/signup/", {k: _clean(v) for k, v in data.items()})
    assert response.status_code in (200, 302, 429)  # 429: allauth's sign-up rate limit


@pytest.mark.django_db
@SETTINGS
@given(action=st.sampled_from(["approve", "reject", "return", "accept", "assign", "nonsense", ""]), value=junk)
def test_console_decision_never_fails_on_any_input(client, reviewed_factory, action, value):
    declaration, staff = reviewed_factory()
    client.force_login(staff)
    response = client.post(
        f"/console/{declaration.pk}/",
        {
            "action": action,
            f"{action}-amount": _clean(value),
            f"{action}-note": _clean(value),
            f"{action}-reviewers": _clean(value),
        },
    )
    assert response.status_code in (200, 302, 403)


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["profile", "step"])
@FORM_SETTINGS
@given(data=organisation_input)
def test_organisation_forms_never_fail_and_keep_the_profile_unless_valid(client, applicant, signed_draft, page, data):
    """The organisation profile page and the declaration's organisation step."""
    declaration = signed_draft()
    path = "/applicant/organisation/" if page == "profile" else steps_url(declaration, "organisation")
    form = OrganisationForm(data)
    before = saved(declaration)
    client.force_login(applicant)

    response = client.post(path, data)

    after = saved(declaration)
    if response.status_code == 200:
        assert_refused(response)
        assert after == before
        return
    assert response.status_code == 302
    event("saved")
    assert response["Location"] == (path if page == "profile" else _next_step(declaration, "organisation"))
    assert form.is_valid()
    expected = dict(form.cleaned_data)
    expected["name"] = expected.pop("organisation_name")
    assert after["organisation"] == expected
    assert {k: v for k, v in after.items() if k not in ("organisation", "commitments")} == {
        k: v for k, v in before.items() if k not in ("organisation", "commitments")
    }
    # The saved profile is shown again without a server error.
    assert client.get(path).status_code == 200
    assert client.get(f"/applicant/declarations/{declaration.pk}/").status_code == 200


PROFILE = {
    "organisation_name": "Large Capital Co., Ltd.",
    "organisation_type": "enterprise",
    "district": "chaoyang",
    "registered_capital": "2,000,000",
    "established_on": "2018-01-01",
    "annual_revenue": "2,000,000",
    "legal_representative": "赵六",
}


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["registered_capital", "annual_revenue"])
@pytest.mark.parametrize("page", ["/applicant/organisation/", "/accounts/signup/"])
def test_the_largest_amount_the_organisation_forms_accept_is_read_back(client, applicant, page, field):
    """Found by the test above: the forms took 99,999,999,999,999.99 (16 digits), which SQLite
    stores but Django cannot read back (sqlite_cannot_read_back), so every page that loaded the
    organisation was a 500. The amount fields now stop below it (common/forms.py MoneyField)."""
    largest = OrganisationForm.base_fields[field].max_value
    assert largest is not None and not sqlite_cannot_read_back(largest)
    assert sqlite_cannot_read_back(decimal.Decimal("99999999999999.99"))
    client.force_login(applicant)
    data = PROFILE | {field: f"{largest:,}"}
    if page == "/accounts/signup/":
        cache.clear()  # allauth's sign-up rate limit, spent by test_signup_never_fails_on_any_input
        client.logout()
        data |= {
            "username": "large-capital",
            "email": "large@example.com",
            "password1": "a-long-Passw0rd-2026",
            "password2": "a-long-Passw0rd-2026",
            "credit_code": credit_code_for(4242),
        }

    response = client.post(page, data)

    assert response.status_code == 302
    assert getattr(Organisation.objects.get(name=PROFILE["organisation_name"]), field) == largest
    if page == "/applicant/organisation/":
        assert client.get(page).status_code == 200
        refused = client.post(page, data | {field: "99,999,999,999,999.99"})
        assert refused.status_code == 200
        assert refused.context["form"].errors[field]
        assert getattr(Organisation.objects.get(name=PROFILE["organisation_name"]), field) == largest


@pytest.mark.django_db
@FORM_SETTINGS
@given(data=st.fixed_dictionaries({"title": st.none() | text_input, "summary": st.none() | text_input}))
def test_project_step_never_fails_and_keeps_the_draft_unless_valid(client, applicant, signed_draft, data):
    declaration = signed_draft()
    before = saved(declaration)
    client.force_login(applicant)

    response = client.post(steps_url(declaration, "project"), _present(data))

    after = saved(declaration)
    if response.status_code == 200:
        assert_refused(response)
        assert after == before
        return
    assert response.status_code == 302
    event("saved")
    assert response["Location"] == _next_step(declaration, "project")
    assert (after["title"], after["summary"]) == (data["title"].strip(), data["summary"].strip())
    assert after["title"] and after["summary"]
    unchanged = ("facts", "attachments", "state", "number", "organisation")
    assert {k: after[k] for k in unchanged} == {k: before[k] for k in unchanged}
    assert client.get(f"/applicant/declarations/{declaration.pk}/").status_code == 200


@pytest.mark.django_db
@FORM_SETTINGS
@given(data=art6_facts)
def test_facts_step_never_fails_and_keeps_the_facts_unless_valid(client, applicant, signed_draft, data):
    declaration = signed_draft()
    before = saved(declaration)
    client.force_login(applicant)

    response = client.post(steps_url(declaration, "facts"), data)

    after = saved(declaration)
    if response.status_code == 200:
        assert_refused(response)
        assert after == before
        return
    assert response.status_code == 302
    event("saved")
    assert response["Location"] == _next_step(declaration, "facts")
    form = FactsForm(data, programme_code="ART6", facts=before["facts"])
    assert form.is_valid()
    assert after["facts"] == form.facts()
    unchanged = ("title", "summary", "attachments", "state", "number", "organisation")
    assert {k: after[k] for k in unchanged} == {k: before[k] for k in unchanged}
    # The facts as saved are read back by the step, the pre-check, the review and the detail page.
    for path in (steps_url(declaration, "facts"), steps_url(declaration, "review")):
        assert client.get(path).status_code == 200
    assert client.get(f"/applicant/declarations/{declaration.pk}/").status_code == 200


@pytest.mark.django_db
@FORM_SETTINGS
@given(data=art6_facts)
def test_precheck_never_fails_and_saves_nothing(client, applicant, signed_draft, data):
    declaration = signed_draft()
    before = saved(declaration)
    client.force_login(applicant)

    response = client.post(f"/applicant/declarations/{declaration.pk}/precheck/", data)

    assert response.status_code == 200
    assert saved(declaration) == before


@pytest.mark.django_db
@FORM_SETTINGS
@given(data=attachment_input)
def test_attachments_step_never_fails_and_keeps_the_files_unless_valid(client, applicant, signed_draft, data):
    declaration = signed_draft()
    before = saved(declaration)
    client.force_login(applicant)
    post = _present({"evidence": data.get("evidence"), "goto": data["goto"]})
    if "content" in data:
        post["file"] = RawUpload(data.get("name", ""), data["content"])

    response = client.post(steps_url(declaration, "attachments"), post)

    after = saved(declaration)
    if response.status_code == 200:
        assert_refused(response)
        assert after == before
        return
    if response.status_code == 400:  # a multipart body the parser refuses (a name that breaks its header)
        event("bad request")
        assert after == before
        return
    assert response.status_code == 302
    added = Attachment.objects.filter(declaration=declaration).exclude(pk__in=[a[0] for a in before["attachments"]])
    if not added:  # the stepper's "go to" without a file: nothing to save
        event("went to another step")
        assert after == before
        return
    event("saved")
    (attachment,) = added
    assert (attachment.evidence, attachment.size) == (data["evidence"], len(data["content"]))
    assert after["attachments"][:-1] == before["attachments"]
    assert after["commitments"][0][1] is not None  # a new file voids the commitment
    # The file is listed and downloaded, whatever its name, without a server error.
    assert client.get(steps_url(declaration, "attachments")).status_code == 200
    download = client.get(f"/applicant/declarations/{declaration.pk}/attachments/{attachment.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == data["content"]
    assert "\n" not in download["Content-Disposition"]


@pytest.fixture
def small_attachments(settings):
    """ATTACHMENT_MAX_BYTES lowered to a little more than the smallest evidence file."""
    settings.ATTACHMENT_MAX_BYTES = len(evidence_pdf("")) + 300
    return settings.ATTACHMENT_MAX_BYTES


@pytest.mark.django_db
@FORM_SETTINGS
@given(padding=st.integers(min_value=0, max_value=900), name=st.sampled_from(["e.pdf", "证明.pdf", "x" * 250 + ".pdf"]))
def test_an_oversize_file_is_refused_and_nothing_is_lost(
    client, applicant, signed_draft, small_attachments, padding, name
):
    declaration = signed_draft()
    content = evidence_pdf("x" * padding)
    before = saved(declaration)
    client.force_login(applicant)

    response = client.post(
        steps_url(declaration, "attachments"), {"evidence": "other", "file": RawUpload(name, content)}
    )

    after = saved(declaration)
    event("too large" if len(content) > small_attachments else "within the limit")
    if len(content) > small_attachments:
        assert response.status_code == 200
        assert "the largest accepted is" in str(response.context["form"].errors["file"])
        assert after == before
    else:
        assert response.status_code == 302
        assert len(after["attachments"]) == len(before["attachments"]) + 1


@pytest.mark.django_db
@FORM_SETTINGS
@given(data=commitment_input)
def test_commitment_step_never_fails_and_keeps_the_commitment_unless_valid(client, applicant, signed_draft, data):
    declaration = signed_draft()
    before = saved(declaration)
    client.force_login(applicant)

    response = client.post(steps_url(declaration, "commitment"), _present(data))

    after = saved(declaration)
    if response.status_code == 200:
        assert_refused(response)
        assert after == before
        return
    assert response.status_code == 302
    if after == before:  # the stepper's "go to" without accepting: nothing to save
        event("went to another step")
        assert data["goto"] is not None and "accept" not in data
        return
    event("saved")
    standing = declaration.commitments.get(voided_at__isnull=True)
    assert standing.signatory_capacity == data["signatory_capacity"]
    assert standing.signatory_name == " ".join(data["signatory_name"].split())
    assert [pk for pk, _voided in after["commitments"][:-1]] == [pk for pk, _voided in before["commitments"]]
    assert {k: v for k, v in after.items() if k != "commitments"} == {
        k: v for k, v in before.items() if k != "commitments"
    }


@pytest.mark.django_db
@FORM_SETTINGS
@given(data=new_declaration_input)
def test_new_declaration_form_never_fails_on_any_ids(client, applicant, open_call, data):
    CallFactory(closes_at=open_call.opens_at, opens_at=open_call.opens_at.replace(year=2000))  # a closed call
    ids = {"OPEN": str(open_call.pk), "ART6": str(Programme.objects.get(code="ART6").pk)}
    post = {name: ids.get(value, value) for name, value in data.items()}
    count = Declaration.objects.count()
    client.force_login(applicant)

    response = client.post("/applicant/declarations/new/", post)

    if response.status_code == 200:
        assert_refused(response)
        assert Declaration.objects.count() == count
        return
    assert response.status_code == 302
    event("saved")
    created = Declaration.objects.latest("pk")
    assert Declaration.objects.count() == count + 1
    assert (created.call, created.title, created.organisation) == (
        open_call,
        data["title"].strip(),
        applicant.organisation,
    )
    assert response["Location"] == steps_url(created, "organisation")


@pytest.fixture
def submitted_factory(applicant, open_call):
    def make():
        declaration = DeclarationFactory(organisation=applicant.organisation, call=open_call, created_by=applicant)
        complete_for_submission(declaration, applicant)
        return declaration_submit(declaration_id=declaration.pk, actor=applicant)

    return make


@pytest.mark.django_db
@FORM_SETTINGS
@given(note=st.none() | text_input, state=st.sampled_from(["submitted", "submitted", "draft", "withdrawn"]))
def test_withdraw_never_fails_on_any_note(client, applicant, draft_factory, submitted_factory, note, state):
    event(state)
    if state == "draft":
        declaration, _applicant = draft_factory()
    else:
        declaration = submitted_factory()
    if state == "withdrawn":
        client.force_login(applicant)
        client.post(f"/applicant/declarations/{declaration.pk}/withdraw/", {"note": "First click.", "confirmed": "yes"})
    before = saved(declaration)
    client.force_login(applicant)

    response = client.post(
        f"/applicant/declarations/{declaration.pk}/withdraw/", {**_present({"note": note}), "confirmed": "yes"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/applicant/declarations/{declaration.pk}/"
    after = saved(declaration)
    kept = (note or "").strip()
    if len(kept) > 2000 or "\x00" in kept:
        event("a note the form refuses")
        assert after == before
        return
    if state != "submitted":  # refused: nothing changes
        assert after == before
        return
    assert after["state"] == S.WITHDRAWN
    assert after["events"] == before["events"] + 1
    assert {k: v for k, v in after.items() if k not in ("state", "events")} == {
        k: v for k, v in before.items() if k not in ("state", "events")
    }
    assert declaration.events.latest("pk").note == kept
    assert client.get(f"/applicant/declarations/{declaration.pk}/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("note", ["x" * 2001, "Declared\x00 twice"])
def test_a_withdrawal_with_a_refused_note_is_not_taken(client, applicant, submitted_factory, note):
    """Found by the test above: the view withdrew (a state with no way back) on a reason the form
    refused, and dropped the reason. It now says why and changes nothing."""
    declaration = submitted_factory()
    before = saved(declaration)
    client.force_login(applicant)

    response = client.post(
        f"/applicant/declarations/{declaration.pk}/withdraw/", {"note": note, "confirmed": "yes"}, follow=True
    )

    assert response.status_code == 200
    assert saved(declaration) == before
    assert [m for m in response.context["messages"] if m.level_tag == "error"]
