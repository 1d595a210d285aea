"""The administration and the API's documentation page in the reader's language, with Chinese
typography (issue 17), by the rules of tests/typography.py, as tests/test_typography.py reads the
product's pages (which leaves these two out of its crawl): over the demo data, in Chinese and in
English, the administrator's admin index, every model's list, one change form per model that has a
row, each add form the administrator may open and one history page per model with a history (a row
whose versions have change reasons where there is one: the notes the system wrote, read in the
reader's language); and /api/docs/.

Our models' names, fields, help texts, actions and filters are translated in locale/zh_Hans, and so
are the texts of Django and of the third-party apps that their own catalogues lack or write with
half-width punctuation (config/third_party_messages.py). What is left, each allowed below with its
reason, is markup of Django's admin or a third-party app's, or a text no catalogue reaches because
the app writes it without gettext. Of those, a few words stay English in the Chinese admin, too
short for the rule of English sentences: simple_history's "historical …" model names and Django's
permission names (stored in English by `migrate`) in the permissions' lists; allauth's
"Authenticators" and "User sessions" and their fields without verbose names; django-celery-beat's
"Task Name" filter and "Human readable" crontab; Django's "Search" icon's alt and its True/False
icons.

/api/docs/: its page (title, language) is the project's and is scanned. The Swagger UI it loads
draws the OpenAPI schema in the browser: the schema's own text (its title and description, the
operations, parameters and fields) is the API's contract for the commission's developers, written
once in English so that one document describes the API whatever the language of whoever fetches
it. It is not in the page's HTML, and exempt."""

import io
import re

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.core.management import call_command
from django.db.models import Count
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils.translation import get_language_info
from django_celery_beat.models import CrontabSchedule
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import User
from tests import typography
from tests.test_typography import LANGUAGES, typed_texts

pytestmark = pytest.mark.django_db

# Allowed: Django's admin writes a help text in the header of an inline's column as an icon whose
# alt text wraps it in half-width brackets, "(…)"; its title attribute, scanned, has the text alone.
INLINE_HELP_ALT = re.compile(r'(<img [^>]*class="help help-tooltip"[^>]*) alt="\([^"]*\)"')
# Allowed: Django's read-only summary of a password hash puts ": " between each label and value in
# its template (the labels themselves are translated).
PASSWORD_SUMMARY_COLON = re.compile(r"(</strong>): (<bdi>)")
# Allowed: the admin's selects (its actions, a foreign key) start with Django's empty choice.
ADMIN_EMPTY_CHOICE = re.compile(r'<option value=""( selected)?>---------</option>')
# Allowed: a crontab schedule's time zone is chosen by its IANA name (Asia/Shanghai,
# America/Port_of_Spain), an identifier rather than a text; django-celery-beat lists them all.
TIMEZONE_SELECT = re.compile(r'<select name="timezone"[^>]*>.*?</select>', re.S)


def allowed_in_the_admin():
    """Texts the admin shows in either language, besides those people typed (typed_texts):
    - both halves of a text held in two languages (a call's title_zh and title_en): the admin is
      where both are typed;
    - each language's name in itself (简体中文, English), as the language menus write them;
    - labels that django-celery-beat and allauth make from a field's or a property's name (no
      catalogue can translate them: "Human readable", "Last used at") and a crontab's description,
      which django-celery-beat has cron-descriptor write in English."""
    texts = set()
    for model in apps.get_models():
        halves = [f.attname for f in model._meta.concrete_fields if f.name.endswith(("_zh", "_en"))]
        for row in model._default_manager.values_list(*halves) if halves else ():
            texts.update(value for value in row if value)
    texts.update(info["name_local"] for info in (get_language_info(code) for code, _name in settings.LANGUAGES))
    texts.update(("Human readable", "Last used at", "last used at", "Last seen at", "last seen at"))
    texts.update(schedule.human_readable for schedule in [CrontabSchedule(), *CrontabSchedule.objects.all()])
    return texts


def scanned(html):
    """The page as scanned: without the markup allowed above."""
    for pattern, replacement in (
        (INLINE_HELP_ALT, r"\1"),
        (PASSWORD_SUMMARY_COLON, r"\1 \2"),
        (ADMIN_EMPTY_CHOICE, ""),
        (TIMEZONE_SELECT, ""),
    ):
        html = pattern.sub(replacement, html)
    return html


def admin_paths(user):
    """The admin index, each registered model's list, its first row's change form, its add form
    where the administrator may add, and the history page of a row of each model with a history
    (django-simple-history's list of its versions, with their change reasons)."""
    request = RequestFactory().get("/admin/")
    request.user = user
    paths = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        paths.append(reverse(f"{info}_changelist"))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            paths.append(reverse(f"{info}_change", args=[first.pk]))
        if model_admin.has_add_permission(request):
            paths.append(reverse(f"{info}_add"))
        if first is not None and isinstance(model_admin, SimpleHistoryAdmin):
            paths.append(reverse(f"{info}_history", args=[_row_with_change_reasons(model) or first.pk]))
    return paths


def _row_with_change_reasons(model):
    """The row whose history has the most change reasons (the notes the system wrote and the
    reasons people typed), or None when no version has one."""
    history = getattr(model, model._meta.simple_history_manager_attribute)
    key = model._meta.pk.attname
    reasoned = (
        history.filter(**{f"{key}__in": model._default_manager.values("pk")})
        .exclude(history_change_reason__isnull=True)
        .exclude(history_change_reason="")
    )
    row = reasoned.values(key).annotate(reasons=Count("pk")).order_by("-reasons", key).first()
    return row and row[key]


@pytest.fixture(scope="module")
def admin_scan(module_db):
    """Each admin page and /api/docs/ in each language: (language, path, status, findings)."""
    pages = []
    with module_db.building():
        call_command("load_demo", stdout=io.StringIO())
        allowed = typed_texts() | allowed_in_the_admin()
        administrator = User.objects.get(username="admin")
        paths = [*admin_paths(administrator), reverse("api:docs")]
        for language in LANGUAGES:
            client = Client(raise_request_exception=False, headers={"accept-language": language})
            client.force_login(administrator)
            for path in paths:
                response = client.get(path)
                html = response.content.decode()
                pages.append((language, path, response.status_code, typography.findings(scanned(html), allowed)))
    return pages


def test_every_admin_page_and_the_api_docs_keep_to_the_typography_and_the_readers_language(admin_scan):
    assert {language for language, *_ in admin_scan} == set(LANGUAGES)
    assert len(admin_scan) > 100
    assert {(language, path): status for language, path, status, _ in admin_scan if status != 200} == {}
    wrong = {(language, path): found for language, path, _, found in admin_scan if found}

    assert wrong == {}


def test_the_allowances_leave_the_rest_of_a_page_scanned():
    """The markup allowed is taken out alone: the help text stays in its title, a password's
    summary and a select keep their text, and the text around the time zones' select is read."""
    html = (
        '<p>名称:</p><img src="x.svg" class="help help-tooltip" alt="(说明)" title="说明(例如)">'
        "<p><strong>算法</strong>: <bdi>md5</bdi></p>"
        '<select name="action"><option value="" selected>---------</option><option value="d">删除</option></select>'
        '<select name="timezone" id="id_timezone"><option>America/Port_of_Spain</option></select>'
    )

    assert [piece.text for piece in typography.visible_text(scanned(html))] == [
        "名称:",
        "说明(例如)",
        "算法 md5",
        "删除",
    ]
