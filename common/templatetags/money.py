from django import template

from common import money

register = template.Library()
register.filter("yuan", money.yuan)
