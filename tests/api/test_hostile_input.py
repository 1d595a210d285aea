"""No input makes the API answer 500: odd filters, pages, ids and Authorization headers are a 4xx."""

import pytest

QUERIES = [
    "call=99999999999999999999999",
    "call=-1",
    "call=1e5",
    "year=99999999999999",
    "declaration=99999999999999999999",
    "page=abc",
    "page=0",
    "page=-1",
    "page_size=-5",
    "page_size=abc",
    "page=99999999999999999999",
    "changed_since=9999-99-99",
    "changed_since=2026-01-01T25:00",
    "submitted_since=%00",
    "programme=%00",
    "state=",
    "paid_since=0000-01-01",
    "opened_since=2026-13-01",
    "call=%00",
    "programme=" + "x" * 5000,
]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("path", ["/api/declarations/", "/api/payments/", "/api/recovery-cases/"])
def test_an_odd_filter_or_page_is_never_a_server_error(finance, token_client, query, path):
    response = token_client(finance).get(f"{path}?{query}")
    assert response.status_code < 500, response.content


@pytest.mark.parametrize("pk", ["99999999999999999999999", "0", "-1", "abc", "%00"])
def test_an_odd_id_is_a_404_not_a_server_error(finance, token_client, pk):
    response = token_client(finance).get(f"/api/declarations/{pk}/")
    assert response.status_code == 404


def test_an_odd_authorization_header_is_a_401(db, client):
    for header in [
        "Bearer",
        "Bearer a b",
        "Bearer \x00",
        "Bearer " + "x" * 10000,
        "Bearer zgc_\u00e9\u00e9",
        "Basic abc",
    ]:
        assert client.get("/api/declarations/", HTTP_AUTHORIZATION=header).status_code == 401, header
