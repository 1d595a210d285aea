from decimal import Decimal

import pytest
from django.urls import reverse

from declarations.enums import DeclarationState as S
from tests.disbursement.conftest import APPROVED

QUEUE = reverse("disbursement:queue")


def rows(response):
    return [
        (declaration.pk, declaration.state, declaration.paid_total, declaration.outstanding)
        for declaration in response.context["page"].object_list
    ]


def test_queue_lists_disbursement_states_with_amounts(client, finance, make_declaration, draft):
    confirmed = make_declaration(S.CONFIRMED)
    disbursing = make_declaration(S.DISBURSING)
    paid = make_declaration(S.PAID)
    stopped = make_declaration(S.STOPPED)
    make_declaration(S.IN_PUBLICITY)
    recovered = make_declaration(S.RECOVERED)  # last: a recovery bars the organisation from declaring (Art. 21)
    client.force_login(finance)

    response = client.get(QUEUE)

    assert sorted(rows(response)) == sorted(
        [
            (confirmed.pk, S.CONFIRMED, Decimal("0.00"), APPROVED),
            (disbursing.pk, S.DISBURSING, APPROVED / 2, APPROVED / 2),
            (paid.pk, S.PAID, APPROVED, None),
            (stopped.pk, S.STOPPED, Decimal("0.00"), None),
            (recovered.pk, S.RECOVERED, APPROVED, None),
        ]
    )


def test_queue_row_shows_formatted_amounts_and_state_label(client, finance, make_declaration):
    disbursing = make_declaration(S.DISBURSING)
    client.force_login(finance)

    response = client.get(QUEUE)

    content = response.content.decode()
    assert f'<a href="/disbursement/{disbursing.pk}/">{disbursing.number}</a>' in content
    assert '<td class="text-end amount">1,600,000.00</td>' in content
    assert content.count('<td class="text-end amount">800,000.00</td>') == 2
    assert "<td>Disbursing</td>" in content
    assert f"<td>{disbursing.programme.code}</td>" in content
    assert f"<td>{disbursing.organisation.name}</td>" in content


def test_queue_filters_by_state(client, finance, make_declaration):
    make_declaration(S.CONFIRMED)
    disbursing = make_declaration(S.DISBURSING)
    client.force_login(finance)

    response = client.get(QUEUE, {"state": S.DISBURSING})

    assert rows(response) == [(disbursing.pk, S.DISBURSING, APPROVED / 2, APPROVED / 2)]
    assert response.context["state"] == S.DISBURSING


def test_queue_unknown_state_filter_shows_all(client, finance, make_declaration):
    confirmed = make_declaration(S.CONFIRMED)
    client.force_login(finance)

    response = client.get(QUEUE, {"state": S.DRAFT})

    assert rows(response) == [(confirmed.pk, S.CONFIRMED, Decimal("0.00"), APPROVED)]
    assert list(response.context["filter_form"].errors) == ["state"]


@pytest.fixture
def many_declarations(make_declaration):
    def make(count):
        states = [S.CONFIRMED, S.DISBURSING, S.PAID]
        return [make_declaration(states[n % len(states)]) for n in range(count)]

    return make


@pytest.mark.parametrize("count", [3, 30])
def test_queue_query_count_does_not_grow_with_rows(
    client, finance, many_declarations, django_assert_max_num_queries, count
):
    many_declarations(count)
    client.force_login(finance)

    # session, user, page count, unread notices, the page itself: paid-so-far is in the page query.
    with django_assert_max_num_queries(5):
        response = client.get(QUEUE)

    assert len(response.context["page"].object_list) == min(count, 25)


def test_queue_paginates_by_25_keeping_filter(client, finance, make_declaration):
    confirmed = [make_declaration(S.CONFIRMED) for _ in range(26)]
    disbursing = make_declaration(S.DISBURSING)
    client.force_login(finance)

    first = client.get(QUEUE, {"state": S.CONFIRMED})
    second = client.get(QUEUE, {"state": S.CONFIRMED, "page": 2})
    unfiltered_second = client.get(QUEUE, {"page": 2})

    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 1
    assert sorted(d.pk for page in (first, second) for d in page.context["page"].object_list) == sorted(
        d.pk for d in confirmed
    )
    assert len(unfiltered_second.context["page"].object_list) == 2
    assert disbursing.pk in [d.pk for d in unfiltered_second.context["page"].object_list]
    assert '<a class="page-link" href="?state=confirmed&amp;page=2">Next</a>' in first.content.decode()
    assert '<a class="page-link" href="?state=confirmed&amp;page=1">Previous</a>' in second.content.decode()
