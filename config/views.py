from django.shortcuts import render

from declarations.models import Programme
from declarations.selectors import calls_open_now


def home(request):
    return render(request, "home.html", {"programmes": Programme.objects.all(), "calls": calls_open_now()})
