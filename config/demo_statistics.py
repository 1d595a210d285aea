"""Demo data of the statistics page (issue 16, item 3): the demo walks every declaration through the
real services within a few seconds, so its events, milestones and payments all carry the moment
the demo was loaded: the monthly line would show one month and every median 0 days. Afterwards,
this dates each declaration's history back over the past months as a year of work would have
spread it: submissions from the call's opening on, each later step some Beijing working days after
the one before (acceptance, evaluation, decision, publicity, payments), the declarations' milestone
columns and `submitted_at` from those events, and each payment on the day of the step it made (the
first on the start of disbursement, the last of a paid declaration on its completion).

Only the dates change, in the order the events already had; a declaration in a publicity running
today keeps its publication's date and is dated back from it. Nothing here goes through a service:
it rewrites the record of what the services did, which only demo data may. On PostgreSQL the audit
trail's trigger refuses any change to an event or payment (common.audit); the demo, loaded by the
database's owner, lifts it for its own transaction only, and where it may not (another role), dates
the declarations' milestone columns alone."""

import contextlib
import datetime

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from common.audit import TRIGGER
from declarations.enums import DeclarationAction as A
from declarations.models import Declaration, DeclarationEvent
from declarations.workflow import IN_PUBLICITY_STATES, MILESTONES
from disbursement.models import Payment, PaymentOrder
from publicity.calendar import is_working_day, working_day_calendar

# Working days from the step before to each action, from the low to the high bound (each
# declaration takes its own value in between).
DELAYS = {
    A.SUBMIT: (3, 8),  # resubmitted after a return
    A.WITHDRAW: (5, 15),
    A.RETURN: (2, 5),
    A.ACCEPT: (3, 12),
    A.REFUSE: (3, 10),
    A.DISQUALIFY: (5, 15),
    A.START_REVIEW: (1, 4),
    A.COMPLETE_REVIEW: (10, 25),
    A.APPROVE: (5, 12),
    A.REJECT: (5, 12),
    A.PUBLICISE: (2, 6),
    A.UPHOLD_OBJECTION: (3, 5),
    A.REOPEN_REVIEW: (3, 5),
    A.CONFIRM: (6, 8),
    A.START_DISBURSEMENT: (10, 30),
    A.COMPLETE_PAYMENT: (15, 40),
    A.STOP: (15, 30),
    A.TERMINATE: (15, 30),
    A.RECOVER: (20, 45),
}
# How far before today the declarations' histories end, at most, in working days: spread so
# that the months differ.
LATEST_END_SPREAD = 60
FIRST_HOUR = 9
WORKING_MINUTES = 8 * 60


class _WorkingDays:
    """Beijing working days (the publicity calendar's exceptions where it has them, weekdays
    otherwise) counted back from a day."""

    def __init__(self, start, end):
        self.exceptions = working_day_calendar(start, end).exceptions

    def working(self, day):
        return is_working_day(day, self.exceptions)

    def back(self, day, count):
        while count > 0 or not self.working(day):
            day -= datetime.timedelta(days=1)
            count -= self.working(day) if count > 0 else 0
        return day

    def between(self, earlier, later):
        return sum(self.working(earlier + datetime.timedelta(days=n)) for n in range(1, (later - earlier).days + 1))


def _delay(action, seed):
    low, high = DELAYS.get(action, (1, 5))
    return low + seed % (high - low + 1)


def _at(day, seed):
    """A moment of the working hours of `day` in Beijing."""
    minutes = FIRST_HOUR * 60 + (seed * 37) % WORKING_MINUTES
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(minutes // 60, minutes % 60)))


def _days_back(events, index, calendar, end_day, earliest):
    """The day of each of `events` (in order), the last on `end_day`, each earlier one its delay
    in working days before the next; squeezed where they would begin before `earliest`."""
    delays = [_delay(event.action, index * 7 + position * 3) for position, event in enumerate(events)][1:]
    available = calendar.between(earliest, end_day)
    if sum(delays) > available:
        scale = available / max(sum(delays), 1)
        delays = [int(delay * scale) for delay in delays]
    days = [end_day]
    for delay in reversed(delays):
        days.append(calendar.back(days[-1], delay))
    return days[::-1]


@transaction.atomic
def date_demo_history(declaration_ids):
    """Date back the history of the declarations `declaration_ids` (just walked by the demo) over
    the past months: their events, milestone columns, `submitted_at`, payments and the payment
    orders' days paid. Changes nothing else."""
    now = timezone.now()
    today = timezone.localdate(now)
    declarations = list(
        Declaration.objects.filter(pk__in=declaration_ids)
        .select_related("call")
        .order_by("pk")
        .prefetch_related("events")
    )
    if not declarations:
        return
    opens = min(timezone.localdate(declaration.call.opens_at) for declaration in declarations)
    earliest = min(max(opens, today - datetime.timedelta(days=330)), today)
    calendar = _WorkingDays(earliest - datetime.timedelta(days=10), today)
    events_changed, payments_changed, orders_changed = [], [], []
    for index, declaration in enumerate(declarations):
        events = sorted(declaration.events.all(), key=lambda event: (event.created_at, event.pk))
        if not events:
            continue
        if declaration.state in IN_PUBLICITY_STATES:
            # Its publication is today's publicity: the history leads up to it.
            last = max(i for i, event in enumerate(events) if event.action == A.PUBLICISE)
            kept_day = timezone.localdate(events[last].created_at)
            days = _days_back(events[: last + 1], index, calendar, kept_day, earliest)[:-1]
            moments = [_at(day, index + position) for position, day in enumerate(days)]
            moments += [event.created_at for event in events[last:]]
        else:
            end_day = calendar.back(today, (index * 13) % LATEST_END_SPREAD + 1)
            if end_day < earliest:
                end_day = today
            days = _days_back(events, index, calendar, end_day, earliest)
            moments = [_at(day, index + position) for position, day in enumerate(days)]
        for position in range(1, len(moments)):
            # Strictly in the order they happened, even on one day.
            if moments[position] <= moments[position - 1]:
                moments[position] = moments[position - 1] + datetime.timedelta(minutes=1)
        for event, moment in zip(events, moments, strict=True):
            event.created_at = min(moment, now)
        events_changed += events
        _milestones(declaration, events)
        payments, orders = _payments(declaration, events, today)
        payments_changed += payments
        orders_changed += orders
    Declaration.objects.bulk_update(declarations, ["submitted_at", *MILESTONES])
    PaymentOrder.objects.bulk_update(orders_changed, ["paid_on"])
    with _audit_rows_writable(DeclarationEvent, Payment) as writable:
        if writable:
            DeclarationEvent.objects.bulk_update(events_changed, ["created_at"])
            Payment.objects.bulk_update(payments_changed, ["paid_on"])


@contextlib.contextmanager
def _audit_rows_writable(*models):
    """Within the current transaction, the audit trigger of `models`' tables off (PostgreSQL, the
    tables' owner only; back on at the end); yields whether their rows may be changed."""
    if connection.vendor != "postgresql":
        yield True
        return
    tables = [connection.ops.quote_name(model._meta.db_table) for model in models]
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # The demo's own inserts leave deferred foreign-key checks pending in its transaction, and
            # PostgreSQL alters no table with pending trigger events: they are checked now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in tables:
                # The models' table names and the trigger's constant name; nothing from outside.
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {TRIGGER}")  # nosec B608
    except DatabaseError:
        yield False
        return
    yield True
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {TRIGGER}")  # nosec B608
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _milestones(declaration, events):
    for name, actions in MILESTONES.items():
        reached = [event.created_at for event in events if event.action in actions]
        setattr(declaration, name, reached[0] if reached else None)
    submissions = [event.created_at for event in events if event.action == A.SUBMIT]
    declaration.submitted_at = submissions[-1] if submissions else declaration.submitted_at


def _payments(declaration, events, today):
    """The declaration's payments on the days of its steps: the first on the start of disbursement,
    the one completing it on the completion, those between spread evenly; their orders likewise."""
    payments = list(Payment.objects.filter(declaration=declaration).select_related("order").order_by("paid_on", "pk"))
    started = [event.created_at for event in events if event.action == A.START_DISBURSEMENT]
    if not payments or not started:
        return [], []
    first = timezone.localdate(started[0])
    completed = [event.created_at for event in events if event.action == A.COMPLETE_PAYMENT]
    last = timezone.localdate(completed[0]) if completed else today
    count = len(payments)
    orders = []
    for position, payment in enumerate(payments):
        if count == 1:
            day = first
        elif completed:
            day = first + (last - first) * position / (count - 1)
        else:
            day = first + (last - first) * position / count
        payment.paid_on = day
        if payment.order is not None:
            payment.order.paid_on = day
            orders.append(payment.order)
    return payments, orders
