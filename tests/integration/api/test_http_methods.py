"""HEAD wherever GET is answered (consuming nothing), OPTIONS that lists every method a path
answers, and the v1 error shape for any other method under /api/v1."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from litestar.routes import HTTPRoute
from litestar.testing import AsyncTestClient

from onetime.settings import Settings
from tests.support.pages import share
from web.app import create_app

_SAMPLE_PARAMS = {"domain_name": "example.org", "file_path": "css/site.css"}
_KEY = "z" * 31
_PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")
_VARYING_HEADERS = {"date", "content-length", "set-cookie", "content-security-policy", "x-request-id"}
"""Headers whose value may differ between two requests (a nonce, a fresh CSRF cookie, v2's request id)."""


def _get_paths() -> list[str]:
    """Return one concrete path for every GET route of the app, its parameters filled in."""
    settings = Settings(data_dir=Path("/nonexistent"), master_secret=b"m" * 32)
    routes = [route for route in create_app(settings).routes if isinstance(route, HTTPRoute) and "GET" in route.methods]
    return sorted({_PARAM.sub(lambda found: _SAMPLE_PARAMS.get(found.group(1), _KEY), route.path) for route in routes})


@pytest.mark.parametrize("path", _get_paths())
async def test_head_answers_like_get_without_a_body(client: AsyncTestClient, path: str) -> None:
    got = await client.get(path)
    client.cookies.clear()  # both as a first visit (a first visit gets the CSRF cookie)
    head = await client.head(path)
    assert head.status_code == got.status_code
    assert head.content == b""
    assert set(head.headers) - {"content-length"} == set(got.headers) - {"content-length"}
    for name in set(got.headers) - _VARYING_HEADERS:
        assert head.headers[name] == got.headers[name], name


@pytest.mark.parametrize("path", ["/", "/api/v1/status", "/static/css/site.css", "/signin"])
async def test_head_of_a_live_page_is_a_200(client: AsyncTestClient, path: str) -> None:
    response = await client.head(path)
    assert response.status_code == 200
    assert response.content == b""


async def test_head_on_the_reveal_page_does_not_mark_the_secret_viewed(client: AsyncTestClient) -> None:
    metadata = await share(client, "hunter2-value")
    head = await client.head(f"/secret/{metadata['secret_key']}")
    assert head.status_code == 200
    receipt = (await client.get(f"/api/v1/private/{metadata['metadata_key']}")).json()
    assert receipt["state"] == "new"
    assert (await client.post(f"/api/v1/secret/{metadata['secret_key']}")).json()["value"] == "hunter2-value"


async def test_head_of_a_receipt_consumes_nothing(client: AsyncTestClient) -> None:
    metadata = await share(client, "hunter2-value")
    assert (await client.head(f"/api/v1/private/{metadata['metadata_key']}")).status_code == 200
    assert (await client.head(f"/private/{metadata['metadata_key']}")).status_code == 200
    assert (await client.post(f"/api/v1/secret/{metadata['secret_key']}")).json()["value"] == "hunter2-value"


async def test_head_is_logged_as_head(client: AsyncTestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("INFO", logger="ots.access"):
        await client.head("/api/v1/status")
    assert any('"HEAD /api/v1/status" 200' in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        (f"/api/v1/private/{_KEY}", "GET, HEAD, OPTIONS, POST"),
        (f"/api/v1/receipt/{_KEY}", "GET, HEAD, OPTIONS, POST"),
        ("/api/v1/share", "OPTIONS, POST"),
        ("/api/v1/status", "GET, HEAD, OPTIONS"),
        (f"/secret/{_KEY}", "GET, HEAD, OPTIONS, POST"),
        (f"/private/{_KEY}/burn", "GET, HEAD, OPTIONS, POST"),
        ("/", "GET, HEAD, OPTIONS"),
    ],
)
async def test_options_lists_every_method_the_path_answers(client: AsyncTestClient, path: str, allowed: str) -> None:
    response = await client.options(path)
    assert response.status_code == 204
    assert response.headers["allow"] == allowed
    for method in allowed.split(", "):
        answered = await client.request(method, path)
        assert answered.headers.get("x-ots-intended-status") != "405", method
