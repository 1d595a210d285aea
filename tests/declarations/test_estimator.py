"""The public award estimator at /estimate/: no login, GET parameters, the engine's result or a
message at the field, never a server error."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from declarations.awards import AWARD_RULES
from declarations.estimator import EstimateForm

pytestmark = pytest.mark.django_db

URL = "/estimate/"

ART6 = {
    "programme": "ART6",
    "institution_registered_capital": "50,000,000",
    "manager_registered_with_amac": "yes",
    "investee_established_on": "2023-05-10",
    "investment_date": "2026-03-01",
    "investment_amount": "8,000,000",
    "equity_ratio_after_pct": "12.5",
    "first_round": "yes",
    "high_tech_field": "yes",
    "core_technology_or_ip": "",
}

ART11A = {
    "programme": "ART11A",
    "annual_revenue": "80000000",
    "interest_paid": "300000",
    "loan_term_months": "12",
    "loan_rate_pct": "5.2",
    "lpr_1y_pct": "3.45",
}


def _text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def test_url_is_public_and_linked_from_the_navigation_and_home(client):
    response = client.get(URL)
    home = client.get("/").content.decode()

    assert reverse("estimate") == URL
    assert response.status_code == 200
    assert 'href="/estimate/"' in home
    assert home.count('href="/estimate/"') == 2  # the navigation and the home page


def test_anonymous_user_gets_the_chooser_then_the_facts_of_the_chosen_programme(client):
    chooser = client.get(URL)
    chosen = client.get(URL, {"programme": "ART6"})

    options = dict(chooser.context["chooser"].fields["programme"].choices)
    assert options["ART6"].startswith("ART6 · ")
    assert set(options) == {"", *AWARD_RULES}
    assert chooser.context["form"] is None
    form = chosen.context["form"]
    assert not form.is_bound  # choosing shows the form; it is not assessed yet
    assert chosen.context["result"] is None
    page = _text(chosen)
    assert "Art. 6 (2) 3: a single investment of more than 5 million yuan (inclusive)." in page
    assert "Art. 6 (2) 2: established for no more than 5 years." in page
    assert 'name="investment_amount"' in page
    assert 'name="awarded_this_year"' in page
    assert "Already awarded to you in this programme this support year (yuan)" in page
    # Only the history ART6's caps need; no text facts the award does not read.
    assert set(form.history_names) == {"awarded_this_year"}
    assert "investee_name" not in form.fields


def test_worked_example_art6_is_eligible_for_1_600_000(client):
    response = client.get(URL, ART6)

    result = response.context["result"]
    page = _text(response)
    assert response.status_code == 200
    assert response.context["form"].errors == {}
    assert result.eligible is True
    assert "1,600,000.00" in page
    assert "✓ Eligible" in page
    assert "Art. 15" in page


def test_the_award_is_read_in_wan_yuan_for_a_chinese_reader_and_in_yuan_alone_for_an_english_one(client):
    chinese = _text(client.get(URL, ART6, headers={"accept-language": "zh-hans"}))
    english = _text(client.get(URL, ART6, headers={"accept-language": "en"}))

    assert 'data-estimated-award>1,600,000.00</span> <span class="fs-5">元</span>' in chinese
    assert "（约 160.00 万元）</span>" in chinese
    assert 'data-estimated-award>1,600,000.00</span> <span class="fs-5">yuan</span>' in english
    assert "万元" not in english


def test_worked_example_art6_with_annual_headroom_gives_1_000_000_and_its_breakdown(client):
    response = client.get(URL, ART6 | {"investment_amount": "15,000,000", "awarded_this_year": "4,000,000"})

    result = response.context["result"]
    page = _text(response)
    assert result.award == 1_000_000
    assert '<span class="amount" data-estimated-award>1,000,000.00</span>' in page
    assert [text for text, _amount in result.steps] == [
        "20% × Actual investment amount 15,000,000.00 = 3,000,000.00",
        "Cap per subsidy: 2,000,000.00 allows 2,000,000.00",
        "Cap per investment institution per support year: 5,000,000.00 less 4,000,000.00 already decided "
        "leaves 1,000,000.00, allows 1,000,000.00",
    ]
    for text, _amount in result.steps:
        assert text in page


def test_ineligible_art11a_cites_article_11(client):
    response = client.get(URL, ART11A)

    result = response.context["result"]
    page = _text(response)
    assert result.eligible is False
    assert result.award == 0
    assert "✗ Not eligible" in page
    assert len(result.reasons) == 1
    text, field_id = result.reasons[0]
    assert text.startswith("Art. 11 (2) 2: None of the alternatives holds")
    assert "4.83%" in text
    assert field_id == "id_first_ip_pledge_loan"
    assert text in page.replace("&amp;", "&").replace("&#x27;", "'")
    assert "Not eligible: the award is 0.00" in page


def test_declared_condition_answered_no_fails_and_unanswered_is_left_to_the_declaration(client):
    unanswered = client.get(URL, ART6 | {"manager_registered_with_amac": ""})
    answered_no = client.get(URL, ART6 | {"manager_registered_with_amac": "no"})

    assert unanswered.context["result"].eligible is True
    assert answered_no.context["result"].eligible is False
    assert [field for _text, field in answered_no.context["result"].reasons] == ["id_manager_registered_with_amac"]
    assert answered_no.context["result"].reasons[0][0].startswith("Art. 6 (2) 1: Required but not met")


def test_years_supported_limit_is_a_reason_for_art5(client):
    response = client.get(URL, {"programme": "ART5", "annual_contribution": "500,000,000", "years_supported": "3"})

    result = response.context["result"]
    assert result.eligible is False
    assert result.reasons == (
        ("Art. 5 (3): Already supported in 3 support years; support is limited to 3 years.", "id_years_supported"),
    )


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"investment_amount": ""}, "investment_amount", "This fact is needed to compute the award."),
        ({"first_round": ""}, "first_round", "This fact is needed to compute the award."),
        ({"investment_amount": "-5"}, "investment_amount", "Ensure this value is greater than or equal to 0."),
        ({"investment_amount": "eight million"}, "investment_amount", "Enter a number."),
        ({"investment_amount": "9" * 40}, "investment_amount", "Ensure that there are no more than 16 digits"),
        ({"equity_ratio_after_pct": "150"}, "equity_ratio_after_pct", "less than or equal to 100"),
        ({"investment_date": "2026-02-30"}, "investment_date", "Enter a valid date."),
        ({"investment_date": "9999-01-01"}, "investment_date", "Enter a date from 1900-01-01 to 2099-12-31."),
        (
            {"investment_date": "2020-01-01"},
            "investment_date",
            "The investment cannot be earlier than the establishment of the invested enterprise.",
        ),
        ({"first_round": "maybe"}, "first_round", "Select a valid choice."),
        ({"awarded_this_year": "-1"}, "awarded_this_year", "Ensure this value is greater than or equal to 0."),
        ({"awarded_this_year": "lots"}, "awarded_this_year", "Enter a number."),
    ],
)
def test_bad_input_gets_its_message_at_the_field(client, change, field, message):
    response = client.get(URL, ART6 | change)

    assert response.status_code == 200
    assert response.context["result"] is None
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert any(message in error for error in errors[field]), errors[field]
    assert "Please correct the fields marked below." in _text(response)


def test_bad_integer_and_years_get_their_message_at_the_field(client):
    months = client.get(URL, ART11A | {"loan_term_months": "twelve"})
    years = client.get(URL, {"programme": "ART10", "years_supported": "-1", "annual_revenue": "1"})

    assert months.context["form"].errors["loan_term_months"] == ["Enter a whole number."]
    assert "Ensure this value is greater than or equal to 0." in years.context["form"].errors["years_supported"]


def test_engine_objection_is_added_to_its_field():
    form = EstimateForm({"investment_amount": "1"}, programme_code="ART6")
    assert not form.is_valid()  # other needed facts are missing
    form = EstimateForm(dict(ART6), programme_code="ART6")
    assert form.is_valid()
    form.cleaned_data["investment_amount"] = None  # as if the form let an empty value through
    assert form.estimate() is None
    assert form.errors["investment_amount"] == ["This fact is needed to compute the award."]


def test_unknown_programme_shows_the_chooser_with_an_error(client):
    unknown = client.get(URL, {"programme": "ART99", "investment_amount": "1"})
    empty = client.get(URL, {"programme": ""})

    assert unknown.status_code == 200
    assert (
        "Select a valid choice. ART99 is not one of the available choices."
        in (unknown.context["chooser"].errors["programme"])
    )
    assert unknown.context["form"] is None
    assert 'form-select is-invalid" required aria-invalid="true"' in unknown.content.decode()
    assert empty.status_code == 200
    assert empty.context["chooser"].errors["programme"] == ["This field is required."]


def test_changing_the_programme_keeps_shared_fields_and_does_not_assess(client):
    art9 = {
        "programme": "ART11A",  # the select was changed ...
        "shown": "ART9",  # ... while the facts of ART9 were shown
        "annual_revenue": "80,000,000",
        "premium": "100000",
        "high_tech_field": "yes",
    }
    response = client.get(URL, art9)

    form = response.context["form"]
    page = _text(response)
    assert form.code == "ART11A"
    assert not form.is_bound
    assert response.context["result"] is None
    assert form.carried_over
    assert 'value="80,000,000"' in page
    assert re.search(r'<option value="yes" selected>', page)
    assert "premium" not in form.fields
    assert "These are the facts of ART11A." in page


def test_a_shared_link_without_the_hidden_field_is_assessed(client):
    response = client.get(URL, ART6)
    assert response.context["form"].is_bound


def test_enter_in_a_fact_field_estimates_even_though_choose_is_the_first_button(client):
    # The browser submits the form with its first button; the hidden field says the facts are ART6's.
    response = client.get(URL, ART6 | {"shown": "ART6"})
    assert response.context["result"].award == 1_600_000


def test_query_count_is_small_and_constant(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        client.get(URL)
    with django_assert_max_num_queries(1):
        client.get(URL, ART6 | {"awarded_this_year": "4,000,000"})
    with django_assert_max_num_queries(1):
        client.get(URL, {"programme": "nope"})


def test_page_is_in_chinese_by_default(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    response = Client().get(URL, ART6)
    assert response.status_code == 200
    assert response.context["result"].eligible is True
    assert 'lang="zh-hans"' in response.content.decode()


junk = st.one_of(
    st.text(max_size=300),
    st.just(""),
    st.sampled_from(["-1", "0", "1e309", "NaN", "Infinity", "1,2,3", "9" * 40, "2026-02-30", "9999-12-31"]),
    st.sampled_from(["0001-01-01", "<script>", "\uff10", "yes", "no", "on", "ART6", "1,000,000.005"]),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.decimals(allow_nan=False).map(str),
    st.dates().map(str),
)
PROGRAMME_CODES = ["ART5", "ART6", "ART8", "ART10", "ART11A", "ART11B", "ART12", "ART14"]
TYPICAL = {"money": "1,000,000", "percent": "10", "integer": "24", "date": "2025-01-01"}


def _typical_query(code):
    """Valid facts for every field of the programme's form: the estimator computes a result."""
    form = EstimateForm(programme_code=code)
    query = {"programme": code, "shown": code}
    for fact in form.facts:
        if fact.kind == "boolean":
            query[fact.name] = "yes"
        elif fact.kind == "choice":
            query[fact.name] = fact.choices[0][0]
        else:
            query[fact.name] = TYPICAL[fact.kind]
    return query


def _clean(value):
    return value.replace("\x00", "")


@st.composite
def queries(draw):
    """A valid query with some of its fields, or the programme and hidden field, replaced by junk."""
    code = draw(st.sampled_from(PROGRAMME_CODES))
    query = _typical_query(code)
    names = sorted(EstimateForm(programme_code=code).fields)
    for name in draw(st.lists(st.sampled_from(names), unique=True)):
        query[name] = _clean(draw(junk))
    query["programme"] = draw(st.one_of(st.just(code), st.sampled_from([*PROGRAMME_CODES, "", "ART99", "<b>"])))
    shown = draw(st.one_of(st.just(code), st.sampled_from([None, "ART6", "junk"])))
    if shown is None:
        del query["shown"]
    else:
        query["shown"] = shown
    return query


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(query=queries())
def test_estimator_never_fails_on_any_input(query):
    response = Client(raise_request_exception=False).get(URL, query)
    assert response.status_code == 200
    form, result = response.context["form"], response.context["result"]
    if form is not None and form.is_bound and not form.errors:
        assert result is not None
    event("estimated" if result else "field errors" if form is not None and form.errors else "no estimate asked")


def test_every_programme_estimates_from_typical_facts(client):
    for code in AWARD_RULES:
        response = client.get(URL, _typical_query(code))
        assert response.context["form"].errors == {}, code
        assert response.context["result"] is not None, code


@pytest.mark.parametrize("code", sorted(AWARD_RULES))
def test_every_field_of_every_programme_is_written_with_its_label_help_and_required_mark(client, code):
    """The fields are written by common.forms (BootstrapBoundField.field_html), not crispy-forms'
    templates: each label names its control, a required fact is marked * and `required`, its help
    text is tied to it, and a refused value shows its message beside it."""
    form = EstimateForm(programme_code=code)
    page = client.get(URL, {"programme": code}).content.decode()
    for name, field in form.fields.items():
        control = re.search(rf'<(input|select)[^>]* name="{name}" id="id_{name}"[^>]*>', page)
        assert control, name
        assert f'for="id_{name}"' in page
        assert (" required" in control.group(0)) == field.required
        label = re.search(rf'<label[^>]* for="id_{name}">(.*?)</label>', page).group(1)
        assert label.endswith('<span class="asteriskField">*</span>') == field.required
        if field.help_text:
            assert f'aria-describedby="id_{name}_helptext' in control.group(0)

    refused = client.get(URL, {"programme": code, "shown": code, **dict.fromkeys(form.fields, "not a value")})
    page = refused.content.decode()
    for name in refused.context["form"].errors:
        if name in form.fields:
            assert re.search(rf'id="id_{name}"[^>]* aria-invalid="true"', page), name
            assert f'<div class="invalid-feedback" id="id_{name}_error">' in page


def test_a_check_box_is_written_with_its_label_after_it_and_ticked_when_chosen():
    from django import forms

    from common.forms import BootstrapForm

    class Form(BootstrapForm):
        agreed = forms.BooleanField(label="Agreed", help_text="Tick if so.", required=False)

    unticked, ticked = Form()["agreed"].field_html(), Form({"agreed": "on"})["agreed"].field_html()
    assert unticked.startswith('<div class="form-check"><input type="checkbox" name="agreed" id="id_agreed"')
    assert '<label class="form-check-label" for="id_agreed">Agreed</label>' in unticked
    assert 'aria-describedby="id_agreed_helptext"' in unticked and " checked" not in unticked
    assert " checked" in ticked
