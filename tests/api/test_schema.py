"""The OpenAPI 3 schema: generated without warnings and valid (drf-spectacular's own check), and the
one served at /api/schema/ valid too; its UI served from our static files."""

import io
import json

import pytest
from django.core.management import call_command
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db


def test_the_schema_generates_and_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.json"
    err = io.StringIO()

    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", "--file", str(out), stderr=err
    )

    schema = json.loads(out.read_text())
    assert schema["openapi"].startswith("3.")
    assert {"/api/declarations/", "/api/payments/", "/api/recovery-cases/"} <= set(schema["paths"])


def test_the_served_schema_is_valid_openapi_3_and_describes_the_token_and_filters(client):
    response = client.get("/api/schema/?format=json")

    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)  # raises on an invalid schema
    assert {"/api/declarations/", "/api/declarations/{id}/", "/api/payments/", "/api/recovery-cases/"} <= set(
        schema["paths"]
    )
    assert not any(path.startswith("/api/tokens/") for path in schema["paths"])
    listing = schema["paths"]["/api/declarations/"]["get"]
    parameters = {p["name"] for p in listing["parameters"]}
    assert {"call", "programme", "state", "submitted_since", "changed_since", "page", "page_size"} <= parameters
    assert set(schema["paths"]["/api/declarations/"]) == {"get"}
    schemes = schema["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" or s.get("in") == "header" for s in schemes.values())
    amount = schema["components"]["schemas"]["Declaration"]["properties"]["approved_amount"]
    assert amount["type"] == "string" and amount["format"] == "decimal"


def test_the_docs_page_loads_everything_from_this_site(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "<style" not in page and "<script>" not in page
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
