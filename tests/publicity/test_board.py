import pytest
from django.urls import reverse

from declarations.enums import DeclarationState as S
from declarations.models import Declaration
from publicity.models import PublicityBatch
from tests.factories import CallFactory
from tests.publicity.conftest import ENDS_ON, OPENED_ON, STARTS_ON, on


def test_batch_open_from_console_publicises_and_board_shows_end_date(client, staff, make_approved):
    with on(OPENED_ON):
        call = CallFactory()
        public_one, public_two = make_approved(call, 2)
        (secret,) = make_approved(call, 1, classified=True)
        client.force_login(staff)
        page = client.get(reverse("publicity:console_batch_open"), {"call": call.pk})
        opened = client.post(
            reverse("publicity:console_batch_open") + f"?call={call.pk}",
            {"declarations": [public_one.pk, public_two.pk, secret.pk], "title": "Publicity 2026-1"},
            follow=True,
        )
    client.logout()
    board = client.get(reverse("publicity:board")).content.decode()

    batch = PublicityBatch.objects.get()
    # Listed by declaration number, which follows the order of submission here.
    assert [o.data["value"].instance.pk for o in page.context["open_form"]["declarations"]] == [
        public_one.pk,
        public_two.pk,
        secret.pk,
    ]
    assert opened.redirect_chain == [(reverse("publicity:console_batch", args=[batch.pk]), 302)]
    assert (batch.title, batch.starts_on, batch.ends_on) == ("Publicity 2026-1", STARTS_ON, ENDS_ON)
    assert sorted(Declaration.objects.values_list("pk", "state")) == sorted(
        [(public_one.pk, S.IN_PUBLICITY), (public_two.pk, S.IN_PUBLICITY), (secret.pk, S.IN_PUBLICITY)]
    )
    assert "Publicity opened for 3 declarations, from Sept. 30, 2026 to Oct. 12, 2026." in opened.content.decode()
    assert "Publicity 2026-1" in board
    assert '<time datetime="2026-10-12">Oct. 12, 2026</time>' in board
    for declaration in (public_one, public_two):
        assert declaration.number in board
        assert declaration.title in board
        assert declaration.organisation.name in board
    assert "ART6" in board
    assert board.count("1,600,000.00") == 2
    assert secret.number not in board
    assert secret.title not in board
    assert secret.organisation.name not in board


def test_board_shows_public_state_label_and_objection_links_while_running(client, publicise):
    _batch, (declaration,) = publicise(1)

    with on(STARTS_ON):
        running = client.get(reverse("publicity:board")).content.decode()
    with on(OPENED_ON):
        upcoming = client.get(reverse("publicity:board")).content.decode()

    objection_url = reverse("publicity:objection", args=[declaration.publicity_entries.get().pk])
    assert (objection_url in running, objection_url in upcoming) == (True, False)
    assert '<td class="text-nowrap">In publicity</td>' in running
    assert "Objections may be raised from Sept. 30, 2026 to Oct. 12, 2026." in upcoming


def test_board_hides_batches_with_only_classified_declarations(client, publicise):
    batch, (secret,) = publicise(0, classified=1)

    board = client.get(reverse("publicity:board"))
    page = client.get(reverse("publicity:batch", args=[batch.pk]))
    objection = client.get(reverse("publicity:objection", args=[secret.publicity_entries.get().pk]))

    assert list(board.context["batches"]) == []
    assert batch.title not in board.content.decode()
    assert (page.status_code, objection.status_code) == (404, 404)


def test_batch_page_lists_public_entries_only(client, publicise):
    batch, (public, secret) = publicise(1, classified=1)

    page = client.get(reverse("publicity:batch", args=[batch.pk]))
    html = page.content.decode()

    assert [entry.declaration_id for entry in page.context["batch"].public_entries] == [public.pk]
    assert (public.number in html, secret.number in html) == (True, False)
    assert f'<h1 class="mb-3">{batch.title}</h1>' in html


def test_board_keeps_confirmed_batch_with_publicity_ended_label(client, publicise):
    from publicity.services import publicity_batch_close

    batch, (declaration,) = publicise(1)
    with on(ENDS_ON.replace(day=13)):
        publicity_batch_close(batch_id=batch.pk)
        html = client.get(reverse("publicity:board")).content.decode()

    assert Declaration.objects.get(pk=declaration.pk).state == S.CONFIRMED
    assert declaration.number in html
    assert '<td class="text-nowrap">Publicity ended</td>' in html
    assert reverse("publicity:objection", args=[declaration.publicity_entries.get().pk]) not in html


def test_board_leaves_out_declarations_whose_objection_was_upheld(client, staff, publicise):
    from publicity.models import ObjectionOutcome
    from publicity.services import objection_handle, objection_raise

    _batch, (kept, removed) = publicise(2)
    with on(STARTS_ON):
        objection = objection_raise(
            entry=removed.publicity_entries.get(), name="Wang Wu", contact="wang@example.com", text="Not a first round."
        )
        objection_handle(
            objection_id=objection.pk,
            actor=staff,
            outcome=ObjectionOutcome.NOT_SUPPORTED,
            reason="An earlier round existed.",
            reply="Verified.",
        )
        html = client.get(reverse("publicity:board")).content.decode()

    assert (kept.number in html, removed.number in html) == (True, False)


# Both sizes share one bound: the batches, then their public entries with organisation and programme.
@pytest.mark.parametrize("size", [2, 20])
def test_board_queries_do_not_grow_with_entries(client, publicise, django_assert_max_num_queries, size):
    publicise(size, classified=1)

    with on(STARTS_ON), django_assert_max_num_queries(2):
        response = client.get(reverse("publicity:board"))

    assert [len(batch.public_entries) for batch in response.context["batches"]] == [size]
    assert response.content.decode().count("1,600,000.00") == size


@pytest.mark.parametrize("size", [2, 20])
def test_batch_page_queries_do_not_grow_with_entries(client, publicise, django_assert_max_num_queries, size):
    batch, _ = publicise(size)

    with on(STARTS_ON), django_assert_max_num_queries(2):
        response = client.get(reverse("publicity:batch", args=[batch.pk]))

    assert response.content.decode().count("Raise an objection") == size
