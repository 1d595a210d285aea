from django.core.mail.backends.base import BaseEmailBackend


class FailingBackend(BaseEmailBackend):
    """An e-mail backend whose server never answers, as when SMTP is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP server unreachable")
