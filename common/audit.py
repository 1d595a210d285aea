"""The audit tables: rows written once and never changed (issue 15, ASVS 7.3, GB/T 22239 8.1.4.3).

On PostgreSQL a trigger on each of them refuses UPDATE and DELETE to every role, the owner's too
(`AUDIT_GUARD`, created by common's migration 0001 and attached by `audit_triggers_install`
after every `migrate`), and the application's role may only INSERT and SELECT them
(`manage.py grant_app_role`). The one way out is `manage.py prune_audit`: the owner deletes, in
one transaction, rows of a prunable table dated before a day at least `AUDIT_RETENTION_MINIMUM_DAYS`
ago. SQLite, the embedded default for a first look, has no trigger.
"""

import datetime
import re

from django.apps import apps
from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

# The audit tables besides the history tables, by model label, each with the column that dates a
# row for pruning, or None for records kept as long as the database: the state trails and the
# money, which the declaration's page, the sums and the decisions read (Decision.event points to a
# DeclarationEvent). A new table of events goes here (tests/test_audit_trail.py fails on a model
# named *Event that is missing).
AUDIT_MODELS: dict[str, str | None] = {
    "accounts.SecurityEvent": "occurred_at",
    "declarations.DeclarationEvent": None,
    "review.AcceptanceCheck": None,
    "disbursement.Payment": None,
    "disbursement.PaymentOrderEvent": None,
    "disbursement.Recheck": None,
    "disbursement.RecoveryCaseEvent": None,
    "disbursement.Repayment": None,
    "monitoring.PerformanceReportEvent": None,
    "monitoring.InspectionEvent": None,
}

# The floor of AUDIT_RETENTION_DAYS: 等保 2.0 asks for six months. The trigger holds it too.
AUDIT_RETENTION_MINIMUM_DAYS = 180

# The transaction-local setting through which prune_audit tells the trigger its cut-off.
PRUNE_SETTING = "audit.prune_before"
TRIGGER = "audit_row_immutable"

# The module's constants are put in by replace(): nothing from outside reaches this SQL.
_AUDIT_GUARD_TEMPLATE = """
CREATE OR REPLACE FUNCTION audit_row_immutable() RETURNS trigger AS $$
DECLARE
    prune_before timestamptz := NULLIF(current_setting('PRUNE_SETTING', true), '')::timestamptz;
    stamp timestamptz;
BEGIN
    -- Arguments: none (never deleted), the column dating the row, or that column and the table of
    -- the history row this many-to-many history row belongs to (by history_id).
    IF TG_OP = 'DELETE' AND TG_NARGS > 0 AND prune_before IS NOT NULL
            AND prune_before <= now() - interval 'RETENTION_MINIMUM days' THEN
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
AUDIT_GUARD = _AUDIT_GUARD_TEMPLATE.replace("PRUNE_SETTING", PRUNE_SETTING).replace(
    "RETENTION_MINIMUM", str(AUDIT_RETENTION_MINIMUM_DAYS)
)

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


class RetentionNotOver(ValueError):
    """A prune asked to delete rows still inside the retention period."""


def retention_start(today=None):
    """The first day whose audit rows are still inside the retention period (AUDIT_RETENTION_DAYS)."""
    return (today or timezone.localdate()) - datetime.timedelta(days=settings.AUDIT_RETENTION_DAYS)


def audit_prune(*, before, using="default"):
    """Delete the rows of the prunable audit tables dated before the day `before` (Beijing time),
    which must not be later than retention_start(). Returns {model label: rows deleted}.

    The cut-off is told to the trigger in a setting local to this transaction, so nothing else
    deletes with it; the application's role has no DELETE on these tables at all, so only the
    owner prunes."""
    if before > retention_start():
        raise RetentionNotOver(
            f"Audit rows are kept {settings.AUDIT_RETENTION_DAYS} days: the latest day to prune before is "
            f"{retention_start():%Y-%m-%d}, not {before:%Y-%m-%d}."
        )
    cutoff = timezone.make_aware(datetime.datetime.combine(before, datetime.time.min))
    deleted = {}
    with transaction.atomic(using=using):
        connection = connections[using]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, %s, true)", [PRUNE_SETTING, cutoff.isoformat()])
        for model, field in prunable_models():
            count, _ = model._default_manager.using(using).filter(**{f"{field}__lt": cutoff}).delete()
            deleted[model._meta.label] = count
    return deleted
