"""common.sql.Prepared: a queryset built by the ORM once, run again with other values, gives what the
ORM gives for those values, on SQLite and PostgreSQL alike, in one query."""

import datetime

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from common.sql import STAND_IN_IDS, Prepared, fields_of, prepared_reads_built
from review.models import CreditList, CreditRecord

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 6, 1)


def _in_force(day, code):
    return CreditRecord.objects.in_force_on(day).filter(credit_code=code).order_by("starts_on", "pk")


def _record(code, starts_on, ends_on=None, **fields):
    return CreditRecord.objects.create(
        credit_code=code, name="Unit", list=CreditList.ENFORCEMENT, starts_on=starts_on, ends_on=ends_on, **fields
    )


@pytest.fixture
def records():
    return [
        _record("91110108MA01A", datetime.date(2026, 1, 1)),
        _record("91110108MA01A", datetime.date(2025, 1, 1), datetime.date(2026, 5, 31)),  # ended the day before
        _record("91110108MA01A", datetime.date(2026, 6, 1), datetime.date(2026, 6, 1)),  # that day only
        _record("91110108MA01B", datetime.date(2026, 3, 1), datetime.date(2027, 1, 1)),
        _record("91110108MA01B", datetime.date(2026, 7, 1)),  # not yet
    ]


def test_a_prepared_read_gives_the_querysets_instances_for_each_value(records):
    prepared = Prepared(_in_force, day=datetime.date.min, code="~prepared~")
    for day in (DAY, datetime.date(2025, 6, 1), datetime.date(2026, 7, 1)):
        for code in ("91110108MA01A", "91110108MA01B", "none"):
            read = prepared.rows(day=day, code=code)
            expected = list(_in_force(day, code))
            assert read == expected
            assert [(r.starts_on, r.ends_on, r.list, r.credit_code) for r in read] == [
                (r.starts_on, r.ends_on, r.list, r.credit_code) for r in expected
            ]
    assert all(isinstance(r.starts_on, datetime.date) for r in prepared.rows(day=DAY, code="91110108MA01A"))


def test_a_prepared_read_is_one_query_and_keeps_the_querysets_other_parameters(records):
    prepared = Prepared(
        lambda code: (
            CreditRecord.objects.filter(credit_code=code, list=CreditList.ENFORCEMENT)
            .order_by("-starts_on")
            .values_list("starts_on")[:1]
        ),
        fields=fields_of(CreditRecord, "starts_on"),
        code="~prepared~",
    )
    assert prepared.rows(code="none") == []  # the first read runs the queryset with the stand-ins too
    with CaptureQueriesContext(connection) as queries:
        assert prepared.rows(code="91110108MA01B") == [(datetime.date(2026, 7, 1),)]
    assert len(queries) == 1


def test_the_sql_is_taken_as_the_queryset_runs_once_with_the_stand_ins(records):
    """No attribute of the queryset's `query` is read (tests/test_architecture.py): the statement
    comes from a database execute wrapper while the queryset runs with the stand-ins, once."""
    prepared = Prepared(_in_force, day=datetime.date.min, code="~prepared~")
    with CaptureQueriesContext(connection) as queries:
        prepared.rows(day=DAY, code="91110108MA01A")
        prepared.rows(day=DAY, code="91110108MA01B")
    assert len(queries) == 3


def test_every_prepared_read_is_built_at_once_and_its_first_read_is_then_one_query(records, monkeypatch):
    """What a web worker does as it starts (gunicorn.conf.py), so that no request builds one."""
    monkeypatch.setattr(Prepared, "every", [])
    reads = [Prepared(_in_force, day=datetime.date.min, code="~prepared~") for _ in range(2)]
    with CaptureQueriesContext(connection) as building:
        assert prepared_reads_built() is True
    with CaptureQueriesContext(connection) as reading:
        read = [prepared.rows(day=DAY, code="91110108MA01A") for prepared in reads]
    assert read == [list(_in_force(DAY, "91110108MA01A"))] * 2
    assert (len(building), len(reading)) == (2, 2)


def test_prepared_reads_left_unbuilt_when_the_database_does_not_answer_are_built_at_their_first_read(
    records, monkeypatch, caplog
):
    monkeypatch.setattr(Prepared, "every", [])
    answering = {"now": False}

    def build(day, code):
        if not answering["now"]:
            raise OperationalError("connection refused")
        return _in_force(day, code)

    prepared = Prepared(build, day=datetime.date.min, code="~prepared~")
    assert prepared_reads_built() is False
    assert "the prepared reads were not built as the process started: connection refused" in caplog.text
    answering["now"] = True
    assert prepared.rows(day=DAY, code="91110108MA01A") == list(_in_force(DAY, "91110108MA01A"))


def test_a_placeholder_that_is_not_a_parameter_of_the_query_is_refused():
    prepared = Prepared(lambda code: CreditRecord.objects.filter(credit_code="fixed"), code="~prepared~")
    with pytest.raises(ValueError, match="placeholder"):
        prepared.rows(code="x")


def test_a_read_of_other_columns_than_its_fields_is_refused(records):
    prepared = Prepared(
        lambda code: CreditRecord.objects.select_related("imported_from").filter(credit_code=code), code="~prepared~"
    )
    with pytest.raises(ValueError, match="columns"):
        prepared.rows(code="91110108MA01A")


def test_any_of_finds_what_in_finds_with_the_values_as_one_parameter(records):
    ids = [records[0].pk, records[3].pk, -5]
    codes = ["91110108MA01B", "none"]
    assert set(CreditRecord.objects.filter(pk__any_of=ids)) == set(CreditRecord.objects.filter(pk__in=ids))
    assert set(CreditRecord.objects.filter(credit_code__any_of=codes)) == set(
        CreditRecord.objects.filter(credit_code__in=codes)
    )
    assert list(CreditRecord.objects.filter(pk__any_of=[])) == []
    sent = []

    def capture(execute, sql, params, many, context):
        sent.append(params)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        list(CreditRecord.objects.filter(pk__any_of=ids))
    assert len(sent[0]) == 1


def test_a_prepared_read_takes_a_list_of_ids_of_any_length_in_one_statement(records):
    prepared = Prepared(lambda ids: CreditRecord.objects.filter(pk__any_of=ids).order_by("pk"), ids=STAND_IN_IDS)
    prepared.rows(ids=[records[0].pk])
    statements = []

    def capture(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        for ids in ([records[0].pk], [r.pk for r in records], [records[4].pk, records[1].pk, -1], []):
            assert prepared.rows(ids=ids) == list(CreditRecord.objects.filter(pk__in=ids).order_by("pk"))
    prepared_statements = statements[::2]  # each read, then the ORM's own
    assert len(set(prepared_statements)) == 1
