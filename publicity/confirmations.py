"""What opening a publicity batch, closing it, and handling an objection will do, as their
confirmation step says it (common.confirm). Each builder takes what the form cleaned and returns the
Confirmation; rendering it changes nothing."""

from decimal import Decimal

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.confirm import Confirmation, confirmation_page
from common.money import yuan
from publicity.models import ObjectionOutcome


def _date(value):
    return date_format(value, "DATE_FORMAT")


def publicity_confirmation_page(request, confirmation):
    return confirmation_page(request, confirmation, extra={"console_section": "publicity"})


def batch_open_confirmation(request, call, data, window):
    """Opening a publicity batch of `call` with the chosen declarations (publicity_batch_open);
    `window` is (first day, last day) if opened today."""
    declarations = list(data["declarations"])
    total = sum((d.approved_amount or Decimal("0.00") for d in declarations), Decimal("0.00"))
    starts_on, ends_on = window
    lines = [
        ngettext(
            "%(count)d approved declaration is publicised: it moves to “In publicity”.",
            "%(count)d approved declarations are publicised: they move to “In publicity”.",
            len(declarations),
        )
        % {"count": len(declarations)},
        _("The list appears on the public board from %(start)s to %(end)s (5 working days); anyone may object.")
        % {"start": _date(starts_on), "end": _date(ends_on)},
    ]
    if any(d.classified for d in declarations):
        lines.append(_("Projects kept off the public list go through the period without appearing on the board."))
    lines += [
        _("This cannot be undone: a project leaves the list only after an upheld objection or a termination."),
        _("The applicants are told."),
    ]
    listed = "\n".join(
        f"{d.number or ''} {d.title} · {d.organisation.name} · {yuan(d.approved_amount)}".strip() for d in declarations
    )
    return Confirmation(
        title=_("Open the publicity"),
        consequences=lines,
        facts=[
            (_("Call"), call.title),
            (_("Declarations"), listed),
            (_("Total approved (yuan)"), yuan(total)),
        ],
        button=_("Open the publicity"),
        action_url=request.get_full_path(),
        cancel_url=reverse("publicity:console_batch_open") + f"?call={call.pk}",
    )


def batch_close_confirmation(request, batch):
    """Closing a publicity batch (publicity_batch_close)."""
    return Confirmation(
        title=_("Close the publicity and confirm"),
        consequences=[
            _(
                "Each declaration whose publicity period has ended and that has no open objection is confirmed: "
                "it goes on to disbursement, and its applicant is told."
            ),
            _("A declaration with an open objection waits until the objection is handled."),
            _("When none waits, the batch is closed and its result is final."),
        ],
        facts=[
            (_("Publicity"), batch.title),
            (_("Period"), _("%(start)s to %(end)s") % {"start": _date(batch.starts_on), "end": _date(batch.ends_on)}),
        ],
        button=_("Close the publicity and confirm"),
        action_url=reverse("publicity:console_batch_close", args=[batch.pk]),
        cancel_url=reverse("publicity:console_batch", args=[batch.pk]),
    )


def objection_handle_confirmation(request, objection, form):
    """Handling an objection (publicity.services.objection_handle) with the valid `form`."""
    entry = objection.entry
    declaration = entry.declaration
    outcome = form.outcome
    data = form.cleaned_data
    if outcome is None:
        title = _("Dismiss the objection")
        lines = [_("The objection is dismissed: the project stays in publicity.")]
    else:
        title = _("Uphold the objection")
        if entry.withdrawn_at is not None:
            lines = [
                _("The project has left the list already, after another objection was upheld: nothing more changes.")
            ]
        else:
            lines = [_("The project is withdrawn from the public list, in a new version of the batch.")]
            if outcome == ObjectionOutcome.REVIEW:
                lines.append(_("The declaration goes back to evaluation; the applicant is told, with your reason."))
            else:
                lines.append(
                    _(
                        "The project is not supported: this ends the declaration; the applicant is told, "
                        "with your reason."
                    )
                )
    lines.append(
        _("The objector reads your reply on the look-up page, and by e-mail when they gave an e-mail address.")
    )
    lines.append(_("The decision cannot be changed afterwards."))
    facts = [
        (_("Receipt number"), objection.receipt_number),
        (_("Declaration"), f"{declaration.number or ''} {declaration.title}".strip()),
        (_("Organisation"), declaration.organisation.name),
        (_("Decision"), dict(form.fields["decision"].choices)[data["decision"]]),
    ]
    if data.get("reason"):
        facts.append((_("Reason for the applicant"), data["reason"]))
    facts.append((_("Reply to the objector"), data["reply"]))
    return Confirmation(
        title=title,
        consequences=lines,
        facts=facts,
        button=title,
        action_url=reverse("publicity:objection_handle", args=[objection.pk]),
        cancel_url=reverse("publicity:console_batch", args=[entry.batch_id]) + f"#objection-{objection.pk}",
        danger=outcome is not None,
    )


def version_publish_confirmation(request, batch, which, data):
    """Publishing the next version of a running batch (publicity_version_publish): a correction of
    one project (`which` "correct") or approved declarations added ("add")."""
    lines = [
        _("Version %(number)d of the list is published on the public board at once; it cannot be withdrawn.")
        % {"number": batch.version + 1},
        _("Earlier versions stay readable, with what changed."),
    ]
    facts = [(_("Publicity"), batch.title)]
    if which == "correct":
        declaration = data["entry"].declaration
        facts.append((_("Project"), f"{declaration.number or ''} {declaration.title}".strip()))
        if data.get("title"):
            lines.append(_("The project's title becomes “%(title)s”.") % {"title": data["title"]})
        if data.get("amount") is not None:
            lines.append(_("Its approved amount becomes %(amount)s yuan.") % {"amount": yuan(data["amount"])})
    else:
        declarations = list(data["declarations"])
        lines.append(
            ngettext(
                "%(count)d approved declaration is added, with a publicity period of its own, and moves to "
                "“In publicity”.",
                "%(count)d approved declarations are added, each with a publicity period of its own, and move to "
                "“In publicity”.",
                len(declarations),
            )
            % {"count": len(declarations)}
        )
        facts.append(
            (
                _("Declarations"),
                "\n".join(f"{d.number or ''} {d.title} · {yuan(d.approved_amount)}".strip() for d in declarations),
            )
        )
    facts.append((_("What changed, for the public"), data["changelog"]))
    return Confirmation(
        title=_("Publish the next version"),
        consequences=lines,
        facts=facts,
        button=_("Publish the version"),
        action_url=reverse("publicity:console_batch_correct", args=[batch.pk]),
        cancel_url=reverse("publicity:console_batch_correct", args=[batch.pk]),
    )
