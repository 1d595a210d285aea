from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.messages import MessageField


class Notice(models.Model):
    """A message to one user: written to this outbox in the transaction that causes it, then
    delivered by e-mail (once: `emailed_at`) and shown in the user's in-app inbox."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notices"
    )
    declaration = models.ForeignKey(
        "declarations.Declaration",
        verbose_name=_("declaration"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notices",
    )
    # What the system wrote, rendered in the reader's language when shown or e-mailed (common.messages).
    subject = MessageField(_("subject"))
    body = MessageField(_("message"))
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True, db_index=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notice_recipient_unread")]

    def __str__(self):
        return str(self.subject)
