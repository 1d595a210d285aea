from django.http import FileResponse, HttpResponse
from django.utils.cache import add_never_cache_headers

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
