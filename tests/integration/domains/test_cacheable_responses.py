"""A publicly cacheable answer never sets a cookie: a shared cache would hand it to everybody."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import AsyncIterator

import pytest
from litestar.testing import AsyncTestClient
from PIL import Image
from redis.asyncio import Redis

from onetime.domains.branding import BrandingChange
from onetime.settings import Settings
from tests.support.api import create_account
from tests.support.dns_server import DnsTestServer
from tests.support.domains import verified_domain
from web.app import create_app

ACME = "secrets.acme.example"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
async def settings_with_brand(settings: Settings, redis: Redis, dns: DnsTestServer) -> Settings:
    settings = dataclasses.replace(settings, dns_resolver=dns.resolver)
    await create_account(redis, settings, "alice@example.com")
    brand = BrandingChange(display_name="ACME Vault", primary_colour="#0a7d32", logo=png())
    await verified_domain(redis, settings, dns, email="alice@example.com", name=ACME, branding=brand)
    return settings


@pytest.fixture
async def visitor(settings_with_brand: Settings) -> AsyncIterator[AsyncTestClient]:
    """A first-time visitor of the custom domain: no cookie yet, so the app would hand one out."""
    async with AsyncTestClient(create_app(settings_with_brand), base_url=f"https://{ACME}") as client:
        yield client


@pytest.mark.parametrize("path", ["/brand/style.css?v=0a7d32", "/brand/logo?v=1", "/static/css/site.css"])
async def test_a_publicly_cacheable_asset_sets_no_cookie(visitor: AsyncTestClient, path: str) -> None:
    response = await visitor.get(path)
    assert response.status_code == 200
    assert "public" in response.headers["cache-control"]
    assert "set-cookie" not in response.headers
    assert not visitor.cookies


async def test_a_page_with_a_form_still_gets_its_csrf_cookie(visitor: AsyncTestClient) -> None:
    page = await visitor.get("https://secrets.example.com/")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "__Host-csrftoken=" in page.headers["set-cookie"]
