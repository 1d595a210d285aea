"""The site's address and the demo's logins: what `make run` prints last, once the server answers."""

import time
import urllib.error
import urllib.request

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from config.management.commands.load_demo import DEFAULT_ADDRESS, USERS, demo_logins


class Command(BaseCommand):
    help = "Print the site's address and the demo users' logins (after load_demo), once the site answers."

    def add_arguments(self, parser):
        parser.add_argument("--address", default=DEFAULT_ADDRESS, help="the site's address")
        parser.add_argument(
            "--wait", type=float, default=0, metavar="SECONDS", help="wait up to SECONDS for the site to answer"
        )

    def handle(self, *args, address, wait, **options):
        if wait:
            self._wait_for(address, wait)
        order = [username for username, _role in USERS]
        users = sorted(User.objects.filter(username__in=order), key=lambda user: order.index(user.username))
        if not users:
            raise CommandError("No demo user: run `manage.py load_demo` first.")
        self.stdout.write(self.style.SUCCESS(demo_logins(address, users)))

    def _wait_for(self, address, seconds):
        deadline = time.monotonic() + seconds
        health = address.rstrip("/") + "/healthz/"
        while True:
            try:
                # The address is the operator's own server, given on the command line.
                with urllib.request.urlopen(health, timeout=2):  # nosec B310 # http(s) to our own server
                    return
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    raise CommandError(f"Nothing answered at {health} within {seconds:g} seconds.") from None
                time.sleep(0.25)
