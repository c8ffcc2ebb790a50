"""Per-host behaviour: the canonical host, verified custom domains with their brand, unknown hosts.

The app runs in the test's event loop (tests.support.api.serve); requests name their host in the
URL, so one client can play visitors of several hosts, and a test can choose the peer address.
"""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient
from PIL import Image
from redis.asyncio import Redis

from onetime.domains.branding import BrandingChange
from onetime.settings import Settings
from tests.support.api import assert_error, assert_ok, create_account, serve
from tests.support.dns_server import DnsTestServer
from tests.support.domains import domain_service, verified_domain
from tests.support.pages import form_token, share_link
from web.app import create_app

CANONICAL = "https://secrets.example.com"
ACME = "secrets.acme.example"
BOB = "share.bob.example"
PENDING = "pending.acme.example"


def png(width: int = 40, height: int = 20, colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (width, height), colour)
    image.save(out, format="PNG", pnginfo=_comment("uploaded-metadata"))
    return out.getvalue()


def _comment(text: str) -> Any:
    from PIL.PngImagePlugin import PngInfo  # noqa: PLC0415

    info = PngInfo()
    info.add_text("Comment", text)
    return info


@dataclasses.dataclass
class World:
    """The app, a client from an outside address, and the credentials of two customers."""

    settings: Settings
    client: httpx.AsyncClient
    alice: dict[str, str]
    bob: dict[str, str]


@pytest.fixture
async def world(settings: Settings, redis: Redis, dns: DnsTestServer) -> AsyncIterator[World]:
    settings = dataclasses.replace(settings, dns_resolver=dns.resolver)
    alice = await create_account(redis, settings, "alice@example.com")
    bob = await create_account(redis, settings, "bob@example.com")
    brand = BrandingChange(
        display_name="ACME Vault",
        primary_colour="#0a7d32",
        before_reveal="Only open this on your work laptop.",
        on_reveal="Paste it into the password manager now.",
        after_reveal="Questions? Call the ACME help desk.",
        logo=png(),
    )
    await verified_domain(redis, settings, dns, email="alice@example.com", name=ACME, branding=brand)
    await verified_domain(
        redis, settings, dns, email="bob@example.com", name=BOB, branding=BrandingChange(display_name="Bob Shares")
    )
    await domain_service(redis, settings).add("alice@example.com", PENDING)  # never verified
    async with AsyncTestClient(create_app(settings), base_url=CANONICAL) as client:
        yield World(settings, client, alice, bob)


async def share(world: World, auth: dict[str, str] | None = None, **params: str) -> dict[str, Any]:
    response = await world.client.post(f"{CANONICAL}/api/v1/share", data={"secret": "hunter2", **params}, headers=auth)
    body: dict[str, Any] = assert_ok(response)
    return body


async def page_token(client: httpx.AsyncClient, url: str) -> str:
    response = await client.get(url)
    assert response.status_code == 200, response.text
    return form_token(response.text)


# ---- share_domain: only one's own verified domains; links carry it ----


async def test_share_domain_of_ones_own_verified_domain_puts_it_in_every_link(world: World) -> None:
    metadata = await share(world, world.alice, share_domain="Secrets.ACME.example")
    assert metadata["share_domain"] == ACME
    assert metadata["secret_url"] == f"https://{ACME}/secret/{metadata['secret_key']}"
    assert metadata["metadata_url"] == f"https://{ACME}/private/{metadata['metadata_key']}"
    receipt = assert_ok(await world.client.get(f"{CANONICAL}/api/v1/private/{metadata['metadata_key']}"))
    assert receipt["share_domain"] == ACME
    assert receipt["secret_url"] == metadata["secret_url"]
    revealed = assert_ok(await world.client.post(f"{CANONICAL}/api/v1/secret/{metadata['secret_key']}"))
    assert revealed == {"value": "hunter2", "secret_key": metadata["secret_key"], "share_domain": f"https://{ACME}"}


async def test_generate_accepts_ones_own_verified_domain(world: World) -> None:
    response = await world.client.post(f"{CANONICAL}/api/v1/generate", data={"share_domain": ACME}, headers=world.alice)
    metadata = assert_ok(response)
    assert metadata["secret_url"].startswith(f"https://{ACME}/secret/")
    assert metadata["value"]


@pytest.mark.parametrize(
    ("who", "domain"),
    [
        ("anonymous", ACME),
        ("bob", ACME),  # someone else's verified domain
        ("alice", PENDING),  # her own, not verified
        ("alice", "nobody.example"),  # nobody's
        ("alice", "not a domain"),
    ],
)
async def test_share_domain_is_refused_unless_it_is_the_callers_verified_domain(
    world: World, who: str, domain: str
) -> None:
    auth = {"anonymous": None, "alice": world.alice, "bob": world.bob}[who]
    for path in ("/api/v1/share", "/api/v1/generate"):
        response = await world.client.post(
            f"{CANONICAL}{path}", data={"secret": "hunter2", "share_domain": domain}, headers=auth
        )
        assert_error(response, f"Unknown domain: {domain}", 400)


async def test_a_secret_without_share_domain_links_to_the_canonical_host(world: World) -> None:
    metadata = await share(world, world.alice)
    assert metadata["share_domain"] == ""
    assert metadata["secret_url"].startswith(f"{CANONICAL}/secret/")


# ---- branded pages on a verified custom domain ----


async def test_the_reveal_page_on_a_custom_domain_wears_its_brand(world: World) -> None:
    metadata = await share(world, world.alice, share_domain=ACME)
    response = await world.client.get(metadata["secret_url"])
    assert response.status_code == 200
    html = response.text
    assert "<title>You have a secret · ACME Vault</title>" in html
    assert '<span class="brand"><img class="brand-logo" src="/brand/logo?v=' in html
    assert re.search(r'<link rel="stylesheet" href="/brand/style.css\?v=0a7d32">', html)
    assert '<p class="brand-text">Only open this on your work laptop.</p>' in html
    assert "Onetime Secret" not in html
    assert ' style="' not in html  # the colour comes from a stylesheet: CSP forbids inline styles
    assert "style-src 'self'" in response.headers["content-security-policy"]
    assert 'href="/"' not in html  # no home page to link to on this domain
    assert 'aria-label="Account"' not in html  # no sign-in on a customer's domain


async def test_revealing_on_the_custom_domain_shows_the_brand_texts(world: World) -> None:
    metadata = await share(world, world.alice, share_domain=ACME)
    url = metadata["secret_url"]
    response = await world.client.post(url, data={"_csrf_token": await page_token(world.client, url)})
    assert response.status_code == 200
    assert ">\nhunter2</textarea>" in response.text
    assert '<p class="brand-text">Paste it into the password manager now.</p>' in response.text
    assert '<p class="brand-text">Questions? Call the ACME help desk.</p>' in response.text
    assert "Share a secret of your own" not in response.text


async def test_the_brand_stylesheet_and_logo_are_served_on_the_domain_only(world: World) -> None:
    css = await world.client.get(f"https://{ACME}/brand/style.css?v=0a7d32")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert "--accent: #0a7d32; --on-accent: #ffffff;" in css.text
    assert "#0a7d32" not in css.text.split("prefers-color-scheme: dark")[1]  # lightened to read in the dark
    logo = await world.client.get(f"https://{ACME}/brand/logo?v=1")
    assert logo.status_code == 200
    assert logo.headers["content-type"] == "image/png"
    assert b"uploaded-metadata" not in logo.content  # re-encoded: only pixels survive
    with Image.open(io.BytesIO(logo.content)) as image:
        assert image.size == (40, 20)
        assert image.getpixel((5, 5)) == (200, 30, 30)
    assert (await world.client.get(f"{CANONICAL}/brand/logo")).status_code == 404
    assert (await world.client.get(f"https://{BOB}/brand/logo")).status_code == 404  # Bob has no logo
    assert (await world.client.get(f"https://{BOB}/brand/style.css")).status_code == 404  # nor a colour


@pytest.mark.parametrize("path", ["/", "/api/v1/status", "/api/schema", "/private/recent"])
async def test_a_custom_domain_serves_nothing_but_its_reveal_pages(world: World, path: str) -> None:
    response = await world.client.get(f"https://{ACME}{path}")
    assert response.status_code == 404
    assert "hunter2" not in response.text
    create = await world.client.post(f"https://{ACME}/create", data={"secret": "x"})
    assert create.status_code == 404  # refused before the CSRF check: the route is not there
    assert "ACME Vault" in create.text  # the domain's own "not found" page


async def test_a_custom_domain_answers_paths_no_route_serves_with_a_plain_404(world: World) -> None:
    response = await world.client.get(f"https://{ACME}/no/such/page")
    assert response.status_code == 404
    assert response.text == "Not Found\n"


async def test_with_a_public_homepage_the_domain_serves_the_create_page_and_links_to_itself(
    world: World, settings: Settings, redis: Redis
) -> None:
    await domain_service(redis, settings).brand("alice@example.com", ACME, BrandingChange(public_homepage=True))
    home = await world.client.get(f"https://{ACME}/")
    assert home.status_code == 200
    assert "ACME Vault" in home.text
    assert 'action="/create"' in home.text
    response = await world.client.post(
        f"https://{ACME}/create",
        data={"secret": "from-the-brand", "_csrf_token": form_token(home.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    receipt_path = response.headers["location"]
    receipt = await world.client.get(f"https://{ACME}{receipt_path}")
    assert receipt.status_code == 200
    link = share_link(receipt.text)
    assert link.startswith(f"https://{ACME}/secret/")
    revealed = assert_ok(await world.client.post(f"{CANONICAL}/api/v1/secret/{link.rsplit('/', 1)[1]}"))
    assert revealed["value"] == "from-the-brand"
    assert revealed["share_domain"] == f"https://{ACME}"


# ---- a secret answers only on its own link host and the canonical host ----


async def test_a_secret_of_one_brand_is_unknown_on_another_brands_domain(world: World) -> None:
    metadata = await share(world, world.bob, share_domain=BOB)
    elsewhere = f"https://{ACME}/secret/{metadata['secret_key']}"
    assert (await world.client.get(elsewhere)).status_code == 404
    token = await page_token(world.client, metadata["secret_url"])  # a token from Bob's domain's page
    refused = await world.client.post(elsewhere, data={"_csrf_token": token})
    assert refused.status_code == 404
    assert "hunter2" not in refused.text
    receipt = await world.client.get(f"https://{ACME}/private/{metadata['metadata_key']}")
    assert receipt.status_code == 404
    # Still there, on its own host:
    response = await world.client.post(metadata["secret_url"], data={"_csrf_token": token})
    assert response.status_code == 200
    assert ">\nhunter2</textarea>" in response.text


async def test_a_secret_of_the_canonical_host_is_unknown_on_a_custom_domain(world: World) -> None:
    metadata = await share(world)
    assert (await world.client.get(f"https://{ACME}/secret/{metadata['secret_key']}")).status_code == 404
    assert (await world.client.get(f"https://{ACME}/private/{metadata['metadata_key']}")).status_code == 404
    assert (await world.client.get(f"{CANONICAL}/secret/{metadata['secret_key']}")).status_code == 200


async def test_the_canonical_host_reveals_secrets_of_every_link_host(world: World) -> None:
    metadata = await share(world, world.alice, share_domain=ACME)
    page = await world.client.get(f"{CANONICAL}/secret/{metadata['secret_key']}")
    assert page.status_code == 200
    assert "ACME Vault" not in page.text  # the canonical host keeps its own look
    assert "Onetime Secret" in page.text


async def test_the_receipt_page_of_a_domains_secret_answers_on_that_domain(world: World) -> None:
    metadata = await share(world, world.alice, share_domain=ACME)
    receipt = await world.client.get(metadata["metadata_url"])
    assert receipt.status_code == 200
    assert share_link(receipt.text) == metadata["secret_url"]


# ---- hosts this deployment does not serve ----


@pytest.mark.parametrize("host", ["unknown.example", PENDING, "127.0.0.1", "secrets.example.com.evil.example"])
@pytest.mark.parametrize(
    "path", ["/", "/secret/abcdefghijklmnopqrstuvwxyz01234", "/api/v1/status", "/static/css/site.css"]
)
async def test_an_unknown_or_unverified_host_gets_a_plain_404(world: World, host: str, path: str) -> None:
    response = await world.client.get(f"https://{host}{path}")
    assert response.status_code == 404
    assert response.text == "Not Found\n"
    assert response.headers["content-type"].startswith("text/plain")
    assert "location" not in response.headers
    assert response.headers["x-content-type-options"] == "nosniff"  # the security headers still apply
    assert response.headers["cache-control"] == "no-store"


async def test_an_unknown_host_gets_a_plain_404_for_unrouted_paths_too(world: World) -> None:
    response = await world.client.get("https://unknown.example/no/such/page")
    assert response.status_code == 404
    assert response.text == "Not Found\n"
    canonical = await world.client.get(f"{CANONICAL}/no/such/page")
    assert canonical.status_code == 404
    assert "<html" in canonical.text


# ---- which host header is believed ----


async def test_x_forwarded_host_is_believed_from_a_trusted_proxy(world: World) -> None:
    metadata = await share(world, world.alice, share_domain=ACME)
    async with serve(world.settings, peer="127.0.0.1") as (_, proxy):
        response = await proxy.get(f"{CANONICAL}/secret/{metadata['secret_key']}", headers={"X-Forwarded-Host": ACME})
    assert response.status_code == 200
    assert "ACME Vault" in response.text


async def test_x_forwarded_host_from_anyone_else_is_ignored(world: World) -> None:
    metadata = await share(world, world.alice, share_domain=ACME)
    response = await world.client.get(
        f"{CANONICAL}/secret/{metadata['secret_key']}", headers={"X-Forwarded-Host": ACME}
    )
    assert response.status_code == 200
    assert "ACME Vault" not in response.text
    spoofed = await world.client.get(f"https://{ACME}/", headers={"X-Forwarded-Host": "secrets.example.com"})
    assert spoofed.status_code == 404  # the Host header decides: a custom domain, without a home page


async def test_a_deployment_on_a_loopback_origin_answers_to_every_name_of_the_machine(
    settings: Settings, redis: Redis
) -> None:
    local = dataclasses.replace(settings, base_url="http://127.0.0.1:8000")
    async with serve(local) as (app, _):
        for origin in ("http://localhost:8000", "http://127.0.0.1:8000", "http://[::1]:8000"):
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=origin) as http:
                assert assert_ok(await http.get("/api/v1/status"))["status"] == "nominal"
                assert (await http.get("/")).status_code == 200


async def test_a_public_deployment_does_not_answer_to_localhost(settings: Settings, redis: Redis) -> None:
    async with (
        serve(settings) as (app, _),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost") as http,
    ):
        response = await http.get("/api/v1/status")
    assert response.status_code == 404
    assert response.text == "Not Found\n"
