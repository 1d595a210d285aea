from django.http import HttpResponse
from django.shortcuts import render

from declarations.models import Programme
from declarations.selectors import calls_open_now


def home(request):
    return render(request, "home.html", {"programmes": Programme.objects.all(), "calls": calls_open_now()})


def healthz(request):
    """For the load balancer and compose health checks: the process answers and reaches the database."""
    Programme.objects.exists()
    return HttpResponse("ok", content_type="text/plain")
