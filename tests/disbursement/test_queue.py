"""The finance console's lists: orders to prepare, payment orders (with the re-check of each waiting
unit), payments; their filters, pages, query counts and exports."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from declarations.enums import DeclarationState as S
from disbursement.models import PaymentOrderState as OS
from disbursement.services import bank_account_set, order_approve, order_prepare
from review.models import CreditList, CreditRecord
from tests.disbursement.conftest import APPROVED

QUEUE = reverse("disbursement:queue")
ORDERS = reverse("disbursement:orders")
PAYMENTS = reverse("disbursement:payments")


def _account(declaration, finance):
    bank_account_set(
        organisation_id=declaration.organisation_id,
        actor=finance,
        account_name=declaration.organisation.name,
        bank_name="Bank of Beijing",
        account_number="6222020200112233445",
    )


def test_to_prepare_lists_payable_declarations_with_what_is_left_to_order(client, finance, make_declaration, draft):
    confirmed = make_declaration(S.CONFIRMED)
    disbursing = make_declaration(S.DISBURSING)
    make_declaration(S.PAID)
    make_declaration(S.STOPPED)
    make_declaration(S.IN_PUBLICITY)
    client.force_login(finance)

    response = client.get(QUEUE)

    assert sorted((d.pk, d.to_order) for d in response.context["page"].object_list) == sorted(
        [(confirmed.pk, APPROVED), (disbursing.pk, APPROVED / 2)]
    )
    content = response.content.decode()
    assert f'<a href="/disbursement/{disbursing.pk}/">{disbursing.number}</a>' in content
    assert '<td class="text-end amount">800,000.00</td>' in content


def test_to_prepare_leaves_out_what_an_approved_order_holds(client, finance, second_finance, make_declaration):
    confirmed = make_declaration(S.CONFIRMED)
    _account(confirmed, finance)
    order = order_prepare(declaration_id=confirmed.pk, actor=finance)
    client.force_login(finance)
    prepared_only = client.get(QUEUE)
    order_approve(order_id=order.pk, actor=second_finance)
    approved = client.get(QUEUE)

    assert [d.pk for d in prepared_only.context["page"].object_list] == [confirmed.pk]
    assert list(approved.context["page"].object_list) == []


def test_orders_waiting_show_the_re_check_of_each_unit_now(client, finance, make_declaration):
    clear = make_declaration(S.CONFIRMED)
    _account(clear, finance)
    clear_order = order_prepare(declaration_id=clear.pk, actor=finance)
    client.force_login(finance)
    CreditRecord.objects.create(
        credit_code=clear.organisation.credit_code,
        list=CreditList.choices[0][0],
        starts_on="2020-01-01",
        source="Credit China 2026-0001",
    )

    response = client.get(ORDERS, {"state": OS.PREPARED})

    (row,) = response.context["rows"]
    assert row["order"].pk == clear_order.pk
    assert [f.text for f in row["findings"]] and "Credit China 2026-0001" in row["findings"][0].text
    assert "Blocked" in response.content.decode()


@pytest.fixture
def many_orders(make_declaration, finance):
    def make(count):
        declarations = []
        for _ in range(count):
            declaration = make_declaration(S.CONFIRMED)
            _account(declaration, finance)
            order_prepare(declaration_id=declaration.pk, actor=finance)
            declarations.append(declaration)
        return declarations

    return make


@pytest.mark.parametrize("count", [2, 12])
def test_order_list_query_count_does_not_grow_with_rows(
    client, finance, many_orders, django_assert_max_num_queries, count
):
    many_orders(count)
    client.force_login(finance)

    # session, user, count, page, unread notices, and the re-check's two registers.
    with django_assert_max_num_queries(8):
        response = client.get(ORDERS, {"state": OS.PREPARED})

    assert len(response.context["rows"]) == count


@pytest.mark.parametrize("count", [2, 12])
def test_to_prepare_query_count_does_not_grow_with_rows(
    client, finance, make_declaration, django_assert_max_num_queries, count
):
    for _ in range(count):
        make_declaration(S.CONFIRMED)
    client.force_login(finance)

    with django_assert_max_num_queries(5):
        response = client.get(QUEUE)

    assert len(response.context["page"].object_list) == count


@pytest.mark.parametrize("count", [1, 8])
def test_payment_list_query_count_does_not_grow_with_rows(
    client, finance, make_declaration, django_assert_max_num_queries, count
):
    for _ in range(count):
        make_declaration(S.DISBURSING)
    client.force_login(finance)

    with django_assert_max_num_queries(5):
        response = client.get(PAYMENTS)

    assert len(response.context["page"].object_list) == count


def test_order_list_paginates_by_25_keeping_filter(client, finance, many_orders):
    many_orders(26)
    client.force_login(finance)

    first = client.get(ORDERS, {"state": OS.PREPARED})
    second = client.get(ORDERS, {"state": OS.PREPARED, "page": 2})

    assert len(first.context["rows"]) == 25
    assert len(second.context["rows"]) == 1
    assert '<a class="page-link" href="?state=prepared&amp;page=2">Next</a>' in first.content.decode()


def test_order_list_search_by_unit_and_unknown_state_ignored(client, finance, many_orders):
    _first, second = many_orders(2)
    client.force_login(finance)

    by_number = client.get(ORDERS, {"q": second.number})
    unknown = client.get(ORDERS, {"state": "nonsense"})

    assert [row["order"].declaration_id for row in by_number.context["rows"]] == [second.pk]
    assert len(unknown.context["rows"]) == 2
    assert list(unknown.context["filter_form"].errors) == ["state"]


def test_order_export_csv_neutralises_formula_cells(client, finance, make_declaration):
    declaration = make_declaration(S.CONFIRMED)
    declaration.organisation.name = "=HYPERLINK(1)"
    declaration.organisation.save()
    _account(declaration, finance)
    order_prepare(declaration_id=declaration.pk, actor=finance)
    client.force_login(finance)

    response = client.get(reverse("disbursement:orders_export", args=["csv"]))

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["Order", "Number", "Organisation"]
    assert rows[1][2] == "'=HYPERLINK(1)"
    assert rows[1][6] == "1600000.00"


def test_payment_export_xlsx_has_amounts_as_numbers(client, finance, make_declaration):
    declaration = make_declaration(S.DISBURSING)
    client.force_login(finance)

    response = client.get(reverse("disbursement:payments_export", args=["xlsx"]))

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.values)
    assert values[1][0] == declaration.number
    assert Decimal(str(values[1][7])) == APPROVED / 2


def test_export_of_unknown_format_not_found(client, finance, db):
    client.force_login(finance)

    assert client.get(reverse("disbursement:orders_export", args=["pdf"])).status_code == 404
