"""The account's domain pages: add, check DNS (for real, against the tests' DNS server), brand, logo,
remove; and the create form's domain picker, whose links then carry the domain."""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import AsyncIterator
from html import unescape

import pytest
from litestar.testing import AsyncTestClient
from PIL import Image
from redis.asyncio import Redis

from onetime.settings import Settings
from tests.support.accounts import post_form, sign_up_ok
from tests.support.dns_server import DnsTestServer
from tests.support.pages import csrf_token, share_link
from web.app import create_app

DOMAIN = "secrets.acme.example"
PAGE = f"/account/domains/{DOMAIN}"


@pytest.fixture
async def browser(settings: Settings, redis: Redis, dns: DnsTestServer) -> AsyncIterator[AsyncTestClient]:
    del redis  # flushed for this test
    app = create_app(dataclasses.replace(settings, dns_resolver=dns.resolver))
    async with AsyncTestClient(app, base_url="https://secrets.example.com") as client:
        await sign_up_ok(client)
        yield client


async def add_domain(client: AsyncTestClient) -> str:
    """Add the domain through its form and return the TXT value its page shows."""
    response = await post_form(client, "/account/domains", {"domain": DOMAIN}, page="/account/domains")
    assert response.status_code == 303, response.text
    assert response.headers["location"] == PAGE
    page = (await client.get(PAGE)).text
    found = re.search(r'id="challenge-token" class="mono" readonly value="([^"]+)"', page)
    assert found, page
    return unescape(found.group(1))


async def verify(client: AsyncTestClient) -> str:
    response = await post_form(client, f"{PAGE}/verify", {}, page=PAGE)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"{PAGE}?done=checked"
    return (await client.get(response.headers["location"])).text


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), (0, 128, 0)).save(out, format="PNG")
    return out.getvalue()


async def test_the_domain_pages_need_a_signed_in_account(settings: Settings, redis: Redis) -> None:
    del redis
    async with AsyncTestClient(create_app(settings), base_url="https://secrets.example.com") as client:
        response = await client.get("/account/domains", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/signin?next=%2Faccount%2Fdomains"


async def test_adding_shows_the_record_then_checking_dns_verifies(browser: AsyncTestClient, dns: DnsTestServer) -> None:
    token = await add_domain(browser)
    page = (await browser.get(PAGE)).text
    assert f"_onetime-challenge.{DOMAIN}" in page
    assert "Not checked yet" in page
    assert 'to <span class="mono">secrets.example.com</span>' in page  # the host to point the domain at
    pending = await verify(browser)
    assert "Waiting for DNS" in pending
    assert f"No TXT record _onetime-challenge.{DOMAIN} with the value &#34;{token}&#34;" in pending
    assert f"No A, AAAA or CNAME record for {DOMAIN}" in pending
    dns.txt(f"_onetime-challenge.{DOMAIN}", token)
    dns.a(DOMAIN, "192.0.2.10")
    verified = await verify(browser)
    assert "This domain is verified" in verified
    assert "Not verified yet" not in verified
    listing = (await browser.get("/account/domains")).text
    assert f'<a href="{PAGE}">{DOMAIN}</a>' in listing
    assert "Verified" in listing


async def publish_and_verify(client: AsyncTestClient, dns: DnsTestServer) -> None:
    """Add the domain, publish its records and check DNS, so that it is verified."""
    dns.txt(f"_onetime-challenge.{DOMAIN}", await add_domain(client))
    dns.a(DOMAIN, "192.0.2.10")
    assert "This domain is verified" in await verify(client)


async def test_a_domain_verified_by_another_account_is_refused_on_the_form(
    settings: Settings, browser: AsyncTestClient, dns: DnsTestServer
) -> None:
    await publish_and_verify(browser, dns)
    async with AsyncTestClient(create_app(settings), base_url="https://secrets.example.com") as other:
        await sign_up_ok(other, "bob@example.com")
        response = await post_form(other, "/account/domains", {"domain": DOMAIN}, page="/account/domains")
        assert response.status_code == 422
        assert f"{DOMAIN} is already registered by another account" in response.text
        assert (await other.get(PAGE)).status_code == 404  # not his to see


async def test_the_brand_form_saves_checked_values_and_refuses_bad_ones(
    browser: AsyncTestClient, dns: DnsTestServer
) -> None:
    await publish_and_verify(browser, dns)
    fields = {
        "display_name": "ACME Vault",
        "primary_colour": "#0A7D32",
        "before_reveal": "Work laptop only.",
        "on_reveal": "",
        "after_reveal": "",
        "public_homepage": "on",
    }
    posted = await post_form(browser, f"{PAGE}/brand", fields, page=PAGE)
    assert posted.status_code == 303  # a reload of the page that follows never posts the brand again
    assert posted.headers["location"] == f"{PAGE}?done=brand"
    saved = await browser.get(posted.headers["location"])
    assert "The brand is saved." in saved.text
    assert 'value="#0a7d32"' in saved.text
    assert " checked>" in saved.text
    refused = await post_form(browser, f"{PAGE}/brand", {**fields, "primary_colour": "tomato"}, page=PAGE)
    assert refused.status_code == 422
    assert "The primary colour must be a hex colour" in refused.text
    assert 'value="tomato"' in refused.text  # drawn again as typed
    assert 'value="#0a7d32"' not in refused.text


async def test_a_logo_upload_is_re_encoded_and_anything_else_refused(
    browser: AsyncTestClient, dns: DnsTestServer
) -> None:
    await publish_and_verify(browser, dns)
    token = await csrf_token(browser, PAGE)
    posted = await browser.post(
        f"{PAGE}/logo",
        data={"_csrf_token": token},
        files={"logo": ("logo.png", png(), "image/png")},
        follow_redirects=False,
    )
    assert posted.status_code == 303, posted.text
    uploaded = await browser.get(posted.headers["location"])
    assert "The logo is saved." in uploaded.text
    preview = await browser.get(f"{PAGE}/logo")
    assert preview.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(preview.content)) as image:
        assert image.size == (20, 20)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    refused = await browser.post(
        f"{PAGE}/logo", data={"_csrf_token": token}, files={"logo": ("logo.svg", svg, "image/svg+xml")}
    )
    assert refused.status_code == 422
    assert "The logo must be a PNG or JPEG image" in refused.text


async def test_removing_asks_first_then_forgets_the_domain(browser: AsyncTestClient) -> None:
    await add_domain(browser)
    assert f'href="{PAGE}/remove"' in (await browser.get(PAGE)).text
    unconfirmed = await post_form(browser, f"{PAGE}/remove", {}, page=PAGE)
    assert unconfirmed.status_code == 303
    assert unconfirmed.headers["location"] == f"{PAGE}/remove"
    assert (await browser.get(PAGE)).status_code == 200  # still there
    question = await browser.get(f"{PAGE}/remove")
    assert f"Remove {DOMAIN}?" in question.text
    assert "stops working at once" in question.text
    assert 'name="confirm" value="yes"' in question.text
    response = await post_form(browser, f"{PAGE}/remove", {"confirm": "yes"}, page=f"{PAGE}/remove")
    assert response.status_code == 303
    assert (await browser.get(PAGE)).status_code == 404
    assert DOMAIN not in (await browser.get("/account/domains")).text


async def test_the_create_form_offers_verified_domains_and_links_use_the_chosen_one(
    browser: AsyncTestClient, dns: DnsTestServer
) -> None:
    assert 'name="share_domain"' not in (await browser.get("/")).text  # no verified domain yet
    token = await add_domain(browser)
    dns.txt(f"_onetime-challenge.{DOMAIN}", token)
    dns.a(DOMAIN, "192.0.2.10")
    await verify(browser)
    home = (await browser.get("/")).text
    assert f'<option value="{DOMAIN}">{DOMAIN}</option>' in home
    created = await post_form(browser, "/create", {"secret": "hunter2", "share_domain": DOMAIN})
    assert created.status_code == 303
    receipt = await browser.get(created.headers["location"])
    assert share_link(receipt.text).startswith(f"https://{DOMAIN}/secret/")
    plain = await post_form(browser, "/create", {"secret": "hunter2", "share_domain": ""})
    assert share_link((await browser.get(plain.headers["location"])).text).startswith("https://secrets.example.com/")
    foreign = await post_form(browser, "/create", {"secret": "hunter2", "share_domain": "other.example"})
    assert foreign.status_code == 422
    assert "Unknown domain: other.example" in foreign.text
