import logging
import time

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.utils.cache import add_never_cache_headers

from declarations.models import Programme

slow_requests = logging.getLogger("zgc.requests")


class SlowRequestLogMiddleware:
    """Log each request that took longer than settings.SLOW_REQUEST_SECONDS, as one JSON line (the
    "zgc.requests" logger) with its method, path, status and duration, so that the pages that slow
    down under load are found in the logs rather than guessed. The query string is left out: it
    may carry a search for a person's name. First in the chain, so the time is the whole request's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = time.perf_counter()
        response = self.get_response(request)
        seconds = time.perf_counter() - start
        if seconds > settings.SLOW_REQUEST_SECONDS:
            slow_requests.warning(
                "slow request",
                extra={
                    "fields": {
                        "method": request.method,
                        "path": request.path,
                        "status": response.status_code,
                        "duration_ms": round(seconds * 1000),
                    }
                },
            )
        return response


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


# What a download of the product's data is (exports, PDFs, evidence files), whoever asks for it.
DOWNLOAD_TYPES = ("text/csv", "application/pdf", "application/vnd.openxmlformats-officedocument")


class NoStoreMiddleware:
    """Keep what only a signed-in person may read out of every cache, the browser's and any proxy's:
    every response to a signed-in user, and every download (a response that names a file, or is a
    CSV, XLSX or PDF) whoever asked. The public board's pages to anonymous readers keep their own
    caching. Runs inside the authentication middleware, so it sees who the request ended as (signed
    in by a login form, out by the logout)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        storable = "no-store" not in response.get("Cache-Control", "")  # a view may have said so itself
        if storable and ((user is not None and user.is_authenticated) or _is_download(response)):
            add_never_cache_headers(response)
        return response


def _is_download(response):
    return (
        response.has_header("Content-Disposition")
        or isinstance(response, FileResponse)
        or response.get("Content-Type", "").startswith(DOWNLOAD_TYPES)
    )
