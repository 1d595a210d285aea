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
from common.forms import BootstrapForm
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


class BoardSearchForm(BootstrapForm):
    """The board's search and filters (GET), written by common.forms.BootstrapBoundField. A field
    with a bad value is left out of the search and says why; the others still apply."""

    q = forms.CharField(
        label=_("Unit, project or number"),
        max_length=100,
        required=False,
        widget=forms.SearchInput,
        error_messages={"max_length": _("Search for at most %(limit_value)d characters.")},
    )
    programme = forms.ChoiceField(
        label=_("Programme"),
        required=False,
        error_messages={"invalid_choice": _("There is no programme “%(value)s”: choose one from the list.")},
    )
    # Checked against the batches on the board once they are read (show_batches), which is also
    # when the menu gets its choices.
    batch = forms.IntegerField(
        label=_("List"),
        required=False,
        min_value=1,
        widget=forms.Select,
        error_messages={
            "invalid": _("Choose a list from the menu."),
            "min_value": _("Choose a list from the menu."),
        },
    )

    def __init__(self, data, *, programmes=(), with_filters=True):
        super().__init__(data)
        self.programmes = {programme.code: programme for programme in programmes}
        if with_filters:
            self.fields["programme"].choices = [
                ("", _("All programmes")),
                *((code, f"{code} {programme.title}") for code, programme in self.programmes.items()),
            ]
            self.fields["batch"].choices = [("", _("All lists"))]
        else:
            del self.fields["programme"], self.fields["batch"]
        self.fields["q"].widget.attrs["placeholder"] = _("e.g. ZGC-2026 or a unit's name")

    def filters(self):
        """The valid filters: the search text, the Programme and the batch's id (None when not given)."""
        self.is_valid()
        return {
            "q": self.cleaned_data.get("q", ""),
            "programme": self.programmes.get(self.cleaned_data.get("programme") or ""),
            "batch_id": self.cleaned_data.get("batch"),
        }

    def show_batches(self, batches, *, found):
        """The batch menu's choices; refuses a batch that is not on the board."""
        if "batch" not in self.fields:
            return
        self.fields["batch"].choices = [("", _("All lists")), *((batch.pk, batch.title) for batch in batches)]
        if not found and "batch" not in self.errors:
            self.add_error("batch", _("There is no such list on the board: choose one from the menu."))
            self.fields["batch"].widget.attrs["class"] += " is-invalid"
