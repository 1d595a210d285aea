"""Input validation for the publicity pages; the services decide everything else."""

import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from common import forms as fields
from declarations.models import Call
from publicity.selectors import call_list_with_approved_declarations, declaration_list_approved_for_call

# Mainland mobile and landline numbers, with optional +86, area code, spaces and hyphens.
TELEPHONE = re.compile(r"^(\+?86[ -]?)?[0-9][0-9 -]{5,18}[0-9]$")


class ObjectionForm(forms.Form):
    name = forms.CharField(
        label=_("Your name"), max_length=100, error_messages={"required": _("Please give your name.")}
    )
    contact = forms.CharField(
        label=_("Telephone or e-mail"),
        max_length=100,
        error_messages={"required": _("Please give a telephone number or an e-mail address.")},
        help_text=_("So that the commission can reply to you. It is never published."),
    )
    text = forms.CharField(
        label=_("Your objection"),
        max_length=5000,
        error_messages={"required": _("Please write your objection.")},
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("State the facts you object to and, where you can, the evidence."),
    )

    def __init__(self, *args, action, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.add_input(Submit("submit", _("Send the objection")))

    def clean_contact(self):
        contact = self.cleaned_data["contact"].strip()
        if "@" in contact:
            try:
                validate_email(contact)
            except ValidationError:
                raise ValidationError(_("Enter a valid e-mail address.")) from None
        elif not TELEPHONE.match(contact):
            raise ValidationError(_("Enter a telephone number or an e-mail address."))
        return contact


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


class BatchOpenForm(forms.Form):
    declarations = fields.ModelMultipleChoiceField(
        label=_("Approved declarations to publicise"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={
            "required": _("Choose at least one approved declaration."),
            "invalid_choice": _("Declaration %(value)s is no longer approved in this call; reload the page."),
            "invalid_pk_value": _("“%(pk)s” is not a declaration."),
        },
    )
    title = forms.CharField(
        label=_("Title of the publicity"),
        max_length=200,
        required=False,
        help_text=_("Leave empty for “List of projects to be supported” and the call's title."),
    )

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        self.call = call
        self.fields["declarations"].queryset = declaration_list_approved_for_call(call=call)


class ObjectionHandleForm(forms.Form):
    UPHOLD, DISMISS = "uphold", "dismiss"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (UPHOLD, _("Uphold: the project is not supported")),
            (DISMISS, _("Dismiss: the project stays in publicity")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether to uphold or dismiss the objection.")},
    )
    response = forms.CharField(
        label=_("Response to the objector"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Please give a response.")},
    )

    def __init__(self, *args, objection, **kwargs):
        super().__init__(*args, prefix=f"objection-{objection.pk}", **kwargs)
        self.action = reverse("publicity:objection_handle", args=[objection.pk])

    @property
    def uphold(self):
        return self.cleaned_data["decision"] == self.UPHOLD


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
    title = forms.CharField(
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

    declarations = fields.ModelMultipleChoiceField(
        label=_("Approved declarations to add"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={
            "required": _("Choose at least one approved declaration."),
            "invalid_choice": _("Declaration %(value)s is no longer approved in this call; reload the page."),
            "invalid_pk_value": _("“%(pk)s” is not a declaration."),
        },
    )
    changelog = forms.CharField(
        label=_("What changed, for the public"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Describe the addition for the public.")},
    )

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, prefix="add", **kwargs)
        self.fields["declarations"].queryset = declaration_list_approved_for_call(call=call)
