"""The audit tables: rows written once and never changed (issue 15, ASVS 7.3, GB/T 22239 8.1.4.3).

On PostgreSQL a trigger on each of them refuses UPDATE and DELETE to every role, the owner's too
(`AUDIT_GUARD`, created by common's migration 0001 and attached by `audit_triggers_install`
after every `migrate`), and the application's role may only INSERT and SELECT them
(`manage.py grant_app_role`). The one way out is `manage.py prune_audit`: the owner deletes, in
one transaction, rows of a prunable table dated before a day at least `AUDIT_RETENTION_MINIMUM_DAYS`
ago. SQLite, the embedded default for a first look, has no trigger.
"""

import re

from django.apps import apps
from django.db import connections

# The audit tables besides the history tables, by model label, each with the column that dates a
# row for pruning, or None for records kept as long as the database: the state trails and the
# money, which the declaration's page, the sums and the decisions read (Decision.event points to a
# DeclarationEvent). A new table of events goes here (tests/test_audit_trail.py fails on a model
# named *Event that is missing).
AUDIT_MODELS: dict[str, str | None] = {
    "declarations.DeclarationEvent": None,
    "review.AcceptanceCheck": None,
    "disbursement.Payment": None,
    "disbursement.PaymentOrderEvent": None,
    "disbursement.Recheck": None,
    "disbursement.RecoveryCaseEvent": None,
    "disbursement.Repayment": None,
}

# The floor of AUDIT_RETENTION_DAYS: 等保 2.0 asks for six months. The trigger holds it too.
AUDIT_RETENTION_MINIMUM_DAYS = 180

# The transaction-local setting through which prune_audit tells the trigger its cut-off.
PRUNE_SETTING = "audit.prune_before"
TRIGGER = "audit_row_immutable"

AUDIT_GUARD = f"""
CREATE OR REPLACE FUNCTION audit_row_immutable() RETURNS trigger AS $$
DECLARE
    prune_before timestamptz := NULLIF(current_setting('{PRUNE_SETTING}', true), '')::timestamptz;
    stamp timestamptz;
BEGIN
    -- Arguments: none (never deleted), the column dating the row, or that column and the table of
    -- the history row this many-to-many history row belongs to (by history_id).
    IF TG_OP = 'DELETE' AND TG_NARGS > 0 AND prune_before IS NOT NULL
            AND prune_before <= now() - interval '{AUDIT_RETENTION_MINIMUM_DAYS} days' THEN
        IF TG_NARGS = 1 THEN
            stamp := (to_jsonb(OLD) ->> TG_ARGV[0])::timestamptz;
        ELSE
            EXECUTE format('SELECT %I FROM %I WHERE history_id = $1', TG_ARGV[0], TG_ARGV[1])
                INTO stamp USING (to_jsonb(OLD) ->> 'history_id')::bigint;
        END IF;
        IF stamp < prune_before THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit trail: % on % refused, its rows are never changed', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
"""

AUDIT_GUARD_DROP = "DROP FUNCTION IF EXISTS audit_row_immutable() CASCADE;"


def history_models():
    """Every history table of django-simple-history, its many-to-many ones included."""
    from simple_history.models import HistoricalChanges  # noqa: PLC0415 -- the settings import this module

    return [model for model in apps.get_models() if issubclass(model, HistoricalChanges)]


def _history_parent(model):
    """The history model a many-to-many history row belongs to, or None for a history model."""
    field = next((f for f in model._meta.fields if f.name == "history" and f.is_relation), None)
    return field.related_model if field is not None else None


def audit_tables():
    """{table: trigger arguments}: every audit table, the history tables derived, the others listed
    in AUDIT_MODELS. The arguments name what dates a row for pruning (see AUDIT_GUARD)."""
    tables = {}
    for model in history_models():
        parent = _history_parent(model)
        arguments = ("history_date",) if parent is None else ("history_date", parent._meta.db_table)
        tables[model._meta.db_table] = arguments
    for label, column in AUDIT_MODELS.items():
        model = apps.get_model(label)
        tables[model._meta.db_table] = (model._meta.get_field(column).column,) if column else ()
    return tables


def prunable_models():
    """(model, dating field) of the audit tables prune_audit may delete from, children first: the
    many-to-many history rows before the history rows they belong to."""
    children, parents = [], []
    for model in history_models():
        if _history_parent(model) is None:
            parents.append((model, "history_date"))
        else:
            children.append((model, "history__history_date"))
    listed = [(apps.get_model(label), column) for label, column in AUDIT_MODELS.items() if column]
    return children + parents + listed


def audit_triggers_install(using="default"):
    """Attach the trigger to every audit table (idempotent). A no-op outside PostgreSQL."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table, arguments in audit_tables().items():
            if table not in existing:
                continue
            # Table and column names of the models, passed to the trigger as string literals.
            quoted = ", ".join(f"'{argument}'" for argument in arguments if re.fullmatch(r"\w+", argument))
            cursor.execute(
                f"CREATE OR REPLACE TRIGGER {TRIGGER} BEFORE UPDATE OR DELETE ON {connection.ops.quote_name(table)} "
                f"FOR EACH ROW EXECUTE FUNCTION audit_row_immutable({quoted})"
            )
