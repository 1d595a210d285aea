"""The database refuses an overpayment on PostgreSQL, whatever writes it: the payments of a
declaration never add up to more than its approved amount, nor do the approved and paid orders.

Each trigger locks the declaration's row first, as the services do, so two writers at once are
counted one after the other. (SQLite, the embedded default for a first look, has the services'
checks alone.)"""

from django.db import migrations

PAYMENT_GUARD = """
CREATE OR REPLACE FUNCTION disbursement_payment_within_approved() RETURNS trigger AS $$
DECLARE
    approved numeric;
    paid numeric;
BEGIN
    SELECT approved_amount INTO approved FROM declarations_declaration WHERE id = NEW.declaration_id FOR UPDATE;
    SELECT COALESCE(SUM(amount), 0) INTO paid FROM disbursement_payment
        WHERE declaration_id = NEW.declaration_id AND id IS DISTINCT FROM NEW.id;
    IF approved IS NULL OR paid + NEW.amount > approved THEN
        RAISE EXCEPTION 'overpayment: % paid and % more would exceed the approved amount % of declaration %',
            paid, NEW.amount, approved, NEW.declaration_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER disbursement_payment_within_approved
    BEFORE INSERT OR UPDATE OF amount, declaration_id ON disbursement_payment
    FOR EACH ROW EXECUTE FUNCTION disbursement_payment_within_approved();

CREATE OR REPLACE FUNCTION disbursement_order_within_approved() RETURNS trigger AS $$
DECLARE
    approved numeric;
    held numeric;
BEGIN
    IF NEW.state NOT IN ('approved', 'paid') THEN
        RETURN NEW;
    END IF;
    SELECT approved_amount INTO approved FROM declarations_declaration WHERE id = NEW.declaration_id FOR UPDATE;
    SELECT COALESCE(SUM(amount), 0) INTO held FROM disbursement_paymentorder
        WHERE declaration_id = NEW.declaration_id AND state IN ('approved', 'paid') AND id IS DISTINCT FROM NEW.id;
    IF approved IS NULL OR held + NEW.amount > approved THEN
        RAISE EXCEPTION 'overpayment: orders of % approved and % more would exceed the approved amount % of declaration %',
            held, NEW.amount, approved, NEW.declaration_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER disbursement_order_within_approved
    BEFORE INSERT OR UPDATE OF amount, state, declaration_id ON disbursement_paymentorder
    FOR EACH ROW EXECUTE FUNCTION disbursement_order_within_approved();
"""

DROP = """
DROP TRIGGER IF EXISTS disbursement_payment_within_approved ON disbursement_payment;
DROP FUNCTION IF EXISTS disbursement_payment_within_approved();
DROP TRIGGER IF EXISTS disbursement_order_within_approved ON disbursement_paymentorder;
DROP FUNCTION IF EXISTS disbursement_order_within_approved();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("disbursement", "0002_payment_orders")]

    operations = [migrations.RunPython(_on_postgresql(PAYMENT_GUARD), _on_postgresql(DROP))]
