"""Input validation for the publicity pages; the services decide everything else."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from common import forms as fields
from common.forms import SingleLineCharField
from declarations.models import Call
from declarations.validators import evidence_file_type
from publicity.contacts import TELEPHONE, is_email
from publicity.models import ObjectionOutcome
from publicity.selectors import call_list_with_approved_declarations, declaration_list_approved_for_call


class ObjectionForm(forms.Form):
    name = SingleLineCharField(
        label=_("Your name"), max_length=100, error_messages={"required": _("Please give your name.")}
    )
    contact = SingleLineCharField(
        label=_("Telephone or e-mail"),
        max_length=100,
        error_messages={"required": _("Please give a telephone number or an e-mail address.")},
        help_text=_(
            "So that the commission can reply to you, and so that you can look the objection up. "
            "It is never published nor shown to the applicant."
        ),
    )
    text = forms.CharField(
        label=_("Your objection"),
        max_length=5000,
        error_messages={"required": _("Please write your objection.")},
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("State the facts you object to and, where you can, the evidence."),
    )
    evidence = forms.FileField(
        label=_("Evidence (optional)"),
        required=False,
        max_length=255,
        help_text=_("One PDF, JPEG or PNG file of at most %(size)s."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args, action, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].help_text = self.fields["evidence"].help_text % {
            "size": filesizeformat(settings.ATTACHMENT_MAX_BYTES)
        }
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("submit", _("Send the objection")))

    def clean_contact(self):
        contact = self.cleaned_data["contact"].strip()
        if is_email(contact):
            try:
                validate_email(contact)
            except ValidationError:
                raise ValidationError(_("Enter a valid e-mail address.")) from None
        elif not TELEPHONE.match(contact):
            raise ValidationError(_("Enter a telephone number or an e-mail address."))
        return contact

    def clean_evidence(self):
        """The file's content checked; a refusal names the file, which the emptied input no longer shows."""
        uploaded = self.cleaned_data.get("evidence")
        if not uploaded:
            return None
        try:
            evidence_file_type(uploaded)
        except ValidationError as refusal:
            raise ValidationError(
                [f"{uploaded.name[-100:]}: {message}" for message in refusal.messages], code="file"
            ) from None
        return uploaded

    def ask_for_the_file_again(self):
        """A browser never keeps a chosen file when the page comes back: say so at the field."""
        uploaded = self.files.get(self.add_prefix("evidence"))
        if uploaded and not self.errors.get("evidence"):
            # The bound field copied the help text when the form was cleaned.
            self["evidence"].help_text = _("Your file %(name)s was not kept: please choose it again.") % {
                "name": uploaded.name[-100:]
            }


class ObjectionLookupForm(forms.Form):
    receipt_number = forms.CharField(
        label=_("Receipt number"),
        max_length=40,
        error_messages={"required": _("Please give the receipt number.")},
        help_text=_("As on the receipt, e.g. GS7K2M9QX4PD."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    contact = forms.CharField(
        label=_("Telephone or e-mail"),
        max_length=100,
        error_messages={"required": _("Please give the telephone number or e-mail address you gave.")},
        help_text=_("The one you gave with the objection."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = reverse("publicity:objection_lookup")
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("look_up", _("Look up")))


class CallChoiceForm(forms.Form):
    """The first step of opening a batch: which call's approved declarations to publicise."""

    call = fields.ModelChoiceField(
        label=_("Call"),
        queryset=Call.objects.none(),
        empty_label=_("Choose a call"),
        error_messages={"invalid_choice": _("This call has no approved declarations to publicise.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["call"].queryset = call_list_with_approved_declarations()
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_action = reverse("publicity:console_batch_open")
        self.helper.add_input(Submit("show", _("Show approved declarations")))


def approved_declarations_field(label):
    """Checkboxes of a call's approved declarations (the form sets the queryset for its call)."""
    return fields.ModelMultipleChoiceField(
        label=label,
        queryset=None,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={
            "required": _("Choose at least one approved declaration."),
            "invalid_choice": _("Declaration %(value)s is no longer approved in this call; reload the page."),
            "invalid_pk_value": _("“%(pk)s” is not a declaration."),
        },
    )


class BatchOpenForm(forms.Form):
    declarations = approved_declarations_field(_("Approved declarations to publicise"))
    title = SingleLineCharField(
        label=_("Title of the publicity (Chinese)"),
        max_length=200,
        required=False,
        help_text=_("Leave empty for “List of projects to be supported” and the call's title."),
    )
    title_en = SingleLineCharField(
        label=_("Title of the publicity (English)"),
        max_length=200,
        required=False,
        help_text=_("Leave both titles empty for the call's titles; an empty English title shows the Chinese one."),
    )

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        self.call = call
        self.fields["declarations"].queryset = declaration_list_approved_for_call(call=call)


class ObjectionHandleForm(forms.Form):
    DISMISS = "dismiss"
    CHOICES = [
        (DISMISS, _("Dismiss: the project stays in publicity")),
        (ObjectionOutcome.REVIEW, _("Uphold, and send the declaration back to evaluation")),
        (ObjectionOutcome.NOT_SUPPORTED, _("Uphold: the project is not supported")),
    ]

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose whether to uphold or dismiss the objection."),
            "invalid_choice": _("Choose one of the decisions listed."),
        },
    )
    reason = forms.CharField(
        label=_("Reason for the applicant"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Needed when upholding. The applicant reads it with the declaration: state the facts, never who objected."
        ),
    )
    reply = forms.CharField(
        label=_("Reply to the objector"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Please write the reply to the objector.")},
        help_text=_(
            "The objector reads it on the look-up page and, when they gave an e-mail address, receives it by e-mail."
        ),
    )

    def __init__(self, *args, objection, **kwargs):
        super().__init__(*args, prefix=f"objection-{objection.pk}", **kwargs)
        self.action = reverse("publicity:objection_handle", args=[objection.pk])

    def clean(self):
        cleaned = super().clean()
        if self.outcome and not cleaned.get("reason"):
            self.add_error("reason", _("Please give the reason the applicant will read."))
        return cleaned

    @property
    def outcome(self):
        """The ObjectionOutcome chosen, or None to dismiss."""
        decision = self.cleaned_data.get("decision")
        return None if decision in (None, self.DISMISS) else ObjectionOutcome(decision)


class ClassifyForm(forms.Form):
    """Keep a project off the public list (classified, or excluded by law), with the reason."""

    classified = forms.BooleanField(
        label=_("Keep this project off the public list"),
        required=False,
        help_text=_("It still goes through the publicity period, but never appears on any public page."),
    )
    reason = forms.CharField(
        label=_("Reason (staff only)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example the classification notice, or the law that excludes publication."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("classified") and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Please give the reason the project is not publicised."))
        return cleaned


class EntryCorrectionForm(forms.Form):
    """Correct one project's title or amount in the next version of a batch."""

    entry = fields.ModelChoiceField(
        label=_("Project"),
        queryset=None,
        empty_label=_("Choose a project"),
        error_messages={
            "required": _("Choose the project to correct."),
            "invalid_choice": _("This project is no longer in publicity in this batch; reload the page."),
        },
    )
    title = SingleLineCharField(
        label=_("Corrected project title"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to keep the title."),
    )
    amount = fields.MoneyField(
        label=_("Corrected approved amount (yuan)"),
        required=False,
        help_text=_("Leave empty to keep the amount. A higher amount gets a full publicity period of its own."),
    )
    changelog = forms.CharField(
        label=_("What changed, for the public"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Describe the correction for the public.")},
    )

    def __init__(self, *args, entries, **kwargs):
        super().__init__(*args, prefix="correct", **kwargs)
        self.fields["entry"].queryset = entries
        self.fields["entry"].label_from_instance = lambda entry: f"{entry.declaration.number} {entry.declaration.title}"

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("title") or "").strip() and cleaned.get("amount") is None:
            self.add_error("title", _("Give a corrected title, a corrected amount, or both."))
        return cleaned


class EntryAddForm(forms.Form):
    """Add approved declarations of the batch's call to the next version."""

    declarations = approved_declarations_field(_("Approved declarations to add"))
    changelog = forms.CharField(
        label=_("What changed, for the public"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Describe the addition for the public.")},
    )

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, prefix="add", **kwargs)
        self.fields["declarations"].queryset = declaration_list_approved_for_call(call=call)


class BoardSearch:
    """The board's and a list's search, with the filters by programme and list on the board (GET): a
    field with a bad value is left out of the search and says why; the others still apply. Not a
    Django form: on the public pages, which must cost little more than a plain page, building one
    took a tenth of the page (bench/README.md). Its fields are written by common.forms' markup
    functions, as a BootstrapForm's are; `errors` is a form's: the messages by field name."""

    SEARCH_MAX_LENGTH = 100

    def __init__(self, data, *, programmes=(), with_filters=True):
        self.data, self.with_filters = data, with_filters
        self.programmes = {programme.code: programme for programme in programmes}
        self.errors: dict[str, list[str]] = {}
        self.batches: list = []
        self.q = self._search(data.get("q"))
        self.programme = self.batch_id = None
        if with_filters:
            self.programme = self._programme(data.get("programme"))
            self.batch_id = self._batch(data.get("batch"))

    def _search(self, value):
        text = (value or "").strip()
        if "\x00" in text:
            self.errors["q"] = [str(_("Null characters are not allowed."))]
        elif len(text) > self.SEARCH_MAX_LENGTH:
            message = _("Search for at most %(limit_value)d characters.") % {"limit_value": self.SEARCH_MAX_LENGTH}
            self.errors["q"] = [message]
        else:
            return text
        return ""

    def _programme(self, value):
        if not value:
            return None
        if value not in self.programmes:
            self.errors["programme"] = [
                _("There is no programme “%(value)s”: choose one from the list.") % {"value": value}
            ]
            return None
        return self.programmes[value]

    def _batch(self, value):
        text = (value or "").strip()
        if not text:
            return None
        if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= fields.MAX_PK:
            self.errors["batch"] = [str(_("Choose a list from the menu."))]
            return None
        return int(text)

    def filters(self):
        """The valid filters: the search text, the programme and the batch's id (None when not given)."""
        return {"q": self.q, "programme": self.programme, "batch_id": self.batch_id}

    def show_batches(self, batches, *, found):
        """The batches of the list menu; refuses a batch that is not on the board."""
        self.batches = batches
        if self.with_filters and not found and "batch" not in self.errors:
            self.errors["batch"] = [str(_("There is no such list on the board: choose one from the menu."))]

    def search_html(self):
        value = self.data.get("q")
        attrs = {
            "maxlength": str(self.SEARCH_MAX_LENGTH),
            "class": "form-control is-invalid" if "q" in self.errors else "form-control",
            "placeholder": _("e.g. ZGC-2026 or a unit's name"),
        }
        return fields.input_markup(
            input_type="search",
            name="q",
            field_id="id_q",
            label=_("Unit, project or number"),
            value=value,
            attrs=attrs,
            errors=self.errors.get("q"),
        )

    def programme_html(self):
        chosen = self.data.get("programme") or ""
        options = [("", _("All programmes"), chosen == "")]
        options += [(code, f"{code} {programme.title}", code == chosen) for code, programme in self.programmes.items()]
        return fields.select_markup(
            name="programme",
            field_id="id_programme",
            label=_("Programme"),
            options=options,
            errors=self.errors.get("programme"),
        )

    def batch_html(self):
        chosen = self.data.get("batch") or ""
        options = [("", _("All lists"), chosen == "")]
        options += [(str(batch.pk), batch.title, str(batch.pk) == chosen) for batch in self.batches]
        return fields.select_markup(
            name="batch", field_id="id_batch", label=_("List"), options=options, errors=self.errors.get("batch")
        )
