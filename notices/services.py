from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common.text import single_line
from notices.models import Notice
from notices.tasks import deliver_notice


def notice_create(*, recipient, subject, body, declaration=None):
    """Write a notice to the outbox and queue its e-mail delivery for after the commit. The subject
    is put on one line: an e-mail subject with a line break fails to send, whatever it quotes."""
    subject = single_line(subject)[: Notice._meta.get_field("subject").max_length]
    notice = Notice.objects.create(recipient=recipient, subject=subject, body=body, declaration=declaration)
    transaction.on_commit(lambda: deliver_notice.delay(notice_id=notice.pk))
    return notice


def notices_for_transition(*, declaration, event):
    """Tell every active user of the declaring organisation what happened, in their own language."""
    for user in declaration.organisation.users.filter(is_active=True):
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject = _("Declaration “%(title)s”: %(state)s") % {
                "title": declaration.title,
                "state": declaration.applicant_state_label,
            }
            lines = [
                _("The state of your declaration “%(title)s” (%(programme)s) is now: %(state)s.")
                % {
                    "title": declaration.title,
                    "programme": declaration.programme.code,
                    "state": declaration.applicant_state_label,
                }
            ]
            if declaration.number:
                lines.append(_("Declaration number: %(number)s") % {"number": declaration.number})
            if event.note:
                lines.append(_("Comments: %(note)s") % {"note": event.note})
            notice_create(recipient=user, subject=subject, body="\n\n".join(lines), declaration=declaration)


@transaction.atomic
def notice_deliver(*, notice_id):
    """E-mail one notice unless it was already e-mailed or its recipient has no address.

    The row lock makes a duplicated or retried task wait for the first one and then see
    `emailed_at` set, so a notice is never e-mailed twice. Returns True when it sent mail.
    """
    notice = Notice.objects.select_for_update().select_related("recipient").filter(pk=notice_id).first()
    if notice is None or notice.emailed_at is not None or not notice.recipient.email:
        return False
    send_mail(notice.subject, notice.body, None, [notice.recipient.email])
    notice.emailed_at = timezone.now()
    notice.email_attempts += 1
    notice.save(update_fields=["emailed_at", "email_attempts"])
    return True


def notice_delivery_failed(*, notice_id):
    """Count a failed attempt outside the rolled-back delivery, so the sweep gives up in the end."""
    Notice.objects.filter(pk=notice_id).update(email_attempts=F("email_attempts") + 1)


def notices_pending(*, max_attempts, limit=500):
    """Ids of the notices not e-mailed yet that may still be tried (the sweep's), at most `limit`."""
    pending = Notice.objects.filter(
        emailed_at__isnull=True, email_attempts__lt=max_attempts, recipient__email__gt=""
    ).values_list("pk", flat=True)
    return list(pending[:limit])


def notices_mark_read(*, recipient, notice_ids=None):
    """Mark the recipient's notices (all, or those of `notice_ids`) as read."""
    notices = Notice.objects.filter(recipient=recipient, read_at__isnull=True)
    if notice_ids is not None:
        notices = notices.filter(pk__in=notice_ids)
    return notices.update(read_at=timezone.now())
