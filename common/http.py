"""What a view reads of the request that is not a form: where it came from."""

import ipaddress

from django.conf import settings


def client_address(request):
    """The address the request came from: the header the TLS proxy sets (settings.CLIENT_ADDRESS_HEADER,
    its first entry for X-Forwarded-For) when one is configured, else the connection's. None when
    neither is an IP address."""
    header = settings.CLIENT_ADDRESS_HEADER
    for candidate in ((request.META.get(header, "").split(",")[0] if header else ""), request.META.get("REMOTE_ADDR")):
        try:
            return str(ipaddress.ip_address((candidate or "").strip()))
        except ValueError:
            continue
    return None


def client_address_key(group, request):
    """django-ratelimit's key for "per client address": the same address `client_address` records.
    Requests with no readable address share one key, so they are limited together, never let through."""
    return client_address(request) or "unknown"


def query_without_page(request):
    """The request's query string without its page number, for the links of a paginated list."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
