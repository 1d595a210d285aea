"""Input for the evaluation meeting pages; review.meetings decides everything else and its
ValidationErrors are shown at these forms' fields (their names match the services' arguments)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from common import forms as fields
from common.forms import MoneyField, PolicyDateField, SingleLineCharField
from common.money import yuan
from declarations.models import Call
from review import meetings
from review.models import SupportScheme


def _member_label(user):
    return _("%(name)s (%(role)s)") % {"name": user, "role": user.get_role_display()}


def _declaration_label(declaration):
    return f"{declaration.number or declaration.title} · {declaration.organisation.name}"


def _candidate_label(declaration):
    """What staff choose by: the weighted total of the evaluation and the award cap."""
    summary = meetings.one_to_one_or_none(declaration, "evaluation_summary")
    total = summary.total if summary is not None and summary.total is not None else None
    cap = declaration.award_cap
    return _("%(declaration)s · %(title)s · weighted total %(total)s · award cap %(cap)s") % {
        "declaration": _declaration_label(declaration),
        "title": declaration.title,
        "total": total if total is not None else _("none yet"),
        "cap": _("%(amount)s yuan") % {"amount": yuan(cap)} if cap is not None else _("not computed"),
    }


class CallFilterForm(forms.Form):
    call = fields.ModelChoiceField(
        label=_("Call"),
        queryset=Call.objects.order_by("-year", "-opens_at"),
        required=False,
        empty_label=_("All calls"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class MeetingForm(forms.Form):
    """Record a meeting, or correct one (then without the call, which stays)."""

    call = fields.ModelChoiceField(
        label=_("Call"),
        queryset=Call.objects.order_by("-year", "-opens_at"),
        empty_label=_("Choose a call"),
        error_messages={"required": _("Choose the call whose declarations the meeting evaluated.")},
    )
    held_on = PolicyDateField(
        label=_("Held on"),
        error_messages={"required": _("Give the date the meeting was held."), "invalid": _("Enter a valid date.")},
    )
    place = SingleLineCharField(label=_("Place"), max_length=200, required=False)
    members = fields.ModelMultipleChoiceField(
        label=_("Members present"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Commission staff and expert reviewers who took part."),
        error_messages={
            "required": _("Choose at least one member present."),
            "invalid_choice": _("%(value)s cannot be a member of the meeting; reload the page."),
            "invalid_pk_value": _("“%(pk)s” is not a member."),
        },
    )
    minutes = forms.CharField(
        label=_("Minutes"), max_length=10000, required=False, widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(self, *args, meeting=None, **kwargs):
        if meeting is not None:
            kwargs.setdefault(
                "initial",
                {
                    "held_on": meeting.held_on,
                    "place": meeting.place,
                    "members": list(meeting.members_present.all()),
                    "minutes": meeting.minutes,
                },
            )
        super().__init__(*args, **kwargs)
        if meeting is not None:
            del self.fields["call"]
        self.fields["members"].queryset = meetings.meeting_member_candidates(meeting)
        self.fields["members"].label_from_instance = _member_label


class WithdrawalForm(forms.Form):
    member = fields.ModelChoiceField(
        label=_("Member"),
        queryset=None,
        empty_label=_("Choose a member present"),
        error_messages={
            "required": _("Choose the member who withdrew."),
            "invalid_choice": _("Choose one of the members present."),
        },
    )
    declaration = fields.ModelChoiceField(
        label=_("Withdrew from"),
        queryset=None,
        required=False,
        empty_label=_("The whole meeting"),
        error_messages={"invalid_choice": _("Choose a declaration of this meeting's call.")},
    )
    reason = forms.CharField(
        label=_("Conflict of interest"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the conflict of interest the member withdrew for.")},
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, prefix="withdrawal", **kwargs)
        self.fields["member"].queryset = meeting.members_present.order_by("role", "last_name", "username")
        self.fields["member"].label_from_instance = _member_label
        self.fields["declaration"].queryset = meetings.declarations_for_withdrawal(meeting).select_related(
            "organisation"
        )
        self.fields["declaration"].label_from_instance = _declaration_label


class WithdrawalRemovalForm(forms.Form):
    """Why a withdrawal recorded by mistake is removed; one form per withdrawal on the page."""

    removal_reason = forms.CharField(
        label=_("Why is it removed?"),
        max_length=500,
        error_messages={"required": _("Say why the withdrawal is removed.")},
    )

    def __init__(self, *args, withdrawal, **kwargs):
        super().__init__(*args, prefix=f"removal-{withdrawal.pk}", **kwargs)
        self.withdrawal = withdrawal


class OpinionForm(forms.Form):
    declaration = fields.ModelChoiceField(
        label=_("Declaration"),
        queryset=None,
        empty_label=_("Choose a declaration"),
        help_text=_("Declarations of the call whose evaluation is complete and not yet decided."),
        error_messages={
            "required": _("Choose a declaration."),
            "invalid_choice": _(
                "This declaration is not awaiting the meeting's opinion: its evaluation must be complete and "
                "no decision taken yet."
            ),
        },
    )
    scheme = forms.ChoiceField(
        label=_("Support scheme"),
        choices=SupportScheme.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether the meeting proposes to support the declaration.")},
    )
    proposed_amount = MoneyField(
        label=_("Proposed amount (yuan)"),
        required=False,
        min_value=Decimal("0.01"),
        help_text=_("For support only: no higher than the declaration's award cap. Leave empty otherwise."),
    )
    opinion = forms.CharField(
        label=_("Evaluation opinion"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write the meeting's evaluation opinion.")},
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, prefix="opinion", **kwargs)
        self.fields["declaration"].queryset = meetings.declarations_awaiting_opinion(meeting)
        self.fields["declaration"].label_from_instance = _candidate_label
