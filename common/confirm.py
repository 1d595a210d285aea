"""The confirmation step of an irreversible action, rendered by the server so that it works without
JavaScript: the first request (a GET, or a POST without CONFIRM_FIELD) shows a page that repeats what
will happen, carrying what was typed in hidden fields; its button posts the same data again with
CONFIRM_FIELD, and only that request acts."""

from dataclasses import dataclass, field

from django.shortcuts import render

CONFIRM_FIELD = "confirmed"
CONFIRM_VALUE = "yes"
# Never carried over: Django's token is written afresh, and the confirmation is the button's.
_NOT_CARRIED = {"csrfmiddlewaretoken", CONFIRM_FIELD}


def is_confirmed(request):
    """Whether the request is the confirmed one: a POST whose confirmation field was sent."""
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == CONFIRM_VALUE


@dataclass
class Confirmation:
    """What the confirmation page says: the action's title, what will happen (one sentence a line),
    the facts it repeats (label, value), where the button posts and where "back" goes."""

    title: str
    consequences: list = field(default_factory=list)
    facts: list = field(default_factory=list)
    button: str = ""
    action_url: str = ""
    cancel_url: str = ""
    # A destructive action (a refusal, a disqualification): the button is red.
    danger: bool = False


def confirmation_page(request, confirmation, *, base="console/base.html", extra=None):
    """The page of `confirmation`, carrying the posted fields (files are never carried: no action
    that asks for a confirmation takes one). Nothing is changed by rendering it."""
    carried = []
    if request.method == "POST":
        carried = [
            (name, value) for name, values in request.POST.lists() if name not in _NOT_CARRIED for value in values
        ]
    context = {
        "confirmation": confirmation,
        "carried": carried,
        "confirm_field": CONFIRM_FIELD,
        "confirm_value": CONFIRM_VALUE,
        "base_template": base,
        "title": confirmation.title,
        **(extra or {}),
    }
    return render(request, "common/confirm.html", context)
