"""The first read of each page of a declaration (declarations.selectors.declaration_with_parts): the
declaration with its organisation, programme and call in one statement built once; who may see it
is asked of the rules, and anyone else gets the 404 of the visibility querysets."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import SecurityEvent
from declarations.enums import DeclarationAction as A
from declarations.models import Declaration, DeclarationEvent
from declarations.selectors import (
    LARGEST_ID,
    declaration_attachments,
    declaration_events,
    declaration_latest_commitment,
    declaration_with_parts,
)
from declarations.workflow import declaration_locked
from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db


def test_a_declaration_is_read_with_its_organisation_programme_and_call_in_one_query(draft):
    expected = Declaration.objects.select_related("organisation", "programme", "call").get(pk=draft.pk)
    with CaptureQueriesContext(connection) as queries:
        read = declaration_with_parts(draft.pk)
        parts = (read.organisation.name, read.programme.code, read.call.title, read.call.closes_at)
    assert len(queries) == 1
    assert parts == (expected.organisation.name, expected.programme.code, expected.call.title, expected.call.closes_at)
    assert [getattr(read, f.attname) for f in Declaration._meta.concrete_fields] == [
        getattr(expected, f.attname) for f in Declaration._meta.concrete_fields
    ]


@pytest.mark.parametrize("pk", [0, -1, LARGEST_ID + 1, 10**30])
def test_an_id_no_declaration_can_have_reads_nothing(pk):
    assert declaration_with_parts(pk) is None


@pytest.mark.parametrize("pk", [LARGEST_ID, LARGEST_ID + 1, 10**30])
def test_an_address_with_an_id_out_of_range_is_a_404(client, applicant, staff, pk):
    client.force_login(applicant)
    assert client.get(f"/applicant/declarations/{pk}/steps/project/").status_code == 404
    client.force_login(staff)
    assert client.get(f"/console/{pk}/").status_code == 404


def test_another_organisations_declaration_is_a_404_recorded_as_a_denial(client, applicant, reviewer, draft):
    other = DeclarationFactory(state="submitted")
    client.force_login(applicant)
    assert client.get(f"/applicant/declarations/{other.pk}/steps/project/").status_code == 404
    client.force_login(reviewer)
    assert client.get(f"/console/{draft.pk}/").status_code == 404  # a draft, and not assigned
    assert client.get(f"/console/{other.pk}/").status_code == 404  # not assigned
    assert SecurityEvent.objects.filter(kind="denied").count() == 3


def test_a_change_locks_the_declaration_read_with_its_parts_in_one_statement(draft):
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        locked = declaration_locked(draft.pk)
        parts = (locked.organisation_id, locked.programme.code, locked.call.year)
    assert len(queries) == 1
    assert parts == (draft.organisation_id, draft.programme.code, draft.call.year)
    if connection.vendor == "postgresql":
        assert 'FOR UPDATE OF "declarations_declaration"' in queries.captured_queries[0]["sql"]
    with pytest.raises(Declaration.DoesNotExist), transaction.atomic():
        declaration_locked(draft.pk + 1000)


def test_the_history_attachments_and_commitment_of_a_page_are_read_one_query_each(draft, applicant):
    DeclarationEvent.objects.create(declaration=draft, action=A.SUBMIT, from_state="draft", to_state="submitted")
    DeclarationEvent.objects.create(
        declaration=draft, action=A.WITHDRAW, from_state="submitted", to_state="withdrawn", actor=applicant
    )
    with CaptureQueriesContext(connection) as queries:
        events = declaration_events(draft)
        actors = [event.actor.username if event.actor else None for event in events]
        declaration_attachments(draft)
        declaration_latest_commitment(draft)
    assert actors == [None, applicant.username]
    assert [e.pk for e in events] == list(draft.events.order_by("created_at", "pk").values_list("pk", flat=True))
    assert len(queries) == 3
