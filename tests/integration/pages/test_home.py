"""The home page: the create form, creating and generating, and errors next to their fields."""

import json
import re
from collections.abc import AsyncIterator

import pytest
from litestar.testing import AsyncTestClient

from onetime.settings import RequestLimit, Settings
from tests.conftest import with_settings
from tests.support.pages import HTMX, csrf_token, form_token, share_link
from web.app import create_app

RECEIPT_PATH = re.compile(r"^/private/[a-z0-9]{31}$")


async def test_home_page_offers_the_create_form_with_the_plan_choices(client: AsyncTestClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert html.startswith("<!doctype html>")
    assert '<form method="post" action="/create"' in html
    assert 'formaction="/generate"' in html
    assert 'data-max-bytes="1000"' in html
    assert '<option value="604800" selected>7 days</option>' in html
    assert '<option value="1209600"' not in html  # 14 days is beyond the anonymous plan
    assert 'type="password" id="passphrase" name="passphrase"' in html


async def test_home_partial_for_htmx_is_the_markup_the_page_includes(client: AsyncTestClient) -> None:
    page = (await client.get("/")).text
    response = await client.get("/", headers=HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text
    title, _, markup = response.text.partition("\n")
    assert title == "<title>Share a secret · Onetime Secret</title>"  # the page has it in its head
    assert markup.lstrip().startswith("<h1")
    assert response.headers["vary"] == "HX-Request"
    strip_token = re.compile(r'value="[0-9a-f]{128}"')
    assert strip_token.sub("", markup).strip() in strip_token.sub("", page)


async def test_create_without_javascript_redirects_to_the_receipt(client: AsyncTestClient) -> None:
    token = await csrf_token(client)
    response = await client.post(
        "/create", data={"secret": "hunter2-typed", "ttl": "3600", "_csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303
    location = response.headers["location"]
    assert RECEIPT_PATH.match(location)
    assert "hunter2" not in location
    assert response.headers["cache-control"] == "no-store"
    receipt = await client.get(location)
    assert receipt.status_code == 200
    assert "hunter2-typed" not in receipt.text
    assert share_link(receipt.text).startswith("https://secrets.example.com/secret/")


async def test_create_with_htmx_loads_the_receipt_into_main(client: AsyncTestClient) -> None:
    token = await csrf_token(client)
    response = await client.post(
        "/create", data={"secret": "hunter2-typed", "_csrf_token": token}, headers=HTMX, follow_redirects=False
    )
    assert response.status_code == 200
    location = json.loads(response.headers["hx-location"])
    assert RECEIPT_PATH.match(location["path"])
    assert location["target"] == "#main"
    assert "hunter2" not in response.text
    assert "hunter2" not in response.headers["hx-location"]
    assert response.headers["vary"] == "HX-Request"


async def test_the_chosen_expiry_is_applied(client: AsyncTestClient) -> None:
    token = await csrf_token(client)
    response = await client.post(
        "/create", data={"secret": "s", "ttl": "3600", "_csrf_token": token}, follow_redirects=False
    )
    metadata_key = response.headers["location"].rsplit("/", 1)[1]
    receipt = (await client.get(f"/api/v1/private/{metadata_key}")).json()
    assert receipt["ttl"] == 3600


async def test_line_breaks_typed_in_a_browser_are_kept_as_typed(client: AsyncTestClient) -> None:
    token = await csrf_token(client)
    response = await client.post(
        "/create", data={"secret": "line one\r\nline two", "_csrf_token": token}, follow_redirects=False
    )
    receipt = (await client.get(response.headers["location"])).text
    secret_key = share_link(receipt).rsplit("/", 1)[1]
    revealed = await client.post(f"/api/v1/secret/{secret_key}")
    assert revealed.json()["value"] == "line one\nline two"


async def test_generate_shows_the_password_on_the_first_receipt_view_only(client: AsyncTestClient) -> None:
    token = await csrf_token(client)
    response = await client.post("/generate", data={"secret": "", "_csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    first = (await client.get(response.headers["location"])).text
    password = re.search(r'id="generated-password"[^>]*value="([^"]+)"', first)
    assert password
    assert "Shown only this once" in first
    second = (await client.get(response.headers["location"])).text
    assert 'id="generated-password"' not in second
    assert password.group(1) not in second


async def test_generate_with_htmx_loads_the_receipt_into_main(client: AsyncTestClient) -> None:
    token = await csrf_token(client)
    response = await client.post("/generate", data={"_csrf_token": token}, headers=HTMX, follow_redirects=False)
    assert response.status_code == 200
    assert RECEIPT_PATH.match(json.loads(response.headers["hx-location"])["path"])
    partial = (await client.get(json.loads(response.headers["hx-location"])["path"], headers=HTMX)).text
    assert 'id="generated-password"' in partial
    assert "<html" not in partial


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
async def test_an_empty_secret_is_refused_next_to_the_secret_field(
    client: AsyncTestClient, headers: dict[str, str]
) -> None:
    token = await csrf_token(client)
    response = await client.post(
        "/create", data={"secret": "", "_csrf_token": token}, headers=headers, follow_redirects=False
    )
    assert response.status_code == 422
    assert '<p class="field-error" id="secret-error">You did not provide anything to share</p>' in response.text
    assert 'aria-describedby="secret-hint secret-error" aria-invalid="true"' in response.text
    assert ("<html" in response.text) is not bool(headers)
    assert response.headers["cache-control"] == "no-store"


async def test_a_secret_too_large_keeps_what_was_typed_but_never_the_passphrase(client: AsyncTestClient) -> None:
    token = await csrf_token(client)
    typed = "é" * 501  # 1002 bytes, over the anonymous plan's 1000
    response = await client.post(
        "/create", data={"secret": typed, "passphrase": "pass-phrase-typed", "ttl": "3600", "_csrf_token": token}
    )
    assert response.status_code == 422
    assert "This secret is 1,002 bytes, over the 1,000 bytes allowed without an account." in response.text
    assert f">\n{typed}</textarea>" in response.text
    assert "<span data-byte-count>1002</span>" in response.text
    assert "pass-phrase-typed" not in response.text
    assert '<option value="3600" selected>' in response.text
    assert form_token(response.text) == token


@pytest.fixture
async def strict_client(settings: Settings, redis: object) -> AsyncIterator[AsyncTestClient]:
    strict = with_settings(settings, passphrase_min_length=8, limit_create=RequestLimit(2, 1200))
    async with AsyncTestClient(create_app(strict), base_url="https://secrets.example.com") as test_client:
        yield test_client


async def test_a_passphrase_that_breaks_the_rules_is_refused_next_to_the_passphrase(
    strict_client: AsyncTestClient,
) -> None:
    token = await csrf_token(strict_client)
    response = await strict_client.post(
        "/create", data={"secret": "kept", "passphrase": "short", "_csrf_token": token}, headers=HTMX
    )
    assert response.status_code == 422
    assert '<p class="field-error" id="passphrase-error">Passphrase must be at least 8 characters long</p>' in (
        response.text
    )
    assert ">\nkept</textarea>" in response.text
    assert 'value="short"' not in response.text


async def test_too_many_creations_are_refused_inline_with_429(strict_client: AsyncTestClient) -> None:
    token = await csrf_token(strict_client)
    for _ in range(2):
        assert (
            await strict_client.post("/create", data={"secret": "s", "_csrf_token": token}, follow_redirects=False)
        ).status_code == 303
    response = await strict_client.post("/create", data={"secret": "s", "_csrf_token": token}, follow_redirects=False)
    assert response.status_code == 429
    assert '<p class="alert" role="alert" id="form-error" tabindex="-1">Too many attempts.' in response.text
    assert '<form method="post" action="/create"' in response.text
