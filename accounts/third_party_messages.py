"""Messages of allauth whose Chinese translation we correct (half-width punctuation after Chinese
text, issue 17). The project's catalogue (LOCALE_PATHS) is read before allauth's own; naming the
messages here keeps makemessages from dropping them from it."""

from django.utils.translation import gettext_noop

CORRECTED = [gettext_noop("Enter your password:")]
