from django.http import HttpResponse

from declarations.models import Programme


class HealthCheckMiddleware:
    """Answer /healthz/ before host validation and the HTTPS redirect, so that load balancers and
    container health checks can probe the process on its own address over plain HTTP."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz/":
            Programme.objects.exists()  # the database answers
            return HttpResponse("ok", content_type="text/plain")
        return self.get_response(request)
