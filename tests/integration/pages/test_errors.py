"""The error pages: one shell, "page not found" apart from "this secret is gone", home only where it is."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator

import pytest
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from onetime.domains.branding import BrandingChange
from onetime.settings import Settings
from tests.support.api import assert_ok, create_account
from tests.support.dns_server import DnsTestServer
from tests.support.domains import verified_domain
from tests.support.pages import HTMX, main_of, share
from web.app import create_app

CANONICAL = "https://secrets.example.com"
CLOSED = "secrets.closed.example"
"""A custom domain without a public home page: it serves no "/"."""
OPEN = "secrets.open.example"
"""A custom domain whose owner allows a public home page."""
NOT_FOUND = "Page not found"
GONE = "This secret is gone, or was never here"
HOME_LINK = '<a class="button secondary" href="/">Go to the home page</a>'
ERROR_TEMPLATES = ["403", "404", "413", "429", "500", "503", "error", "secret_gone", "outcome_unknown"]


def heading(html: str) -> str:
    found = re.search(r"<h1 tabindex=\"-1\">([^<]+)</h1>", html)
    assert found, "the page has no heading"
    return found.group(1)


def title(html: str) -> str:
    found = re.search(r"<title>([^<]+)</title>", html)
    assert found, "the page has no title"
    return found.group(1)


@pytest.mark.parametrize("path", ["/no-such-page", "/private", "/secret/abc/more", "/create"])
async def test_an_address_no_page_answers_is_page_not_found(client: AsyncTestClient, path: str) -> None:
    response = await client.get(path)  # /create answers POST only: a wrong method is not found either
    assert response.status_code == 404
    assert heading(response.text) == NOT_FOUND
    assert title(response.text) == f"{NOT_FOUND} · Onetime Secret"
    assert "secret is gone" not in response.text
    assert response.headers["cache-control"] == "no-store"


async def test_links_to_secrets_and_receipts_that_lead_nowhere_are_gone_not_not_found(client: AsyncTestClient) -> None:
    revealed = await share(client)
    await client.post(f"/api/v1/secret/{revealed['secret_key']}")
    for path in (f"/secret/{revealed['secret_key']}", f"/secret/{'a' * 31}", f"/private/{'b' * 31}"):
        response = await client.get(path)
        assert response.status_code == 404
        assert heading(response.text) == GONE
        assert title(response.text) == f"{GONE} · Onetime Secret"
        assert NOT_FOUND not in response.text


async def test_an_htmx_request_for_a_missing_page_swaps_in_the_not_found_page(client: AsyncTestClient) -> None:
    response = await client.get("/no-such-page", headers=HTMX)
    assert response.status_code == 404
    assert response.headers["hx-retarget"] == "body"
    assert title(response.text) == f"{NOT_FOUND} · Onetime Secret"


@pytest.mark.parametrize("name", ERROR_TEMPLATES)
def test_every_error_page_is_titled_by_its_heading_and_links_home(settings: Settings, name: str) -> None:
    engine = create_app(settings).template_engine
    assert engine is not None
    html = engine.get_template(f"errors/{name}.html").render(status=400)
    assert title(html) == f"{heading(html)} · Onetime Secret"
    assert html.count("<h1") == 1
    assert HOME_LINK in main_of(html)


# ---- on custom domains ----


DomainsWorld = tuple[AsyncTestClient, dict[str, str]]


@pytest.fixture
async def domains(settings: Settings, redis: Redis, dns: DnsTestServer) -> AsyncIterator[DomainsWorld]:
    """Serve both custom domains; yield a client and, by domain, the link of a secret shared on it."""
    settings = dataclasses.replace(settings, dns_resolver=dns.resolver)
    owner = await create_account(redis, settings, "owner@example.com")
    for name, public_homepage in ((CLOSED, False), (OPEN, True)):
        branding = BrandingChange(display_name=f"Brand of {name}", public_homepage=public_homepage)
        await verified_domain(redis, settings, dns, email="owner@example.com", name=name, branding=branding)
    async with AsyncTestClient(create_app(settings), base_url=CANONICAL) as client:
        links = {}
        for name in (CLOSED, OPEN):
            response = await client.post("/api/v1/share", data={"secret": "x", "share_domain": name}, headers=owner)
            links[name] = assert_ok(response)["secret_url"]
        yield client, links


async def test_a_custom_domain_without_a_home_page_links_nowhere_home_from_its_errors(domains: DomainsWorld) -> None:
    client, links = domains
    not_found = await client.get(f"https://{CLOSED}/signin")
    gone = await client.get(f"https://{CLOSED}/secret/{'a' * 31}")
    refused = await client.post(links[CLOSED], data={"_csrf_token": "0" * 64})
    for response, status, words in ((not_found, 404, NOT_FOUND), (gone, 404, GONE), (refused, 403, "expired")):
        assert response.status_code == status
        assert words in heading(response.text)
        assert title(response.text).endswith(f" · Brand of {CLOSED}")
        assert 'href="/"' not in response.text  # "/" is a 404 on this domain
        assert CANONICAL not in response.text  # nor is the way home this server's own site
        assert "Onetime Secret" not in response.text


async def test_a_custom_domain_with_a_public_home_page_links_home_from_its_errors(domains: DomainsWorld) -> None:
    client, links = domains
    not_found = await client.get(f"https://{OPEN}/signin")
    gone = await client.get(f"https://{OPEN}/secret/{'a' * 31}")
    refused = await client.post(links[OPEN], data={"_csrf_token": "0" * 64})
    for response in (not_found, gone, refused):
        assert HOME_LINK in main_of(response.text)
        assert title(response.text).endswith(f" · Brand of {OPEN}")


async def test_the_canonical_site_links_home_from_its_error_pages(client: AsyncTestClient) -> None:
    for response in (
        await client.get("/no-such-page"),
        await client.get(f"/secret/{'a' * 31}"),
        await client.post("/create", data={"secret": "x", "_csrf_token": "0" * 64}),
    ):
        assert response.status_code in {403, 404}
        assert HOME_LINK in main_of(response.text)


async def test_the_home_address_of_a_custom_domain_without_a_home_page_is_page_not_found(
    domains: DomainsWorld,
) -> None:
    client, _ = domains
    response = await client.get(f"https://{CLOSED}/")
    assert response.status_code == 404
    assert heading(response.text) == NOT_FOUND
    assert GONE not in response.text
