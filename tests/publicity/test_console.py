import pytest
from django.urls import reverse

from declarations.enums import DeclarationState as S
from declarations.models import Declaration
from publicity.models import Objection, ObjectionState, PublicityBatch
from publicity.services import objection_raise
from tests.factories import CallFactory
from tests.publicity.conftest import OPENED_ON, STARTS_ON, on


@pytest.fixture
def console_pages(batch_with_one):
    """Every console publicity page: (method, url), with an open objection to handle."""
    batch, declaration = batch_with_one
    with on(STARTS_ON):
        objection = objection_raise(
            entry=declaration.publicity_entries.get(), name="李四", contact="13800000000", text="?"
        )
    return [
        ("get", reverse("publicity:console_batches")),
        ("get", reverse("publicity:console_batch_open")),
        ("get", reverse("publicity:console_batch_open") + f"?call={batch.call_id}"),
        ("post", reverse("publicity:console_batch_open") + f"?call={batch.call_id}"),
        ("get", reverse("publicity:console_batch", args=[batch.pk])),
        ("post", reverse("publicity:console_batch_close", args=[batch.pk])),
        ("post", reverse("publicity:objection_handle", args=[objection.pk])),
        ("get", reverse("publicity:objection_evidence", args=[objection.pk])),
        ("get", reverse("publicity:console_objections")),
        ("get", reverse("publicity:console_overdue")),
    ]


def untouched():
    return (
        list(PublicityBatch.objects.values_list("closed_at", flat=True)),
        list(Objection.objects.values_list("state", flat=True)),
        list(Declaration.objects.values_list("state", flat=True)),
    )


@pytest.mark.parametrize("role", ["applicant", "reviewer", "finance", "administrator"])
def test_console_pages_forbid_other_roles(client, console_pages, role, request):
    client.force_login(request.getfixturevalue(role))
    before = untouched()

    statuses = [getattr(client, method)(url).status_code for method, url in console_pages]

    assert statuses == [403] * len(console_pages)
    assert untouched() == before == ([None], [ObjectionState.OPEN], [S.IN_PUBLICITY])


def test_console_pages_send_anonymous_users_to_login(client, console_pages):
    locations = [getattr(client, method)(url)["Location"] for method, url in console_pages]

    assert locations == [
        reverse("account_login") + "?next=" + url.replace("?", "%3F").replace("=", "%3D") for _, url in console_pages
    ]
    assert all(location.startswith("/accounts/login/") for location in locations)


def test_console_batches_lists_batches_with_counts(staff_client, batch_with_one):
    batch, declaration = batch_with_one
    with on(STARTS_ON):
        objection_raise(entry=declaration.publicity_entries.get(), name="李四", contact="13800000000", text="?")

    response = staff_client.get(reverse("publicity:console_batches"))

    assert [(b.pk, b.entry_count, b.open_objection_count) for b in response.context["batches"]] == [(batch.pk, 1, 1)]
    assert response.context["console_section"] == "publicity"
    assert reverse("publicity:console_batch", args=[batch.pk]) in response.content.decode()


# Session, user, the batches with their counts, the unread-notice badge.
@pytest.mark.parametrize("size", [2, 20])
def test_console_batches_queries_do_not_grow(staff_client, publicise, django_assert_max_num_queries, size):
    for _ in range(size):
        publicise(1)

    with django_assert_max_num_queries(4):
        response = staff_client.get(reverse("publicity:console_batches"))

    assert [b.entry_count for b in response.context["batches"]] == [1] * size


# Session, user, the batch, its entries, their objections, the unread-notice badge.
@pytest.mark.parametrize("size", [2, 20])
def test_console_batch_queries_do_not_grow(staff_client, publicise, django_assert_max_num_queries, size):
    batch, declarations = publicise(size, classified=1)
    with on(STARTS_ON):
        for declaration in declarations[:-1]:
            objection_raise(entry=declaration.publicity_entries.get(), name="李四", contact="13800000000", text="?")

    with on(STARTS_ON), django_assert_max_num_queries(6):
        response = staff_client.get(reverse("publicity:console_batch", args=[batch.pk]))

    html = response.content.decode()
    assert html.count("<textarea") == 2 * size  # a reason and a reply per open objection
    assert declarations[-1].number in html  # staff see classified declarations


def test_console_batch_open_lists_calls_with_approved_declarations(staff_client, make_approved):
    with on(OPENED_ON):
        call = CallFactory(title="2026 second call")
        CallFactory(title="2026 call without approvals")
        (_approved,) = make_approved(call, 1)
        response = staff_client.get(reverse("publicity:console_batch_open"))

    assert list(response.context["call_form"].fields["call"].queryset) == [call]
    assert response.context["open_form"] is None
    assert "Opened now, the publicity runs from Sept. 30, 2026 to Oct. 12, 2026." not in response.content.decode()


def test_console_batch_open_shows_window_and_refuses_empty_choice(staff_client, make_approved):
    with on(OPENED_ON):
        call = CallFactory()
        (_approved,) = make_approved(call, 1)
        url = reverse("publicity:console_batch_open") + f"?call={call.pk}"
        page = staff_client.get(url)
        empty = staff_client.post(url, {"declarations": []})
        stranger = staff_client.post(url, {"declarations": ["abc"]})

    assert "Opened now, the publicity runs from Sept. 30, 2026 to Oct. 12, 2026." in page.content.decode()
    assert empty.context["open_form"].errors == {"declarations": ["Choose at least one approved declaration."]}
    assert "Choose at least one approved declaration." in empty.content.decode()
    assert stranger.context["open_form"].errors == {"declarations": ["“abc” is not a declaration."]}
    assert (PublicityBatch.objects.count(), Declaration.objects.get().state) == (0, S.APPROVED)


def test_console_batch_open_refuses_declaration_of_another_call(staff_client, make_approved):
    with on(OPENED_ON):
        call, other_call = CallFactory(), CallFactory()
        (approved,) = make_approved(call, 1)
        (other,) = make_approved(other_call, 1)
        response = staff_client.post(
            reverse("publicity:console_batch_open") + f"?call={call.pk}", {"declarations": [approved.pk, other.pk]}
        )

    assert response.context["open_form"].errors == {
        "declarations": [f"Declaration {other.pk} is no longer approved in this call; reload the page."]
    }
    assert (PublicityBatch.objects.count(), sorted(Declaration.objects.values_list("state", flat=True))) == (
        0,
        [S.APPROVED, S.APPROVED],
    )


def test_console_batch_open_with_unknown_call_explains(staff_client, db):
    page = staff_client.get(reverse("publicity:console_batch_open"), {"call": "999"})
    posted = staff_client.post(reverse("publicity:console_batch_open") + "?call=nonsense", follow=True)

    assert page.context["call_form"].errors == {"call": ["This call has no approved declarations to publicise."]}
    assert posted.redirect_chain == [(reverse("publicity:console_batch_open"), 302)]
    assert "Choose a call first." in posted.content.decode()
