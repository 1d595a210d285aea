"""Texts of Django and of the third-party apps that the administration shows, whose Chinese the
project supplies: their own catalogues lack them (strings newer than the translation) or write them
with half-width punctuation beside Chinese (issue 17). Listed here, exactly as the apps write them,
so that makemessages keeps them in locale/zh_Hans; the project's catalogue (LOCALE_PATHS) takes
precedence over the apps' own. Nothing imports this module. tests/test_admin_typography.py scans
the admin pages that show them."""

from django.utils.translation import gettext_noop

THIRD_PARTY_MESSAGES = (
    # Django: the suffix of a form's labels, which the admin's forms write after each label.
    gettext_noop(":"),
    # Django's admin.
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("Sorting priority: %(priority_number)s"),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),  # noqa: RUF001 -- Django writes the typographic apostrophe
    # django-simple-history's title of a row's history (its catalogue has a half-width colon).
    gettext_noop("View history: %s"),
    gettext_noop("Change history: %s"),
    # django-celery-beat's periodic tasks and schedules.
    gettext_noop("Task (registered)"),
    gettext_noop("Task (custom)"),
    gettext_noop('JSON encoded positional arguments (Example: ["arg1", "arg2"])'),
    gettext_noop('JSON encoded keyword arguments (Example: {"argument": "value"})'),
    gettext_noop("Execution Options"),
    gettext_noop("Schedule"),
    gettext_noop("Arguments"),
    gettext_noop("Periodic Tasks Using This Schedule"),
    gettext_noop('Cron Months (1-12) Of The Year to Run. Use "*" for "all". (Example: "1,12")'),
    gettext_noop('Cron Days Of The Week to Run. Use "*" for "all", Sunday is 0 or 7, Monday is 1. (Example: "0,5")'),
)
