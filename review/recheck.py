"""The Art. 17 check of a unit, the one function every point of the work asks: submission (the bar the
applicant meets), acceptance, the decision, and the re-check before every payment.

A unit fails it on a day when the credit register holds a record in force that day for its unified
social credit code (research dishonesty, enforcement, seriously illegal and untrustworthy), or when
the register of unit status holds a change that took effect by that day (business licence revoked,
registration cancelled, registered place moved out of Beijing)."""

from collections import defaultdict
from dataclasses import dataclass

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from common import sql
from common.messages import Message, message
from review.models import CreditRecord, UnitStatusRecord


class RecheckCause(models.TextChoices):
    CREDIT = "credit", gettext_lazy("Credit record in force")
    STATUS = "status", gettext_lazy("Registration status")


@dataclass(frozen=True)
class RecheckFinding:
    """One record that fails the unit, and the message naming it: what notes, refusals and the
    re-check's record store, read in the reader's language (`text`, in the active one)."""

    cause: str  # RecheckCause
    record: object  # the CreditRecord or UnitStatusRecord
    message: Message

    @property
    def text(self):
        return str(self.message)


def _credit_finding(record):
    return RecheckFinding(RecheckCause.CREDIT, record, message("review.recheck.credit", record=record.describe()))


def _status_finding(record):
    return RecheckFinding(RecheckCause.STATUS, record, message("review.recheck.status", record=record.describe()))


def _credit_records(day, codes):
    return CreditRecord.objects.in_force_on(day).filter(credit_code__in=codes).order_by("starts_on", "pk")


def _status_records(day, codes):
    return UnitStatusRecord.objects.effective_on(day).filter(credit_code__in=codes).order_by("effective_on", "pk")


_ONE = {"day": sql.STAND_IN_DAY, "code": sql.STAND_IN_TEXT}  # the stand-ins of a prepared read's values
_CREDIT_OF_ONE = sql.Prepared(lambda day, code: _credit_records(day, [code]), **_ONE)
_STATUSES_OF_ONE = sql.Prepared(lambda day, code: _status_records(day, [code]), **_ONE)


def unit_recheck_many(organisations, *, on=None):
    """{organisation id: [RecheckFinding]} for `organisations` (instances, already read) on the day
    `on` (today, Beijing time, by default): an empty list for a unit that passes. Two queries
    whatever the number of organisations, none for none. Credit findings come first, each cause's
    records in the order they took effect."""
    organisations = list(organisations)
    if not organisations:
        return {}
    day = on or timezone.localdate()
    codes = sorted({organisation.credit_code for organisation in organisations})
    if len(codes) == 1:  # a unit's own pages and its submission: the reads built once
        credit = _CREDIT_OF_ONE.rows(day=day, code=codes[0])
        statuses = _STATUSES_OF_ONE.rows(day=day, code=codes[0])
    else:
        credit, statuses = _credit_records(day, codes), _status_records(day, codes)
    found = defaultdict(list)
    for record in credit:
        found[record.credit_code].append(_credit_finding(record))
    for record in statuses:
        found[record.credit_code].append(_status_finding(record))
    return {organisation.pk: list(found.get(organisation.credit_code, ())) for organisation in organisations}


def unit_recheck(organisation, *, on=None):
    """The Art. 17 findings against `organisation` on `on` (today by default); empty when it passes."""
    return unit_recheck_many([organisation], on=on)[organisation.pk]


def recheck_stop_note(findings):
    """The reason to stop support (disbursement's STOP transition) after a re-check found `findings`:
    a message. The stop form proposes it as text; disbursement.services.declaration_stop stores the
    text left as proposed as this message again."""
    return message("review.recheck.stopped", findings=[finding.message for finding in findings])


def recheck_disqualification_note(findings):
    """The note of a disqualification under Art. 17 (at acceptance or the decision), naming every
    record: a message."""
    return message("review.recheck.disqualified", records=[finding.message for finding in findings])


def recheck_blocked(findings):
    """Why a payment order cannot be approved after the re-check found `findings`: a message."""
    return message("review.recheck.blocked", findings=[finding.message for finding in findings])


def recheck_bars(organisation):
    """Why Art. 17 bars the unit from declaring today: one text per record found, in the active
    language. Submission asks it through settings.DECLARATION_BARS."""
    return [str(message("review.recheck.bar", finding=finding.message)) for finding in unit_recheck(organisation)]
