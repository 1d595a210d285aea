"""{% page_title %}…{% endpage_title %}: the document's title, "page · site", or the site's name alone
when the page names itself nothing. The layout wraps its {% block title %} in it: a template cannot
ask whether a block it defines was filled (`{% if self.title %}` is never true in Django), so the
separator appeared on no page."""

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()


class PageTitleNode(template.Node):
    # The blocks inside stay visible to {% extends %}, as those inside {% if %} are.
    child_nodelists = ("nodelist",)

    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        site = gettext("Zhongguancun Technology-Finance Support Funds")
        page = self.nodelist.render(context).strip()
        if not page:
            return conditional_escape(site)
        # The page's part was rendered (and escaped) by the template engine; strip() lost the mark.
        return format_html("{} · {}", mark_safe(page), site)  # nosec B308 B703 # rendered by the engine


@register.tag("page_title")
def page_title(parser, token):
    nodelist = parser.parse(("endpage_title",))
    parser.delete_first_token()
    return PageTitleNode(nodelist)
