"""The Art. 17 re-check: for now the credit register alone (the register of unit status lands with
branch issue14-recheck, which replaces this module)."""

from dataclasses import dataclass

from review.selectors import credit_records_against


@dataclass(frozen=True)
class RecheckFinding:
    cause: str
    record: object
    text: str


def unit_recheck(organisation, *, on=None):
    return [RecheckFinding("credit", r, r.describe()) for r in credit_records_against(organisation, on)]


def unit_recheck_many(organisations, *, on=None):
    return {o.pk: unit_recheck(o, on=on) for o in organisations}


def recheck_stop_note(findings):
    return "Art. 17: " + "; ".join(f.text for f in findings)
