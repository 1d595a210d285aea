from django.shortcuts import render
from django.utils.translation import gettext as _

from common.views import permission_required
from config.homes import staff_worklist
from declarations.models import Programme
from declarations.selectors import calls_open_now


def home(request):
    return render(request, "home.html", {"programmes": Programme.objects.all(), "calls": calls_open_now()})


@permission_required("console.staff")
def console_home(request):
    """The staff's home in the console: what needs them now, each count a link to its list."""
    return render(
        request,
        "console/home.html",
        {"title": _("What needs you now"), "work": staff_worklist(), "console_section": "home"},
    )
