import pytest
from django.urls import reverse

from declarations.enums import DeclarationState as S
from declarations.models import Declaration
from publicity.models import Objection, ObjectionState
from publicity.services import objection_raise
from tests.publicity.conftest import ENDS_ON, OPENED_ON, STARTS_ON, on

OBJECTION = {"name": "Li Si", "contact": "13800000000", "text": "The investment was not a first round."}


def state_of(declaration):
    return Declaration.objects.get(pk=declaration.pk).state


def raise_objection(declaration, day=STARTS_ON):
    with on(day):
        return objection_raise(entry=declaration.publicity_entries.get(), **OBJECTION)


def test_objection_during_window_is_saved_and_thanked(client, batch_with_one):
    batch, declaration = batch_with_one
    url = reverse("publicity:objection", args=[declaration.publicity_entries.get().pk])

    with on(ENDS_ON, hour=23):
        form_page = client.get(url)
        response = client.post(url, OBJECTION, follow=True)

    objection = Objection.objects.get()
    assert form_page.context["batch"].accepts_objections is True
    assert response.redirect_chain == [(reverse("publicity:batch", args=[batch.pk]), 302)]
    assert (objection.entry_id, objection.name, objection.contact, objection.text, objection.state) == (
        declaration.publicity_entries.get().pk,
        "Li Si",
        "13800000000",
        OBJECTION["text"],
        ObjectionState.OPEN,
    )
    assert (
        f"Thank you. Your objection to {declaration.number} was received; the commission will reply to you."
        in response.content.decode()
    )
    assert state_of(declaration) == S.IN_PUBLICITY


@pytest.mark.parametrize("day", [OPENED_ON, ENDS_ON.replace(day=13)], ids=["before", "after"])
def test_objection_outside_window_is_refused_with_dates(client, batch_with_one, day):
    _batch, declaration = batch_with_one
    url = reverse("publicity:objection", args=[declaration.publicity_entries.get().pk])

    with on(day):
        form_page = client.get(url)
        response = client.post(url, OBJECTION)

    assert Objection.objects.count() == 0
    assert form_page.context["batch"].accepts_objections is False
    assert "Objections are accepted from Sept. 30, 2026 to Oct. 12, 2026." in form_page.content.decode()
    assert response.context["form"].non_field_errors() == ["Objections are accepted from 2026-09-30 to 2026-10-12."]
    assert "Objections are accepted from 2026-09-30 to 2026-10-12." in response.content.decode()


def test_objection_form_errors_are_shown_at_the_fields(client, batch_with_one):
    _, declaration = batch_with_one
    url = reverse("publicity:objection", args=[declaration.publicity_entries.get().pk])

    with on(STARTS_ON):
        response = client.post(url, {"name": "  ", "contact": "not a phone", "text": ""})

    assert Objection.objects.count() == 0
    assert response.context["form"].errors == {
        "name": ["Please give your name."],
        "contact": ["Enter a telephone number or an e-mail address."],
        "text": ["Please write your objection."],
    }
    assert "Enter a telephone number or an e-mail address." in response.content.decode()


def test_objection_accepts_an_email_address_and_refuses_a_bad_one(client, batch_with_one):
    _, declaration = batch_with_one
    url = reverse("publicity:objection", args=[declaration.publicity_entries.get().pk])

    with on(STARTS_ON):
        bad = client.post(url, {**OBJECTION, "contact": "li@@example"})
        good = client.post(url, {**OBJECTION, "contact": "li.si@example.com"})

    assert bad.context["form"].errors == {"contact": ["Enter a valid e-mail address."]}
    assert good["Location"] == reverse("publicity:batch", args=[declaration.publicity_entries.get().batch_id])
    assert list(Objection.objects.values_list("contact", flat=True)) == ["li.si@example.com"]


def test_objection_to_unknown_entry_is_not_found(client, db):
    response = client.post(reverse("publicity:objection", args=[999]), OBJECTION)

    assert (response.status_code, Objection.objects.count()) == (404, 0)


def test_objection_uphold_by_staff_moves_declaration_to_objection_upheld(staff_client, batch_with_one):
    batch, declaration = batch_with_one
    objection = raise_objection(declaration)
    url = reverse("publicity:objection_handle", args=[objection.pk])

    with on(STARTS_ON):
        response = staff_client.post(
            url,
            {f"objection-{objection.pk}-decision": "uphold", f"objection-{objection.pk}-response": "Verified."},
            follow=True,
        )

    objection.refresh_from_db()
    assert response.redirect_chain == [
        (reverse("publicity:console_batch", args=[batch.pk]) + f"#objection-{objection.pk}", 302)
    ]
    assert (objection.state, objection.response, objection.handled_by_id) == (
        ObjectionState.UPHELD,
        "Verified.",
        response.wsgi_request.user.pk,
    )
    assert state_of(declaration) == S.OBJECTION_UPHELD
    assert "The objection was upheld." in response.content.decode()


def test_objection_dismiss_by_staff_keeps_declaration_in_publicity(staff_client, batch_with_one):
    _, declaration = batch_with_one
    objection = raise_objection(declaration)

    with on(STARTS_ON):
        response = staff_client.post(
            reverse("publicity:objection_handle", args=[objection.pk]),
            {
                f"objection-{objection.pk}-decision": "dismiss",
                f"objection-{objection.pk}-response": "The earlier round was a loan, not equity.",
            },
            follow=True,
        )

    objection.refresh_from_db()
    assert (objection.state, objection.response) == (
        ObjectionState.DISMISSED,
        "The earlier round was a loan, not equity.",
    )
    assert state_of(declaration) == S.IN_PUBLICITY
    assert "The objection was dismissed." in response.content.decode()


def test_objection_handle_without_decision_or_response_shows_errors(staff_client, batch_with_one):
    _, declaration = batch_with_one
    objection = raise_objection(declaration)

    response = staff_client.post(
        reverse("publicity:objection_handle", args=[objection.pk]), {f"objection-{objection.pk}-response": "  "}
    )

    objection.refresh_from_db()
    handle_form = response.context["batch"].entries.all()[0].objections.all()[0].handle_form
    assert handle_form.errors == {
        "decision": ["Choose whether to uphold or dismiss the objection."],
        "response": ["Please give a response."],
    }
    assert "The objection was not handled: please correct the errors below." in response.content.decode()
    assert "Choose whether to uphold or dismiss the objection." in response.content.decode()
    assert (objection.state, state_of(declaration)) == (ObjectionState.OPEN, S.IN_PUBLICITY)


def test_objection_handled_twice_shows_the_refusal(staff_client, batch_with_one):
    _, declaration = batch_with_one
    objection = raise_objection(declaration)
    data = {f"objection-{objection.pk}-decision": "dismiss", f"objection-{objection.pk}-response": "No."}
    url = reverse("publicity:objection_handle", args=[objection.pk])

    staff_client.post(url, data)
    response = staff_client.post(url, {**data, f"objection-{objection.pk}-decision": "uphold"}, follow=True)

    objection.refresh_from_db()
    assert objection.state == ObjectionState.DISMISSED
    assert "This objection was handled already." in response.content.decode()
    assert state_of(declaration) == S.IN_PUBLICITY


def test_console_batch_shows_objections_with_handle_forms(staff_client, batch_with_one):
    batch, declaration = batch_with_one
    objection = raise_objection(declaration)

    html = staff_client.get(reverse("publicity:console_batch", args=[batch.pk])).content.decode()

    assert f'id="objection-{objection.pk}"' in html
    assert "13800000000" in html
    assert f'action="{reverse("publicity:objection_handle", args=[objection.pk])}"' in html
    assert f'name="objection-{objection.pk}-decision"' in html


def test_objection_empty_post_shows_required_fields(client, batch_with_one):
    _, declaration = batch_with_one

    with on(STARTS_ON):
        response = client.post(reverse("publicity:objection", args=[declaration.publicity_entries.get().pk]), {})

    assert response.context["form"].errors == {
        "name": ["Please give your name."],
        "contact": ["Please give a telephone number or an e-mail address."],
        "text": ["Please write your objection."],
    }
    assert Objection.objects.count() == 0
