"""The OpenAPI schema documents v2 beside v1: every route, its body, and its error answers."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

ROUTES = {
    "/api/v2/secret/conceal": {"post"},
    "/api/v2/secret/generate": {"post"},
    "/api/v2/secret/{identifier}": {"get"},
    "/api/v2/secret/{identifier}/reveal": {"post"},
    "/api/v2/secret/{identifier}/status": {"get"},
    "/api/v2/secret/status": {"post"},
    "/api/v2/receipt/{identifier}": {"get", "patch"},
    "/api/v2/private/{identifier}": {"get", "patch"},
    "/api/v2/receipt/{identifier}/burn": {"post"},
    "/api/v2/private/{identifier}/burn": {"post"},
    "/api/v2/receipt/recent": {"get"},
    "/api/v2/private/recent": {"get"},
    "/api/v2/guest/secret/conceal": {"post"},
    "/api/v2/guest/secret/generate": {"post"},
    "/api/v2/guest/secret/{identifier}": {"get"},
    "/api/v2/guest/secret/{identifier}/reveal": {"post"},
    "/api/v2/guest/receipt/{identifier}": {"get"},
    "/api/v2/guest/receipt/{identifier}/burn": {"post"},
    "/api/v2/status": {"get"},
    "/api/v2/supported-locales": {"get"},
    "/api/v2/version": {"get"},
}
HTTP_METHODS = {"get", "post", "patch", "put", "delete"}


@pytest.fixture
async def schema(client: AsyncTestClient) -> dict[str, Any]:
    response = await client.get("/api/schema/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


async def test_every_v2_route_is_documented_and_nothing_else(schema: dict[str, Any]) -> None:
    documented = {
        path: {method for method in item if method in HTTP_METHODS}
        for path, item in schema["paths"].items()
        if path.startswith("/api/v2/")
    }
    assert documented == ROUTES


async def test_v1_is_still_documented_beside_v2(schema: dict[str, Any]) -> None:
    assert "/api/v1/share" in schema["paths"]
    assert "/api/v1/secret/{key}" in schema["paths"]


async def test_every_v2_operation_documents_its_error_body(schema: dict[str, Any]) -> None:
    for path, methods in ROUTES.items():
        for method in methods:
            responses = schema["paths"][path][method]["responses"]
            assert "200" in responses, (method, path)
            for status in ("400", "401", "404", "422", "429", "503"):
                error = responses[status]["content"]["application/json"]["schema"]
                assert error == {"$ref": "#/components/schemas/ErrorBody"}, (method, path, status)
    error_fields = set(schema["components"]["schemas"]["ErrorBody"]["properties"])
    assert {"error", "error_type", "message", "field", "retry_after", "request_id"} <= error_fields


async def test_creation_bodies_are_documented_nested_as_json_and_as_form(schema: dict[str, Any]) -> None:
    content = schema["paths"]["/api/v2/secret/conceal"]["post"]["requestBody"]["content"]
    assert set(content) == {"application/json", "application/x-www-form-urlencoded"}
    nested = content["application/json"]["schema"]["properties"]["secret"]["properties"]
    assert set(nested) == {"secret", "ttl", "passphrase", "recipient", "share_domain", "notify"}
    generate = schema["paths"]["/api/v2/secret/generate"]["post"]["requestBody"]["content"]["application/json"]
    assert {"length", "character_sets"} <= set(generate["schema"]["properties"]["secret"]["properties"])
    reveal = schema["paths"]["/api/v2/secret/{identifier}/reveal"]["post"]["requestBody"]["content"]
    assert set(reveal["application/json"]["schema"]["properties"]) == {"passphrase", "continue"}


async def test_the_answers_are_documented_with_their_records(schema: dict[str, Any]) -> None:
    components = schema["components"]["schemas"]
    created = schema["paths"]["/api/v2/secret/conceal"]["post"]["responses"]["200"]["content"]["application/json"]
    assert created["schema"] == {"$ref": "#/components/schemas/Created"}
    assert set(components["CreatedRecord"]["properties"]) == {"receipt", "metadata", "secret", "share_domain"}
    assert "secret_value" in components["SecretRecord"]["properties"]
    assert "secret_value" not in components["ReceiptRecord"]["properties"]
