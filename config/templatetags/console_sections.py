"""The staff console's sections, drawn on every console page."""

from functools import lru_cache

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import translation

register = template.Library()


@register.simple_tag(takes_context=True)
def console_sections(context):
    """The sections the user may open (the layout's `may`), the page's own (`console_section`)
    marked: they depend on nothing else, so each set of permissions, section and language is
    rendered once per process (templates/console/_sections.html), not on every page (0.7 ms)."""
    may = context.get("may") or {}
    if settings.DEBUG:  # the template may be edited while the development server runs
        return _sections.__wrapped__(tuple(sorted(may.items())), context.get("console_section", ""), "", "")
    return _sections(
        tuple(sorted(may.items())),
        context.get("console_section", ""),
        translation.get_language(),
        get_script_prefix(),
    )


@lru_cache(maxsize=512)
def _sections(may, section, language, script_prefix):
    return render_to_string("console/_sections.html", {"may": dict(may), "console_section": section})


@receiver(setting_changed)
def _urls_or_languages_changed(setting, **kwargs):
    if setting in {"ROOT_URLCONF", "LANGUAGES", "LANGUAGE_CODE", "TEMPLATES"}:
        _sections.cache_clear()
