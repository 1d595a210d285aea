"""The shared layout's parts that depend on nothing but what the user may open and the language: the
main navigation, the language switcher's choices and the account menu's links. Each is rendered once
per process for each such key (`rendered_once`), not on every page: through the template engine the
navigation bar was a quarter of a signed-in page that does little else. What belongs to the request
(the CSRF tokens, the page's own address, the user's name and unread notices) stays in
templates/base.html."""

from functools import lru_cache

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import translation

register = template.Library()

_KEPT = []


def rendered_once(render):
    """`render(*key)`, HTML that depends on `key` (hashable), the active language and the URL prefix
    only, kept per process for each; rendered afresh on each call under DEBUG, where templates may be
    edited while the development server runs."""
    kept = lru_cache(maxsize=512)(lambda key, language, script_prefix: render(*key))
    _KEPT.append(kept)

    def cached(*key):
        if settings.DEBUG:
            return render(*key)
        return kept(key, translation.get_language(), get_script_prefix())

    return cached


@receiver(setting_changed)
def _urls_or_languages_changed(setting, **kwargs):
    if setting in {"ROOT_URLCONF", "LANGUAGES", "LANGUAGE_CODE", "TEMPLATES"}:
        for kept in _KEPT:
            kept.cache_clear()


@rendered_once
def _main_nav(signed_in, may, is_staff):
    return render_to_string("layout/main_nav.html", {"signed_in": signed_in, "may": dict(may), "is_staff": is_staff})


@register.simple_tag(takes_context=True)
def main_nav(context):
    """The main navigation: the public pages, and the entries the user's permissions
    open (the layout's `may`)."""
    user = context.get("user")
    signed_in = bool(user is not None and user.is_authenticated)
    may = context.get("may") or {}
    return _main_nav(signed_in, tuple(sorted(may.items())), bool(signed_in and user.is_staff))


@rendered_once
def _template(template_name):
    return render_to_string(template_name)


@register.simple_tag
def per_language(template_name):
    """A template of the layout that depends on nothing but the language (the language switcher's
    choices, the account menu's links), rendered once per process for each."""
    return _template(template_name)
