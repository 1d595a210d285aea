"""Reads written in SQL, for the few pages where the ORM's building of a query costs many times what
the database takes to run it: a page of the public board runs three queries of a fraction of a
millisecond each, and building them took three milliseconds (bench/README.md). The SQL is written
once, with the tables' and columns' names from the models; the values come back converted as the
ORM converts them, by the model field of each column, on SQLite and PostgreSQL alike."""

import datetime
import json
import logging
from functools import cache

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.backends.postgresql.base import ServerBindingCursor
from django.db.models import Field, ForeignObject, Lookup

logger = logging.getLogger(__name__)


def fields_of(model, *names):
    """The fields of `model` called `names` (a foreign key by its name; a related model's field by the
    path a values_list() names it, "programme__code"), or all its columns in order."""
    if not names:
        return tuple(model._meta.concrete_fields)
    return tuple(_field_at(model, name) for name in names)


def _field_at(model, path):
    *keys, name = path.split("__")
    for key in keys:
        model = model._meta.get_field(key).related_model
    return model._meta.get_field(name)


def columns(alias, fields):
    """The columns of `fields` in the table aliased `alias`, for a select list."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(field.column)}" for field in fields)


def table(model):
    return connection.ops.quote_name(model._meta.db_table)


def like_contains(text):
    """The pattern of LIKE %s ESCAPE '\\' that finds `text` anywhere, its wildcards escaped as the
    ORM's `contains` escapes them."""
    return f"%{connection.ops.prep_for_like_query(text)}%"


def fetch(sql, params, fields):
    """The rows `sql` gives with `params`, each a list whose values are converted as the ORM converts
    a value of the field at the same place in `fields` (a date read from SQLite, a decimal, JSON);
    None in `fields` takes the value as it comes (a count)."""
    with _cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    converters = _converters(connection.vendor, fields)
    converted = []
    for row in rows:
        values = list(row)
        for at, functions, expression in converters:
            value = values[at]
            for function in functions:
                value = function(value, expression, connection)
            values[at] = value
        converted.append(values)
    return converted


def _cursor():
    """A cursor of the default connection; on PostgreSQL one that binds parameters on the server,
    so that the connection prepares a statement it has run a few times (DATABASES' OPTIONS,
    prepare_threshold) and runs it again without planning it: the public board's pages run the same
    few statements over and over, and planning the page's read of its rows took longer than running
    it. Django's own cursors bind on the client and are never prepared. Wrapped as Django wraps its
    cursors, so that the query is logged and counted, and errors are Django's."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        return connection._prepare_cursor(ServerBindingCursor(connection.connection))


def plan_cache_mode_set(sender, connection, **kwargs):
    """On a new PostgreSQL connection, how its prepared statements (only _cursor's are) are planned:
    DATABASE_PLAN_CACHE_MODE, by default once for all their runs. PostgreSQL's own choice ("auto")
    plans a statement again at each run while a plan for the values at hand is estimated cheaper
    than a plan for any value, which it always was for a page's read of its rows (a LIMIT and an
    OFFSET): the planning cost more than the run. Set on the driver's connection, as a session's
    setting rather than a startup option, which PgBouncer refuses."""
    mode = getattr(settings, "DATABASE_PLAN_CACHE_MODE", "")
    if connection.vendor == "postgresql" and mode:
        connection.connection.execute("SELECT set_config('plan_cache_mode', %s, false)", [mode])


def instance(model, fields, values):
    """An instance of `model` loaded from `values` of its columns `fields`, as a query loads it."""
    return model.from_db(connection.alias, [field.attname for field in fields], values)


@cache
def _converters(vendor, fields):
    """The converters the ORM's compiler applies to each column (SQLCompiler.get_converters), for
    the fields that have any."""
    found = []
    for at, field in enumerate(fields):
        if field is None:
            continue
        expression = field.get_col(field.model._meta.db_table)
        functions = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
        if functions:
            found.append((at, functions, expression))
    return found


# Stand-ins for a prepared read's values (Prepared's `placeholders`), of each type, that no real
# value equals: an id (and a second id of the same read), a text (a code), a day, a list of ids
# (for `any_of`).
STAND_IN_ID = -918_273_645
STAND_IN_OTHER_ID = -918_273_646
STAND_IN_IDS = (STAND_IN_ID,)
STAND_IN_TEXT = "~prepared~"
STAND_IN_DAY = datetime.date.min


class Prepared:
    """A read the ORM builds once per process, then runs again with other values: for the few
    small reads asked on most requests (the registers of Art. 17 and 21 on an applicant's pages and
    at every submission), where building the query cost the ORM several times what the database
    takes to run it. The query stays written once, as a queryset: `build(**values)` returns it,
    and `placeholders` gives for each value a stand-in of its type (a text, a number or a date)
    that no real value equals, by which its parameters are found in the SQL the ORM writes; the
    query's other parameters are kept as they are. A value that changes the query's shape (None, a
    list given to `__in`) cannot be one; a list of ids can, through `any_of` (STAND_IN_IDS), which
    passes it as one parameter. On PostgreSQL the statement is prepared by the server (`fetch`).

    The SQL is taken as the queryset runs once with the stand-ins, through a database execute
    wrapper (Django's public instrumentation, not the queryset's internals). `rows(**values)` gives
    model instances of every column of the model (with the instances of the foreign keys named in
    `related`, which the queryset reads with select_related), or, with `fields` (the model field of
    each column, an annotation's as a field of its type), tuples converted as those fields are."""

    # Every prepared read, so that the test suite can build them before it counts a page's
    # queries (tests/conftest.py): the first read in a process runs one query more.
    every: list["Prepared"] = []

    def __init__(self, build, *, fields=None, related=(), **placeholders):
        self.build = build
        self.fields = fields
        self.related = related
        self.placeholders = placeholders
        self._compiled = {}
        Prepared.every.append(self)

    def built(self):
        """The statement and what reads it, built on the first call in this process."""
        compiled = self._compiled.get(connection.vendor)
        if compiled is None:
            compiled = self._compiled[connection.vendor] = self._compile()
        return compiled

    def _compile(self):
        queryset = self.build(**self.placeholders)
        captured = []

        def capture(execute, statement, params, many, context):
            captured.append((statement, tuple(params or ())))
            return execute(statement, params, many, context)

        # In a transaction (the caller's, else one of its own, begun before the capture and ended
        # after it): a read that locks its rows (select_for_update) may run only in one, and is built
        # wherever it is first asked for.
        with transaction.atomic(savepoint=False), connection.execute_wrapper(capture):
            list(queryset)
        if len(captured) != 1:
            raise ValueError(f"a prepared read must be one query, not {len(captured)}")
        statement, params = captured[0]
        stand_ins = {name: _db_value(value) for name, value in self.placeholders.items()}
        slots = []
        for param in params:
            names = [name for name, value in stand_ins.items() if value == param]
            slots.append((names[0], None) if names else (None, param))
        if {name for name, _constant in slots} - {None} != set(stand_ins):
            raise ValueError(f"a placeholder is not a parameter of {statement!r}")
        model = queryset.model
        fields = self.fields or fields_of(model)
        parts = ()
        if self.related:
            # The columns of select_related's models follow the model's, in the order of the model's
            # foreign keys (the ORM's compiler walks them so); rows() checks their number.
            keys = [field for field in model._meta.concrete_fields if field.name in self.related]
            if {field.name for field in keys} != set(self.related):
                raise ValueError(f"{self.related} are not all foreign keys of {model.__name__}")
            parts = tuple((key.name, key.related_model, fields_of(key.related_model)) for key in keys)
            fields = fields + tuple(field for _name, _model, own in parts for field in own)
        return statement, tuple(slots), fields, model, parts

    def forget(self):
        """The statement is built again at the next read: what its queryset reads has changed (an
        app registered a part of it)."""
        self._compiled.clear()

    def rows(self, **values):
        statement, slots, fields, model, parts = self.built()
        params = [_db_value(values[name]) if name else constant for name, constant in slots]
        found = fetch(statement, params, fields)
        if found and len(found[0]) != len(fields):
            raise ValueError(f"{statement!r} reads {len(found[0])} columns, not the {len(fields)} fields named")
        if self.fields:
            return [tuple(row) for row in found]
        if not parts:
            return [instance(model, fields, row) for row in found]
        own = len(fields) - sum(len(related_fields) for _name, _model, related_fields in parts)
        read = []
        for row in found:
            obj = instance(model, fields[:own], row[:own])
            at = own
            for name, related_model, related_fields in parts:
                values_of = row[at : at + len(related_fields)]
                at += len(related_fields)
                # Set through the foreign key, as select_related sets it: no query when it is read.
                setattr(obj, name, None if values_of[0] is None else instance(related_model, related_fields, values_of))
            read.append(obj)
        return read


def prepared_reads_built():
    """Build every prepared read (Prepared.every: those of the modules imported so far) now, as a web
    worker starts or before a test counts queries, rather than in the first request that reads each:
    a read is built by running its queryset once more. A database that does not answer is logged,
    not raised (the worker serves what needs none, and builds each read when first asked). Returns
    whether every read was built."""
    try:
        for prepared in Prepared.every:
            prepared.built()
    except DatabaseError as error:
        logger.warning("the prepared reads were not built as the process started: %s", error)
        return False
    return True


def prepared_by_ids(model, key, columns, *, order_by=()):
    """A Prepared read of `columns` (field names; a foreign key by its name gives its id) of the rows
    of `model` whose `key` is one of a list of ids, as tuples in `order_by`: `.rows(ids=[...])`,
    one statement for any number of ids (any_of)."""
    return Prepared(
        lambda ids: model._default_manager.filter(**{f"{key}__any_of": ids}).order_by(*order_by).values_list(*columns),
        fields=fields_of(model, *columns),
        ids=STAND_IN_IDS,
    )


def _db_value(value):
    """A parameter as the ORM passes it to the database: a date as the backend stores dates, a list
    of values as `any_of` passes it."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return connection.ops.adapt_datefield_value(value)
    if isinstance(value, list | tuple):
        return _any_of_param(value, connection)
    return value


class AnyOf(Lookup):
    """`field__any_of=values`: the field's value is one of `values`, passed to the database as one
    parameter whatever their number (an array on PostgreSQL, a JSON list on SQLite), where `__in`
    writes one parameter each. So a read of a page's rows by their ids is one statement, which a
    Prepared read can take (`STAND_IN_IDS`) and PostgreSQL prepares once for any page size."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        param = _any_of_param(self.rhs, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s::{self.lhs.output_field.cast_db_type(connection)}[])", [*lhs_params, param]
        # The column as the ORM compiled it; the values travel as the one parameter.
        return f"{lhs} IN (SELECT value FROM json_each(%s))", [*lhs_params, param]  # nosec B608


# On every field, foreign keys too (which take only the lookups registered on their own classes).
Field.register_lookup(AnyOf)
ForeignObject.register_lookup(AnyOf)


def _any_of_param(values, connection):
    """The one parameter of `any_of`'s values (ids or texts): a list for PostgreSQL's array, JSON text
    for SQLite's json_each."""
    values = list(values)
    return values if connection.vendor == "postgresql" else json.dumps(values)
