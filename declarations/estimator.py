"""The public award estimator: a programme's facts as a form, assessed by the award engine.

The form is built from the programme's spec (declarations/programmes.py) and its award rule
(declarations/awards.py): only the facts the rule reads, and the history its caps need. It is read
from GET parameters, so an estimate can be bookmarked and shared.

Booleans come in three sorts. A condition the applicant declares (registered in Beijing, own IP...)
is a Yes / No / Not answered choice: "No" fails with a reason, not answered is left to the
declaration, as the engine does for a quote. A boolean the engine needs (first round, approval
letter...) is a required Yes / No. A boolean the policy lets default (a box left unticked means no)
stays the declaration form's check box.
"""

from dataclasses import replace

from crispy_forms.bootstrap import FieldWithButtons, StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import EMPTY_CHOICE, BootstrapForm, MoneyField
from declarations.awards import AWARD_RULES, Declared, FactsInvalid, assess, parse_facts, parse_history
from declarations.forms import _field_for, check_fact_dates
from declarations.models import Programme
from declarations.programmes import PROGRAMMES, Kind
from declarations.selectors import award_summary

# The hidden parameter naming the programme whose facts the submitted form showed: when the
# programme select was changed, the facts belong to the old programme and are carried over, not
# assessed.
SHOWN = "shown"

YES, NO = "yes", "no"
BOOLEAN_VALUES = {YES: True, NO: False}

# Years of support counted for Art. 5 and Art. 10; the policy stops at 3.
YEARS_LIMIT = 100

NEEDED = _("This fact is needed to compute the award.")

HISTORY_LABELS = {
    ("awarded_this_year", "organisation"): _("Already awarded to you in this programme this support year (yuan)"),
    ("awarded_this_year", "borrower"): _(
        "Already awarded for the same borrowing enterprise this support year, by all institutions (yuan)"
    ),
    ("awarded_cumulative", "borrower"): _(
        "Already awarded for the same borrowing enterprise in all years, by all institutions (yuan)"
    ),
    ("project_awarded_this_year", "project"): _("Already awarded for the same M&A project this support year (yuan)"),
    ("years_supported", "investor_fund"): _("Support years already received for the same fund"),
    ("years_supported", "lease"): _("Support years already received for the same financial leasing business"),
}
DECIDED_HELP = _("Amounts decided and not revoked in this programme; leave empty if none.")
YEARS_HELP = _("Other support years already supported; leave empty if none.")


class ProgrammeChoiceForm(forms.Form):
    """The programme to estimate for, listed as "ART6 · Early hard-technology investment"."""

    programme = forms.ChoiceField(label=_("Programme"), choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.programmes = {p.code: p for p in Programme.objects.filter(code__in=AWARD_RULES).order_by("position")}
        self.fields["programme"].choices = [
            ("", EMPTY_CHOICE),
            *((code, f"{code} · {programme.title}") for code, programme in self.programmes.items()),
        ]
        # Inside the estimator's one GET form: the select and its button side by side.
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            FieldWithButtons("programme", StrictButton(_("Choose"), type="submit", css_class="btn-outline-primary"))
        )

    @property
    def chosen(self):
        """The chosen Programme once the form is valid."""
        return self.programmes[self.cleaned_data["programme"]]


def _yes_no(fact, *, needed):
    empty = EMPTY_CHOICE if needed else _("Not answered")
    return forms.ChoiceField(
        label=fact.label,
        help_text=fact.help_text,
        choices=[("", empty), (YES, _("Yes")), (NO, _("No"))],
        required=needed,
    )


class EstimateForm(BootstrapForm):
    """The facts a programme's award rule reads and the history its caps need."""

    def __init__(self, *args, programme_code, **kwargs):
        super().__init__(*args, **kwargs)
        self.carried_over = False  # the values come from another programme's form
        self.code = programme_code
        self.rule = AWARD_RULES[programme_code]
        declared = {c.fact for c in self.rule.conditions if isinstance(c, Declared)}
        needed, defaulted = self.rule.needed_facts, self.rule.defaulted_facts
        self.facts = [f for f in PROGRAMMES[programme_code].facts if f.name in needed | defaulted | declared]
        for fact in self.facts:
            if fact.kind == Kind.BOOLEAN and fact.name not in defaulted:
                field = _yes_no(fact, needed=fact.name in needed)
            else:
                field = _field_for(fact)
            if fact.name in needed:
                field.required = True
                field.error_messages["required"] = NEEDED
            self.fields[fact.name] = field
        self.history_names = [name for name, _kind in self.rule.history_keys]
        for name, kind in self.rule.history_keys:
            common = {
                "label": HISTORY_LABELS[name, kind],
                "help_text": YEARS_HELP if name == "years_supported" else DECIDED_HELP,
                "required": False,
            }
            if name == "years_supported":
                self.fields[name] = forms.IntegerField(min_value=0, max_value=YEARS_LIMIT, **common)
            else:
                self.fields[name] = MoneyField(**common)
        self.style_fields()

    @property
    def fact_fields(self):
        return [self[fact.name] for fact in self.facts]

    @property
    def history_fields(self):
        return [self[name] for name in self.history_names]

    def clean(self):
        data = super().clean()
        check_fact_dates(self, self.facts, data)
        return data

    def _raw_facts(self):
        raw = {}
        for fact in self.facts:
            value = self.cleaned_data.get(fact.name)
            if fact.kind == Kind.BOOLEAN and isinstance(value, str):
                value = BOOLEAN_VALUES.get(value)
            if value is not None and value != "":
                raw[fact.name] = value
        return raw

    def estimate(self):
        """The engine's estimate for the valid form; None, with the engine's objections added to
        the fields they concern, when it cannot compute one."""
        errors = {}
        try:
            facts = parse_facts(self.code, self._raw_facts())
        except FactsInvalid as invalid:
            errors |= invalid.errors
        try:
            history = parse_history({name: self.cleaned_data.get(name) for name in self.history_names})
        except FactsInvalid as invalid:
            errors |= invalid.errors
        if errors:
            for name, message in errors.items():
                self.add_error(name if name in self.fields else None, message)
            return None
        summary = award_summary(assess(self.code, facts, history))
        # Each reason links to the field it concerns, when the form has it.
        reasons = tuple(
            (text, self[name].id_for_label if name in self.fields else "") for text, name in summary.reasons
        )
        return replace(summary, reasons=reasons)


def estimate_form(query, programme_code):
    """The estimator's form for `query` (request.GET): bound, to be assessed, when it holds facts of
    this programme; unbound otherwise, with the values of the fields it shares with the programme
    shown before, so changing the programme keeps what was typed."""
    shown = query.get(SHOWN)
    form = EstimateForm(programme_code=programme_code)
    submitted = shown == programme_code if shown else any(name in query for name in form.fields)
    if submitted:
        return EstimateForm(query, programme_code=programme_code)
    form.initial = {name: query.get(name) for name in form.fields if query.get(name)}
    form.carried_over = bool(shown)
    return form
