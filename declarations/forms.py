import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common import forms as fields
from common.forms import EMPTY_CHOICE, DateInput, MoneyField, SingleLineCharField
from common.typography import short_date
from declarations.enums import District, OrganisationType, SignatoryCapacity
from declarations.evidence import EVIDENCE
from declarations.models import Call, Declaration, Programme
from declarations.programmes import PROGRAMMES, Kind
from declarations.validators import evidence_file_type

CENT = Decimal("0.01")
# Dates outside these bounds are typing errors (and beyond what date arithmetic over 5 years allows).
FIRST_DAY = datetime.date(1900, 1, 1)
LAST_DAY = datetime.date(2099, 12, 31)


class OrganisationFieldsMixin(forms.Form):
    organisation_name = SingleLineCharField(label=_("Organisation name"), max_length=200)
    organisation_type = forms.ChoiceField(label=_("Organisation type"), choices=OrganisationType.choices)
    district = forms.ChoiceField(label=_("Registered district"), choices=District.choices)
    registered_capital = MoneyField(label=_("Registered capital (yuan)"))
    established_on = forms.DateField(label=_("Date of establishment"), widget=DateInput())
    annual_revenue = MoneyField(
        label=_("Annual revenue of the last fiscal year (yuan)"),
        help_text=_("Operating income of the last fiscal year."),
    )
    legal_representative = SingleLineCharField(label=_("Legal representative"), max_length=100)

    def clean_established_on(self):
        value = self.cleaned_data["established_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date of establishment cannot be in the future."))
        return value


class OrganisationForm(OrganisationFieldsMixin):
    """The organisation profile; the credit code identifies it and is not edited here."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].help_text = _(
            "A change to outside Beijing is recorded as a move of the registered place out of Beijing: "
            "under Art. 17 the unit can then no longer be supported or paid."
        )


class NewDeclarationForm(forms.Form):
    call = fields.ModelChoiceField(label=_("Call"), queryset=Call.objects.none(), empty_label=None)
    programme = fields.ModelChoiceField(label=_("Programme"), queryset=Programme.objects.all())
    title = SingleLineCharField(label=_("Project title"), max_length=200)

    def __init__(self, *args, calls, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["call"].queryset = calls
        self.fields["programme"].label_from_instance = lambda p: f"{p.code} · {p.title}"

    def clean(self):
        data = super().clean()
        call, programme = data.get("call"), data.get("programme")
        if call and programme and not call.programmes.filter(pk=programme.pk).exists():
            self.add_error("programme", _("This programme is not part of the chosen call."))
        return data


class DeclarationForm(forms.ModelForm):
    """The project step: what the project is, in the applicant's words."""

    class Meta:
        model = Declaration
        fields = ["title", "summary"]
        field_classes = {"title": SingleLineCharField}
        widgets = {"summary": forms.Textarea(attrs={"rows": 8, "maxlength": 5000})}
        help_texts = {
            "summary": _(
                "The project's content, its progress and what the support is for; at most 5,000 characters. "
                "Staff compare it with projects funded through other channels (Art. 16)."
            )
        }

    def clean_summary(self):
        summary = self.cleaned_data["summary"].strip()
        if not summary:
            raise forms.ValidationError(_("Describe the project in a few sentences."))
        return summary


def _field_for(fact):
    common = {"label": fact.label, "help_text": fact.help_text, "required": False}
    if fact.kind == Kind.MONEY:
        return MoneyField(**common)
    if fact.kind == Kind.PERCENT:
        return forms.DecimalField(
            max_digits=9,
            decimal_places=4,
            min_value=Decimal("0"),
            max_value=fact.max_value if fact.max_value is not None else Decimal("1000"),
            **common,
        )
    if fact.kind == Kind.INTEGER:
        return forms.IntegerField(min_value=0, max_value=10_000, **common)
    if fact.kind == Kind.BOOLEAN:
        return forms.BooleanField(**common)
    if fact.kind == Kind.DATE:
        return forms.DateField(
            widget=DateInput(attrs={"min": FIRST_DAY.isoformat(), "max": LAST_DAY.isoformat()}), **common
        )
    if fact.kind == Kind.CHOICE:
        return forms.ChoiceField(choices=[("", EMPTY_CHOICE), *fact.choices], **common)
    return SingleLineCharField(max_length=200, **common)


def check_fact_dates(form, facts, data):
    """The checks of the dates among `facts` that a form shows at the field: each within
    FIRST_DAY..LAST_DAY, and no investment before the invested enterprise was established."""
    for fact in facts:
        day = data.get(fact.name)
        if fact.kind == Kind.DATE and day and not FIRST_DAY <= day <= LAST_DAY:
            form.add_error(
                fact.name,
                _("Enter a date from %(first)s to %(last)s.")
                % {
                    "first": short_date(FIRST_DAY),
                    "last": short_date(LAST_DAY),
                },
            )
    established, invested = data.get("investee_established_on"), data.get("investment_date")
    if established and invested and invested < established:
        form.add_error(
            "investment_date",
            _("The investment cannot be earlier than the establishment of the invested enterprise."),
        )


def _to_json(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _from_json(kind, value):
    if value in (None, ""):
        return None
    if kind == Kind.DATE:
        return datetime.date.fromisoformat(value)
    if kind in (Kind.MONEY, Kind.PERCENT):
        return Decimal(value)
    return value


class FactsForm(forms.Form):
    """The facts the declaration's programme needs (declarations/programmes.py).

    A draft may be saved with facts missing; submission checks that they are complete.
    """

    def __init__(self, *args, programme_code, facts=None, **kwargs):
        self.spec = PROGRAMMES[programme_code]
        facts = facts or {}
        initial = {f.name: _from_json(f.kind, facts.get(f.name)) for f in self.spec.facts}
        super().__init__(*args, initial=initial, prefix="facts", **kwargs)
        for fact in self.spec.facts:
            self.fields[fact.name] = _field_for(fact)
            if fact.required and fact.kind != Kind.BOOLEAN:
                self.fields[fact.name].widget.attrs["aria-describedby"] = "facts-required-note"

    def clean(self):
        data = super().clean()
        check_fact_dates(self, self.spec.facts, data)
        return data

    def facts(self):
        facts = {}
        for name, value in self.cleaned_data.items():
            if value in (None, ""):
                continue
            if isinstance(self.fields[name], MoneyField):
                # 8,000,000 and 8,000,000.00 are the same amount: stored alike, they change nothing.
                value = value.quantize(CENT)
            facts[name] = _to_json(value)
        return facts

    def typed_facts(self):
        """The facts as typed that are valid, for the pre-check of a form that may not be valid yet."""
        self.is_valid()
        return self.facts()


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input. clean() only asks for one at least and gives the list; each file
    is checked by clean_one, so that a refused file leaves the others to be kept."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = [f for f in data if f] if isinstance(data, list | tuple) else [data] if data else []
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return files

    def clean_one(self, uploaded):
        return super().clean(uploaded)


class AttachmentForm(forms.Form):
    """Evidence files, several at once, for one of the programme's evidence kinds (which the page
    implies: each kind has its own form). Valid while one file is accepted; `refused` holds a message
    for each file refused, naming it, since the emptied input no longer shows it."""

    evidence = forms.ChoiceField(label=_("Evidence"), widget=forms.HiddenInput)
    file = MultipleFileField(
        label=_("Files"),
        help_text=_("PDF, JPEG or PNG."),
        max_length=255,
        widget=MultipleFileInput(
            attrs={"accept": "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png", "class": "form-control"}
        ),
    )

    def __init__(self, *args, programme_code, evidence=None, **kwargs):
        if evidence is not None:
            kwargs.setdefault("auto_id", f"id_{evidence.code}_%s")
            kwargs.setdefault("initial", {"evidence": evidence.code})
        super().__init__(*args, **kwargs)
        self.fields["evidence"].choices = [(e.code, e.label) for e in EVIDENCE[programme_code]]
        self.refused: list[str] = []
        if evidence is not None:
            self.fields["file"].label = evidence.label
            control = self["file"].auto_id
            self.fields["file"].widget.attrs["aria-describedby"] = f"{control}_helptext {control}_errors"

    def clean_file(self):
        accepted = []
        for uploaded in self.cleaned_data["file"]:
            try:
                self.fields["file"].clean_one(uploaded)
                evidence_file_type(uploaded)
            except forms.ValidationError as refusal:
                self.refuse(uploaded, refusal.messages)
            else:
                accepted.append(uploaded)
        if not accepted:
            raise forms.ValidationError(self.refused, code="file")
        return accepted

    def refuse(self, uploaded, messages):
        name = (getattr(uploaded, "name", "") or "")[-100:]
        self.refused.extend(f"{name}: {message}" for message in messages)


class CommitmentForm(forms.Form):
    """Accepting the good-faith commitment letter (Art. 19) in a named signatory's name."""

    signatory_capacity = forms.ChoiceField(
        label=_("Signs as"), choices=SignatoryCapacity.choices, widget=forms.RadioSelect
    )
    signatory_name = SingleLineCharField(
        label=_("Signatory's name"),
        max_length=100,
        help_text=_("The legal representative named in the organisation profile, or the authorised contact."),
    )
    accept = forms.BooleanField(
        label=_("I have read the commitment letter above and accept it on behalf of the declaring unit."),
        error_messages={"required": _("Tick this box to accept the commitment letter.")},
    )
