"""Logo uploads: decoded off the event loop, refused clearly when unusable, limited per account."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import threading
from collections.abc import AsyncIterator

import pytest
from litestar.testing import AsyncTestClient
from PIL import Image
from redis.asyncio import Redis

from onetime.domains import service as domain_service_module
from onetime.domains.branding import BrandingChange
from onetime.domains.custom_domain import LogoUploadsLimited
from onetime.domains.service import LOGO_UPLOADS, DomainService
from onetime.settings import Settings
from tests.support.accounts import EMAIL, sign_up_ok
from tests.support.dns_server import DnsTestServer
from tests.support.domains import domain_service, verified_domain
from tests.support.images import GREY, grey16_png, header_only_png
from tests.support.pages import csrf_token
from web.app import create_app

DOMAIN = "secrets.acme.example"
PAGE = f"/account/domains/{DOMAIN}"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), (0, 128, 0)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def dns_settings(settings: Settings, dns: DnsTestServer) -> Settings:
    return dataclasses.replace(settings, dns_resolver=dns.resolver)


@pytest.fixture
async def browser(dns_settings: Settings, redis: Redis, dns: DnsTestServer) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(create_app(dns_settings), base_url="https://secrets.example.com") as client:
        await sign_up_ok(client)
        await verified_domain(redis, dns_settings, dns, email=EMAIL, name=DOMAIN)
        yield client


@pytest.fixture
async def service(browser: AsyncTestClient, redis: Redis, dns_settings: Settings) -> DomainService:
    del browser  # signed up, with a verified domain
    return domain_service(redis, dns_settings)


async def upload(client: AsyncTestClient, data: bytes) -> str:
    token = await csrf_token(client, PAGE)
    response = await client.post(
        f"{PAGE}/logo", data={"_csrf_token": token}, files={"logo": ("logo.png", data, "image/png")}
    )
    return f"{response.status_code} {response.text}"


async def test_a_16_bit_greyscale_png_is_saved_not_a_server_error(browser: AsyncTestClient) -> None:
    answer = await upload(browser, grey16_png(2048, 2048))
    assert answer.startswith("200 "), answer
    assert "The logo is saved." in answer
    preview = await browser.get(f"{PAGE}/logo")
    with Image.open(io.BytesIO(preview.content)) as image:
        assert (image.mode, image.size) == ("RGB", (512, 512))


async def test_the_reported_16_bit_4096_square_png_gets_a_clear_422(browser: AsyncTestClient) -> None:
    answer = await upload(browser, header_only_png(4096, 4096, depth=16, colour_type=GREY))
    assert answer.startswith("422 "), answer[:200]
    assert "The logo is too large in pixels (4096 x 4096); use one of at most" in answer


async def test_a_huge_dimension_png_is_refused_before_decoding(browser: AsyncTestClient) -> None:
    answer = await upload(browser, header_only_png(60000, 60000))
    assert answer.startswith("422 "), answer[:200]
    assert "The logo is too large in pixels" in answer


async def test_decoding_runs_off_the_event_loop(service: DomainService, monkeypatch: pytest.MonkeyPatch) -> None:
    # The decoder waits, inside the decode, until the event loop has run: on the loop itself it
    # could not (the wait would run out), in a worker thread it can. No timing is measured.
    loop = asyncio.get_running_loop()
    loop_ran = threading.Event()
    seen: list[tuple[int, bool]] = []  # (thread of the decode, whether the loop ran during it)
    real_decoder = domain_service_module.reencode_logo

    def watched_decoder(upload: bytes) -> bytes:
        loop.call_soon_threadsafe(loop_ran.set)
        seen.append((threading.get_ident(), loop_ran.wait(timeout=5)))
        return real_decoder(upload)

    monkeypatch.setattr(domain_service_module, "reencode_logo", watched_decoder)
    await service.brand(EMAIL, DOMAIN, BrandingChange(logo=grey16_png(300, 300)))
    [(thread, loop_ran_meanwhile)] = seen
    assert thread != threading.get_ident()
    assert loop_ran_meanwhile


async def test_uploads_past_the_limit_answer_429_with_the_wait(browser: AsyncTestClient) -> None:
    for _ in range(LOGO_UPLOADS):
        answer = await upload(browser, png())
        assert answer.startswith("200 "), answer[:200]
    limited = await upload(browser, png())
    assert limited.startswith("429 "), limited[:200]
    assert f"Too many logo uploads: at most {LOGO_UPLOADS} every 60 minutes. Please try again in 60 minutes." in limited


async def test_the_upload_limit_holds_under_concurrency(service: DomainService) -> None:
    results = await asyncio.gather(
        *(service.brand(EMAIL, DOMAIN, BrandingChange(logo=png())) for _ in range(LOGO_UPLOADS + 10)),
        return_exceptions=True,
    )
    assert sum(not isinstance(result, BaseException) for result in results) == LOGO_UPLOADS
    assert all(isinstance(result, LogoUploadsLimited) for result in results if isinstance(result, BaseException))


async def test_branding_an_unverified_domain_is_refused_on_the_page(
    dns_settings: Settings, redis: Redis, dns: DnsTestServer
) -> None:
    async with AsyncTestClient(create_app(dns_settings), base_url="https://secrets.example.com") as client:
        await sign_up_ok(client)
        await domain_service(redis, dns_settings).add(EMAIL, DOMAIN)
        token = await csrf_token(client, PAGE)
        response = await client.post(f"{PAGE}/brand", data={"_csrf_token": token, "display_name": "ACME"})
        assert response.status_code == 422
        assert f"Verify {DOMAIN} before branding it" in response.text
        answer = await upload(client, png())
        assert answer.startswith("422 "), answer[:200]
        assert f"Verify {DOMAIN} before branding it" in answer
