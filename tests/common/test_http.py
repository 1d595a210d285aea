import pytest
from django.test import RequestFactory

from common.http import client_address, client_address_key


@pytest.mark.parametrize(
    ("header", "meta", "address"),
    [
        ("", {"REMOTE_ADDR": "192.0.2.1"}, "192.0.2.1"),
        (
            "HTTP_X_FORWARDED_FOR",
            {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.5, 10.0.0.1"},
            "203.0.113.5",
        ),
        ("HTTP_X_REAL_IP", {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_REAL_IP": " 2001:db8::1 "}, "2001:db8::1"),
        ("HTTP_X_REAL_IP", {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_REAL_IP": "not an address"}, "10.0.0.1"),
        ("", {"REMOTE_ADDR": ""}, None),
    ],
)
def test_client_address_reads_the_proxy_header_when_configured(settings, header, meta, address):
    settings.CLIENT_ADDRESS_HEADER = header
    request = RequestFactory().get("/", **meta)

    assert client_address(request) == address


def test_client_address_key_groups_unreadable_addresses_together(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="")

    assert client_address_key("group", request) == "unknown"
