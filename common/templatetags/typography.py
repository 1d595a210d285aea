"""The rules of common.typography in templates: {% colon %}, {% list_separator %},
{{ x|parenthesised }}, {{ items|join_list }}, {{ iso|local_date }}, {{ amount|wan_yuan_reading }};
and {{ text|message_text }}: a text column that may hold a stored message (common.messages), as the
reader's language reads it."""

from django import template

from common import typography
from common.messages import message_text

register = template.Library()

register.simple_tag(typography.colon, name="colon")
register.simple_tag(typography.list_separator, name="list_separator")
register.filter("parenthesised", typography.parenthesised, is_safe=True)
register.filter("join_list", typography.join_list, is_safe=True)
register.filter("local_date", typography.local_date)
register.filter("wan_yuan_reading", typography.wan_yuan_reading)
register.filter("message_text", message_text)
