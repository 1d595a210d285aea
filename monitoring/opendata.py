"""Open data (Art. 3, issue 16 item 4): the funds' results by year and programme for the public, and
every confirmed award as machine-readable data, shaped after the 360Giving Data Standard's grant
fields where they fit.

Which awards: every declaration whose support was confirmed after its publicity period (it has a
CONFIRM event), whatever happened since: still confirmed, disbursing, paid, and also stopped,
terminated or recovered later (its `status` says so, and `amountDisbursed` is what was actually
paid). An award that never got past publicity (approved, in publicity, objection upheld) is not
one, and a classified project (Declaration.classified, now) never appears: not as a row, and not
in the page's counts and sums of awards. No personal data: the recipient is an organisation (name
and unified social credit code, which the publicity list shows already); no contact, no legal
representative, no bank account.

The exports stream: rows are read from the database in chunks (QuerySet.iterator) and written as
they come, so 10,000 awards never sit in memory at once.
"""

import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, DecimalField, Exists, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from common.money import FEN, MONEY, ZERO, Fen, money_sum
from declarations.enums import DeclarationAction as A
from declarations.enums import DeclarationState as S
from declarations.models import Call, Declaration, DeclarationEvent, Programme
from disbursement.models import Payment

CHUNK_SIZE = 2000
# 360Giving identifiers: a grant's id is the publisher's prefix and the declaration's number; an
# organisation's is its unified social credit code under the org-id.guide list CN-USCC.
GRANT_ID_PREFIX = "360G-bjkw-"
ORGANISATION_ID_PREFIX = "CN-USCC-"
CURRENCY = "CNY"
# The funder of every programme (Art. 1): the commission. Its id is settings.OPEN_DATA_FUNDER_ID:
# the publisher's 360Giving prefix until the deployment names its org-id (CN-USCC-<its code>).
FUNDING_ORGANISATION_NAME = "北京市科学技术委员会、中关村科技园区管理委员会"


def funding_organisation():
    return {"id": settings.OPEN_DATA_FUNDER_ID, "name": FUNDING_ORGANISATION_NAME}


# --- the awards -----------------------------------------------------------------------------------


def _confirmed():
    return Exists(DeclarationEvent.objects.filter(declaration=OuterRef("pk"), action=A.CONFIRM))


def _event_time(action, last=False):
    order = ("-created_at", "-pk") if last else ("created_at", "pk")
    return Subquery(
        DeclarationEvent.objects.filter(declaration=OuterRef("pk"), action=action)
        .order_by(*order)
        .values("created_at")[:1]
    )


def _paid(order=None):
    payments = Payment.objects.filter(declaration=OuterRef("pk")).order_by()
    if order is None:
        return Fen(
            Coalesce(
                Subquery(payments.values("declaration_id").annotate(total=Sum("amount")).values("total")[:1]),
                ZERO,
                output_field=DecimalField(**MONEY),
            )
        )
    return Subquery(payments.order_by(order).values("paid_on")[:1])


def award_list(year=None):
    """The confirmed awards that are not classified, oldest confirmation first, with what their
    rows read (organisation, programme, call, the dates, the amount paid). One query; read it with
    .iterator()."""
    awards = Declaration.objects.filter(_confirmed(), classified=False)
    if year is not None:
        awards = awards.filter(call__year=year)
    return (
        awards.select_related("organisation", "programme", "call")
        .annotate(
            approved_at=_event_time(A.APPROVE, last=True),
            confirmed_at=_event_time(A.CONFIRM),
            amount_disbursed=_paid(),
            first_paid_on=_paid("paid_on"),
            last_paid_on=_paid("-paid_on"),
        )
        .order_by("confirmed_at", "number", "pk")
    )


def _local_date(moment):
    return None if moment is None else timezone.localdate(moment)


# What a state says of a confirmed award, in the data (stable codes, not the staff's wording).
STATUS = {
    S.CONFIRMED: "confirmed",
    S.DISBURSING: "disbursing",
    S.PAID: "paid",
    S.STOPPED: "stopped",
    S.TERMINATED: "terminated",
    S.RECOVERED: "recovered",
}


def award_grant(award):
    """One award as a 360Giving grant (its JSON shape; the CSV flattens it)."""
    return {
        "id": f"{GRANT_ID_PREFIX}{award.number}",
        "title": award.title,
        "description": f"{award.programme.title_zh} / {award.programme.title_en} (Art. {award.programme.article})",
        "currency": CURRENCY,
        "amountAwarded": _number(award.approved_amount),
        "amountDisbursed": _number(award.amount_disbursed),
        "awardDate": _iso(_local_date(award.confirmed_at)),
        "approvalDate": _iso(_local_date(award.approved_at)),
        "firstPaymentDate": _iso(award.first_paid_on),
        "lastPaymentDate": _iso(award.last_paid_on),
        "status": STATUS.get(award.state, award.state),
        "supportYear": award.call.year,
        "recipientOrganization": [
            {"id": f"{ORGANISATION_ID_PREFIX}{award.organisation.credit_code}", "name": award.organisation.name}
        ],
        "fundingOrganization": [funding_organisation()],
        "grantProgramme": [{"code": award.programme.code, "title": award.programme.title_zh}],
    }


def _number(amount):
    """An amount to the fen as a JSON number (the standard's amounts are numbers): a float holds
    every amount of MONEY's shape to the fen, and json writes it back in its shortest exact form."""
    return float((amount or ZERO).quantize(FEN))


def _iso(day):
    return None if day is None else day.isoformat()


# The CSV's columns: 360Giving's spreadsheet titles, then this publisher's additional ones.
CSV_FIELDS = (
    ("Identifier", lambda g: g["id"]),
    ("Title", lambda g: g["title"]),
    ("Description", lambda g: g["description"]),
    ("Currency", lambda g: g["currency"]),
    ("Amount Awarded", lambda g: f"{g['amountAwarded']:.2f}"),
    ("Amount Disbursed", lambda g: f"{g['amountDisbursed']:.2f}"),
    ("Award Date", lambda g: g["awardDate"]),
    ("Approval Date", lambda g: g["approvalDate"]),
    ("First Payment Date", lambda g: g["firstPaymentDate"]),
    ("Last Payment Date", lambda g: g["lastPaymentDate"]),
    ("Status", lambda g: g["status"]),
    ("Support Year", lambda g: g["supportYear"]),
    ("Recipient Org:Identifier", lambda g: g["recipientOrganization"][0]["id"]),
    ("Recipient Org:Name", lambda g: g["recipientOrganization"][0]["name"]),
    ("Funding Org:Identifier", lambda g: g["fundingOrganization"][0]["id"]),
    ("Funding Org:Name", lambda g: g["fundingOrganization"][0]["name"]),
    ("Grant Programme:Code", lambda g: g["grantProgramme"][0]["code"]),
    ("Grant Programme:Title", lambda g: g["grantProgramme"][0]["title"]),
)


def grants(year=None):
    """Every award of award_list as a grant, read in chunks."""
    for award in award_list(year).iterator(chunk_size=CHUNK_SIZE):
        yield award_grant(award)


def json_chunks(year=None, grants_per_chunk=200):
    """The 360Giving JSON package {"grants": [...]} as pieces of text, written as the rows come."""
    yield '{"grants": ['
    chunk, first = [], True
    for grant in grants(year):
        chunk.append(("" if first else ",") + "\n" + json.dumps(grant, ensure_ascii=False))
        first = False
        if len(chunk) >= grants_per_chunk:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)
    yield "\n]}\n"


# --- the results by year and programme -----------------------------------------------------------


@dataclass
class ProgrammeResult:
    programme: Programme
    received: int = 0
    awards: int = 0
    awarded: Decimal = ZERO
    paid: Decimal = ZERO


@dataclass
class YearResults:
    year: int
    programmes: list[ProgrammeResult] = field(default_factory=list)

    def total(self, name):
        return sum((getattr(row, name) for row in self.programmes), 0 if name in ("received", "awards") else ZERO)

    @property
    def received(self):
        return self.total("received")

    @property
    def awards(self):
        return self.total("awards")

    @property
    def awarded(self):
        return self.total("awarded")

    @property
    def paid(self):
        return self.total("paid")


def open_data_years():
    """The support years that have a call, newest first. One query."""
    return list(Call.objects.order_by("-year").values_list("year", flat=True).distinct())


def year_results(year):
    """The results of support year `year` per programme: declarations received (counted, never
    named), confirmed awards that are not classified, what they were awarded and paid. Three
    queries, whatever the number of declarations."""
    declarations = Declaration.objects.filter(call__year=year).order_by()
    award = Q(_confirmed(), classified=False)
    counted = {
        row.pop("programme_id"): row
        for row in declarations.values("programme_id").annotate(
            received=Count("pk", filter=~Q(state=S.DRAFT)),
            awards=Count("pk", filter=award),
            awarded=money_sum("approved_amount", filter=award),
        )
    }
    paid = dict(
        Payment.objects.filter(declaration__in=declarations.filter(award))
        .order_by()
        .values("declaration__programme_id")
        .annotate(total=money_sum("amount"))
        .values_list("declaration__programme_id", "total")
    )
    programmes = Programme.objects.filter(Q(calls__year=year) | Q(pk__in=counted)).distinct().order_by("position")
    return YearResults(
        year=year,
        programmes=[
            ProgrammeResult(programme, **counted.get(programme.pk, {}), paid=paid.get(programme.pk) or ZERO)
            for programme in programmes
        ],
    )
