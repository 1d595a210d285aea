import threading
from contextlib import contextmanager

import rules
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone, translation

from accounts.enums import Role
from common import sql
from common.messages import message
from common.text import single_line
from notices.models import Notice
from notices.tasks import deliver_notice, deliver_notices

# What the role predicates of accounts.rules read of a user: who someone is, not which one.
IDENTITY_FIELDS = ("role", "is_active", "is_superuser")

# An e-mail subject longer than this is cut (the column it had was this long).
SUBJECT_MAX_LENGTH = 200


def notice_create(*, recipient, subject, body, declaration=None):
    """Write a notice to the outbox and queue its e-mail delivery for after the commit. `subject`
    and `body` are messages (common.messages), rendered in the recipient's language when read or
    e-mailed; plain text is kept as written. Returns the notice."""
    notice = Notice.objects.create(recipient=recipient, subject=_subject(subject), body=body, declaration=declaration)
    _deliver_after_commit([notice.pk])
    return notice


def notices_create(*, subject, body, recipients=(), organisation=None, kinds=None, declaration=None):
    """`notice_create` for each of `recipients` (users), for every active user of `organisation` (its
    id), or for every user of one of `kinds` (each a dict of user fields and their values; see
    `notices_for_staff`), in one statement that reads their ids from the users' table, and after the
    commit one task message that e-mails them all from the worker (`notices_deliver`): a submission
    tells every member of staff in two round trips, not two per recipient (and not a Python object
    and a row of parameters each: 80 staff took 18 ms that way). Returns the notices' ids."""
    users, quote = get_user_model(), connection.ops.quote_name
    user_id = quote(users._meta.pk.column)
    if organisation is not None:
        member, active = (quote(f.column) for f in sql.fields_of(users, "organisation", "is_active"))
        chosen, chosen_params = f"u.{member} = %s AND u.{active}", (organisation,)
    elif kinds is not None:
        if not kinds:
            return []
        clauses, params = [], []
        for kind in kinds:
            fields = sql.fields_of(users, *kind)
            clauses.append(" AND ".join(f"u.{quote(field.column)} = %s" for field in fields))
            params += [
                field.get_db_prep_value(value, connection) for field, value in zip(fields, kind.values(), strict=True)
            ]
        chosen, chosen_params = "(" + ") OR (".join(clauses) + ")", tuple(params)
    else:
        ids = sorted({user.pk for user in recipients})
        if not ids:
            return []
        chosen, chosen_params = f"u.{user_id} IN ({', '.join(['%s'] * len(ids))})", tuple(ids)
    fields = sql.fields_of(Notice, "recipient", "declaration", "subject", "body", "created_at", "email_attempts")
    values = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(
            fields[1:], (getattr(declaration, "pk", None), _subject(subject), body, timezone.now(), 0), strict=True
        )
    ]
    columns = ", ".join(quote(field.column) for field in fields)
    statement = (
        f"INSERT INTO {sql.table(Notice)} ({columns}) "  # nosec B608 # names from the models, values bound
        f"SELECT u.{user_id}, CAST(%s AS bigint), CAST(%s AS text), CAST(%s AS text), %s, %s "
        f"FROM {sql.table(users)} u WHERE {chosen} "
        f"RETURNING {quote(Notice._meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*values, *chosen_params])
        notice_ids = sorted(row[0] for row in cursor.fetchall())
    _deliver_after_commit(notice_ids)
    return notice_ids


_batches = threading.local()


@contextmanager
def delivered_together():
    """The notices written inside (by any of the functions above) are delivered after the commit by
    one task message rather than one for each call: a submission's notices to the applicant and to
    the staff, for one. Nothing is queued if the block raises."""
    stack = _batches.__dict__.setdefault("stack", [])
    batch: list[int] = []
    stack.append(batch)
    try:
        yield
    finally:
        stack.pop()
    _deliver_after_commit(batch)


def _deliver_after_commit(notice_ids):
    notice_ids = sorted(notice_ids)
    stack = getattr(_batches, "stack", None)
    if stack:
        stack[-1].extend(notice_ids)
    elif len(notice_ids) == 1:
        transaction.on_commit(lambda: deliver_notice.delay(notice_id=notice_ids[0]))
    elif notice_ids:
        transaction.on_commit(lambda: deliver_notices.delay(notice_ids=notice_ids))


def notices_for_transition(*, declaration, event):
    """Tell every active user of the declaring organisation what happened (each reads it in their
    own language)."""
    subject = message("declaration.state.subject", title=declaration.title, state=declaration.state)
    paragraphs = [
        message(
            "declaration.state.body",
            title=declaration.title,
            programme=declaration.programme.code,
            state=declaration.state,
        )
    ]
    if declaration.number:
        paragraphs.append(message("declaration.number", number=declaration.number))
    if event.note:
        paragraphs.append(message("declaration.comments", note=event.note))
    body = message("paragraphs", paragraphs=paragraphs)
    notices_create(organisation=declaration.organisation_id, subject=subject, body=body, declaration=declaration)


def notices_for_staff(*, permission, subject, body, declaration=None):
    """Tell the commission staff who hold `permission` (a `rules` permission: those who handle what
    happened, not every user) by a notice each. Returns how many were written.

    Such a permission is a predicate of who someone is (accounts.rules), which reads IDENTITY_FIELDS of
    a user: it is asked once for each kind of member of staff there is (the values of those fields
    that occur, one or two), of a user made of them, and one statement writes the notices of every
    member of the kinds that hold it. Finding who is told costs the same with 8 staff or 800 (read one
    by one, an object and a check each, the load's 80 took a tenth of a submission's time); writing
    their notices still grows with them (bench/submission.py)."""
    users = get_user_model()
    staff = users.objects.filter(is_active=True, role=Role.STAFF).order_by()
    kinds = [
        dict(zip(IDENTITY_FIELDS, values, strict=True)) for values in staff.values_list(*IDENTITY_FIELDS).distinct()
    ]
    holding = [kind for kind in kinds if rules.has_perm(permission, users(**kind))]
    return len(notices_create(kinds=holding, subject=subject, body=body, declaration=declaration))


def notices_for_submission(*, declaration, event):
    """Tell the staff who accept declarations that `declaration` was submitted (`event`)."""
    return notices_for_staff(
        permission="review.accept",
        subject=message("declaration.submitted.subject", number=str(declaration)),
        body=message(
            "declaration.submitted.body",
            organisation=declaration.organisation.name,
            number=str(declaration),
            title=declaration.title,
            programme=declaration.programme.code,
            date=event.created_at,
        ),
        declaration=declaration,
    )


def _subject(subject):
    """A subject as stored: a message as it is, text as written put on one line, as a header must be."""
    return single_line(subject)[:SUBJECT_MAX_LENGTH] if isinstance(subject, str) else subject


def notice_language(user):
    """The language `user` reads notices in: the one they use the site in (accounts.User.language)."""
    return user.language or settings.LANGUAGE_CODE


def notice_text(notice):
    """(subject, body) of `notice` in its recipient's language, the subject on one line."""
    with translation.override(notice_language(notice.recipient)):
        subject = single_line(str(notice.subject))[:SUBJECT_MAX_LENGTH]
        return subject, str(notice.body)


def notice_message_id(notice):
    """The notice's e-mail Message-ID: the same for every attempt, so that a copy sent twice (see
    `notice_deliver`) carries the same identity and a mail store or the operator can recognise it."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >") or "localhost"
    return f"<notice.{notice.pk}.{notice.created_at:%Y%m%d%H%M%S%f}@{domain}>"


def notice_deliver(*, notice_id):
    """E-mail one notice unless it was already e-mailed or its recipient has no address. Returns True
    when it sent mail.

    Exactly once, as far as a mail server that cannot take part in our transaction allows:

    - the row is locked (`select_for_update`, waiting rather than skipping: a duplicated or
      redelivered task waits for the one sending, then sees `emailed_at` and does nothing; a
      skipped copy could be the only one left if the sender then dies);
    - `emailed_at` is written before the mail leaves and committed right after the server accepted
      it, in one transaction: a worker killed before the server's acceptance leaves the row as it
      was (PostgreSQL rolls back when the connection drops), and the redelivered task (acks late)
      sends it; a worker killed after the commit leaves it sent, and the redelivered task skips it;
    - the SMTP connection is opened inside the transaction but closed (QUIT) only after the commit,
      so nothing but the commit itself stands between the server's acceptance and the row marked.

    The remaining window, which no design without the mail server's cooperation closes: a worker
    killed after the server accepted the message and before the COMMIT reached PostgreSQL (the
    microseconds between the end of DATA and the commit's bytes on the socket). The row rolls back
    and the redelivered task sends the message again, with the same Message-ID
    (`notice_message_id`), so the duplicate is recognisable downstream.
    """
    connection = get_connection()
    try:
        return _notice_send(notice_id=notice_id, connection=connection)
    finally:
        connection.close()


class NoticesUndelivered(Exception):
    """A delivery of several notices stopped at one that failed; `notice_ids` are those still to send."""

    def __init__(self, notice_ids):
        super().__init__(notice_ids)
        self.notice_ids = notice_ids


def notices_deliver(*, notice_ids):
    """`notice_deliver` for each of `notice_ids` in turn, over one connection to the mail server: the
    staff's notices of a submission open one SMTP connection (and TLS handshake), not one each. Each
    notice is locked, marked and committed on its own, as `notice_deliver` says, and the connection
    is closed after the last commit. Returns how many it sent.

    When one fails (OSError: the server unreachable, the address refused) it stops there rather than
    wait out the same failure for each of the rest, counts the attempt against that notice and raises
    NoticesUndelivered with the ids still to send: those after it, then it, last, so that one refused
    address does not hold back the others."""
    notice_ids = list(notice_ids)
    connection, sent = get_connection(), 0
    try:
        for position, notice_id in enumerate(notice_ids):
            try:
                sent += _notice_send(notice_id=notice_id, connection=connection)
            except OSError as failure:
                notice_delivery_failed(notice_id=notice_id)
                raise NoticesUndelivered([*notice_ids[position + 1 :], notice_id]) from failure
    finally:
        connection.close()
    return sent


@transaction.atomic
def _notice_send(*, notice_id, connection):
    notice = Notice.objects.select_for_update(of=("self",)).select_related("recipient").filter(pk=notice_id).first()
    if notice is None or notice.emailed_at is not None or not notice.recipient.email:
        return False
    notice.emailed_at = timezone.now()
    notice.email_attempts += 1
    notice.save(update_fields=["emailed_at", "email_attempts"])
    # A header is one line: a title typed with a line break must not make the notice unsendable.
    subject, body = notice_text(notice)
    email = EmailMessage(
        subject=subject,
        body=body,
        to=[notice.recipient.email],
        headers={"Message-ID": notice_message_id(notice)},
        connection=connection,
    )
    connection.open()  # opened here, so that sending does not also close it before the commit
    email.send()
    return True


def notice_delivery_failed(*, notice_id):
    """Count a failed attempt outside the rolled-back delivery, so the sweep gives up in the end."""
    Notice.objects.filter(pk=notice_id).update(email_attempts=F("email_attempts") + 1)


@transaction.atomic
def notices_pending(*, max_attempts, limit=500):
    """Ids of the notices not e-mailed yet that may still be tried (the sweep's), at most `limit`.
    Notices being sent right now (their row locked by a delivery) are skipped: their task is alive,
    and if its worker dies, its message comes back (acks late) or the next sweep finds them."""
    pending = (
        Notice.objects.filter(emailed_at__isnull=True, email_attempts__lt=max_attempts, recipient__email__gt="")
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return list(pending[:limit])


def notices_mark_read(*, recipient, notice_ids=None):
    """Mark the recipient's notices (all, or those of `notice_ids`) as read."""
    notices = Notice.objects.filter(recipient=recipient, read_at__isnull=True)
    if notice_ids is not None:
        notices = notices.filter(pk__in=notice_ids)
    return notices.update(read_at=timezone.now())
