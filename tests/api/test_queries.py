"""Every list costs the same number of queries whatever its page holds (two sizes each)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from declarations.enums import DeclarationState as S
from disbursement.models import Payment, RecoveryCase, Repayment
from review.models import ReviewAssignment
from tests.factories import DeclarationFactory

# token look-up, the holder's other tokens (knox drops expired ones), the authenticator app (staff
# side), the page's count, the page's rows (+ the repayments of the recovery cases' page).
EXPECTED = {
    ("finance", "/api/declarations/"): 5,
    ("finance", "/api/payments/"): 5,
    ("finance", "/api/recovery-cases/"): 6,
    ("staff", "/api/declarations/"): 5,
    ("reviewer", "/api/declarations/"): 5,
    ("applicant", "/api/declarations/"): 4,
}


def add_rows(count, *, applicant, staff, reviewer, finance, call, start):
    """`count` declarations of `applicant`'s organisation, each assigned to `reviewer`, paid twice,
    with a recovery case repaid in two parts."""
    for n in range(count):
        declaration = DeclarationFactory(
            organisation=applicant.organisation,
            call=call,
            created_by=applicant,
            state=S.RECOVERED,
            number=f"2026-ART6-{start + n:04d}",
            submitted_at=timezone.now(),
            approved_amount=Decimal("1000.00"),
            award_cap=Decimal("1000.00"),
            recovered_amount=Decimal("1000.00"),
        )
        ReviewAssignment.objects.create(declaration=declaration, reviewer=reviewer, assigned_by=staff)
        for part in range(2):
            Payment.objects.create(
                declaration=declaration,
                amount=Decimal("500.00"),
                paid_on=datetime.date(2026, 6, 1 + part),
                reference=f"P-{start + n}-{part}",
                recorded_by=finance,
            )
        case = RecoveryCase.objects.create(
            declaration=declaration,
            number=f"R-{start + n}",
            reason="Forged evidence.",
            amount_due=Decimal("1000.00"),
            due_on=datetime.date(2026, 12, 31),
            opened_by=staff,
        )
        for part in range(2):
            Repayment.objects.create(
                case=case,
                amount=Decimal("100.00"),
                received_on=datetime.date(2026, 7, 1),
                reference=f"R{part}",
                recorded_by=finance,
            )


@pytest.mark.parametrize(("who", "path"), list(EXPECTED))
def test_a_lists_query_count_does_not_grow_with_its_page(
    request, applicant, staff, reviewer, finance, open_call, token_client, django_assert_num_queries, who, path
):
    people = {"applicant": applicant, "staff": staff, "reviewer": reviewer, "finance": finance}
    client = token_client(people[who])
    client.get(path)  # the first request's one-off reads (content types) are not the list's

    add_rows(2, applicant=applicant, staff=staff, reviewer=reviewer, finance=finance, call=open_call, start=1)
    with django_assert_num_queries(EXPECTED[(who, path)]):
        small = client.get(path)
    add_rows(5, applicant=applicant, staff=staff, reviewer=reviewer, finance=finance, call=open_call, start=10)
    with django_assert_num_queries(EXPECTED[(who, path)]):
        large = client.get(path)

    assert (small.status_code, large.status_code) == (200, 200)
    assert large.json()["count"] > small.json()["count"] >= 2


def test_a_page_holds_at_most_the_largest_page_size(applicant, staff, reviewer, finance, open_call, token_client):
    from api.pagination import ApiPagination

    add_rows(3, applicant=applicant, staff=staff, reviewer=reviewer, finance=finance, call=open_call, start=1)
    client = token_client(finance)

    page = client.get("/api/payments/?page_size=2").json()
    assert (page["count"], len(page["results"])) == (6, 2)
    assert page["next"].endswith("page=2&page_size=2")
    assert len(client.get("/api/payments/?page_size=100000").json()["results"]) == 6
    assert ApiPagination.max_page_size == 200
    assert client.get("/api/payments/?page=99").status_code == 404
