"""The OpenAPI schema describes the v1 API as it answers, errors included."""

import pytest
from litestar.testing import AsyncTestClient


async def test_every_v1_operation_documents_its_404_error_body(client: AsyncTestClient) -> None:
    response = await client.get("/api/schema/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        if path.startswith("/api/v1/")
        for method, operation in item.items()
        if method in {"get", "post"}
    ]
    assert len(operations) >= 15  # status, authcheck, share/create, generate, reveal, 3 x (recent, receipt x2, burn)
    for path, method, operation in operations:
        error = operation["responses"].get("404")
        assert error is not None, f"{method.upper()} {path} does not document its errors"
        assert error["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Error"
    assert set(schema["components"]["schemas"]["Error"]["properties"]) == {"message", "secret_key"}


async def test_the_schema_describes_the_form_and_json_bodies_of_the_v1_posts(client: AsyncTestClient) -> None:
    paths = (await client.get("/api/schema/openapi.json")).json()["paths"]
    expected = {
        "/api/v1/share": {"secret", "ttl", "passphrase", "recipient", "share_domain", "notify"},
        "/api/v1/generate": {"length", "ttl", "passphrase", "recipient", "share_domain", "notify"},
        "/api/v1/secret/{key}": {"passphrase"},
        "/api/v1/private/{key}/burn": {"passphrase"},
    }
    for path, fields in expected.items():
        content = paths[path]["post"]["requestBody"]["content"]
        assert set(content) == {"application/x-www-form-urlencoded", "application/json"}
        assert set(content["application/x-www-form-urlencoded"]["schema"]["properties"]) == fields
    assert paths["/api/v1/share"]["post"]["requestBody"]["content"]["application/json"]["schema"]["required"] == [
        "secret"
    ]


async def test_the_schema_documents_numbers_as_integers_and_repeatable_parameters_as_lists(
    client: AsyncTestClient,
) -> None:
    paths = (await client.get("/api/schema/openapi.json")).json()["paths"]
    body = paths["/api/v1/generate"]["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"]
    assert (body["length"]["type"], body["length"]["maximum"]) == ("integer", 128)
    assert body["ttl"]["type"] == "integer"
    assert (body["recipient"]["type"], body["recipient"]["items"]) == ("array", {"type": "string"})
    assert body["share_domain"]["type"] == "string"


@pytest.mark.parametrize(
    "path",
    [
        "/api/schema/redoc",
        "/api/schema/swagger",
        "/api/schema/elements",
        "/api/schema/rapidoc",
        "/api/schema/oauth2-redirect.html",
        "/api/schema/scalar",
    ],
)
async def test_no_documentation_page_loads_third_party_scripts(client: AsyncTestClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert "<script" not in response.text
    assert "cdn" not in response.text.lower()


@pytest.mark.parametrize("path", ["/api/schema/openapi.json", "/api/schema"])
async def test_the_schema_is_json_at_its_documented_paths(client: AsyncTestClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.oai.openapi+json")
    assert response.json()["info"]["title"] == "Onetime Secret API"
