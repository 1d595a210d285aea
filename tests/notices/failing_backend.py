from smtplib import SMTPRecipientsRefused, SMTPServerDisconnected

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class FailingBackend(BaseEmailBackend):
    """An e-mail backend whose server never answers, as when SMTP is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP server unreachable")


class CountingBackend(LocmemBackend):
    """The test outbox, counting the connections opened to the server (`opened`), refusing the
    addresses in `refused` as a server refuses a recipient, and failing to close the connection when
    `closing_fails`."""

    opened = 0
    refused: frozenset[str] = frozenset()
    closing_fails = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.connected = False

    def open(self):
        if self.connected:
            return False
        self.connected = True
        type(self).opened += 1
        return True

    def close(self):
        was_connected, self.connected = self.connected, False
        if was_connected and self.closing_fails:
            raise SMTPServerDisconnected("Connection unexpectedly closed while quitting")

    def send_messages(self, messages):
        for email in messages:
            if refused := set(email.to) & self.refused:
                raise SMTPRecipientsRefused(dict.fromkeys(refused, (550, b"No such user")))
        return super().send_messages(messages)
