"""OTS_CREATE: anonymous creation refused under `accounts` and outside `networks`, on every face; reading stays open."""

from __future__ import annotations

import ipaddress

import httpx
from redis.asyncio import Redis

from onetime.policy import CREATE_ACCOUNTS, CREATE_NETWORKS, AccessPolicy, CreationRestricted
from onetime.settings import Settings
from tests.conftest import with_settings
from tests.support.accounts import EMAIL, PASSWORD, post_form
from tests.support.api import assert_error, create_account, serve
from tests.support.pages import HTMX

REFUSAL = CreationRestricted.message
INSIDE, OUTSIDE, PROXY = "10.20.30.40", "203.0.113.7", "192.0.2.10"


def accounts_only(settings: Settings) -> Settings:
    return with_settings(settings, access=AccessPolicy(create=CREATE_ACCOUNTS))


def office_network(settings: Settings) -> Settings:
    """Anonymous creation from 10.0.0.0/8 only, with a trusted proxy in front (192.0.2.10)."""
    return with_settings(
        settings,
        access=AccessPolicy(create=CREATE_NETWORKS, create_networks=(ipaddress.ip_network("10.0.0.0/8"),)),
        trusted_proxies=(ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network(f"{PROXY}/32")),
    )


async def secret_count(redis: Redis) -> int:
    return len([key async for key in redis.scan_iter("ots:secret:*")])


async def assert_every_create_path_refused(browser: httpx.AsyncClient, headers: dict[str, str]) -> None:
    """Check v1 share/create/generate, v2 conceal/generate (and /guest), and the form posts."""
    for path in ("/api/v1/share", "/api/v1/create", "/api/v1/generate"):
        assert_error(await browser.post(path, data={"secret": "hunter2"}, headers=headers), REFUSAL, 403)
    for operation in ("conceal", "generate"):
        for base in ("/api/v2/secret", "/api/v2/guest/secret"):
            response = await browser.post(
                f"{base}/{operation}", json={"secret": {"secret": "hunter2"}}, headers=headers
            )
            assert response.status_code == 403, response.text
            body = response.json()
            assert body["error_type"] == "GuestRoutesDisabled"
            assert body["code"] == f"GUEST_{operation.upper()}_DISABLED"
            assert body["error"] == body["message"] == REFUSAL
            assert response.headers["cache-control"] == "no-store"
    for path in ("/create", "/generate"):
        secret = "hunter2" if path == "/create" else ""
        response = await post_form(browser, path, {"secret": secret}, page="/signin")
        assert response.status_code == 403
        assert "Sign in to share a secret" in response.text
        assert 'href="/signin"' in response.text
    htmx = await post_form(browser, "/create", {"secret": "hunter2"}, page="/signin")
    assert htmx.status_code == 403
    token_page = await browser.get("/signin")
    token = token_page.text.split('name="_csrf_token" value="')[1].split('"')[0]
    htmx = await browser.post("/create", data={"secret": "x", "_csrf_token": token}, headers={**HTMX, **headers})
    assert htmx.status_code == 403
    assert htmx.headers["hx-retarget"] == "body"


async def test_under_accounts_anonymous_callers_are_refused_everywhere_and_told_how_to_get_access(
    settings: Settings, redis: Redis
) -> None:
    async with serve(accounts_only(settings), peer=OUTSIDE) as (_, browser):
        home = await browser.get("/")
        assert home.status_code == 200
        assert "Sign in to share a secret" in home.text
        assert 'action="/create"' not in home.text  # no form that could only fail
        assert 'href="/signup"' in home.text  # sign-up is open by default
        await assert_every_create_path_refused(browser, {})
        assert await secret_count(redis) == 0


async def test_under_accounts_an_account_creates_with_its_token_and_in_the_browser(
    settings: Settings, redis: Redis
) -> None:
    settings = accounts_only(settings)
    auth = await create_account(redis, settings, "bob@example.com")
    async with serve(settings, peer=OUTSIDE) as (_, browser):
        assert (await browser.post("/api/v1/share", data={"secret": "a"}, headers=auth)).status_code == 200
        assert (
            await browser.post("/api/v2/secret/conceal", json={"secret": {"secret": "b"}}, headers=auth)
        ).status_code == 200
        # The guest routes are anonymous whatever the request carries: still refused.
        guest = await browser.post("/api/v2/guest/secret/conceal", json={"secret": {"secret": "c"}}, headers=auth)
        assert guest.status_code == 403
        signed_up = await post_form(browser, "/signup", {"email": EMAIL, "password": PASSWORD}, page="/signup")
        assert signed_up.status_code == 303
        assert 'action="/create"' in (await browser.get("/")).text
        assert (await post_form(browser, "/create", {"secret": "d"})).status_code == 303
        assert await secret_count(redis) == 3


async def test_reading_a_link_needs_no_account_under_accounts(settings: Settings, redis: Redis) -> None:
    auth = await create_account(redis, settings, "bob@example.com")
    async with serve(accounts_only(settings), peer=OUTSIDE) as (_, browser):
        metadata = (await browser.post("/api/v1/share", data={"secret": "hunter2"}, headers=auth)).json()
        key = metadata["secret_key"]
        assert (await browser.get(f"/secret/{key}")).status_code == 200
        assert (await browser.get(f"/api/v2/secret/{key}")).status_code == 200
        revealed = await browser.post(f"/api/v1/secret/{key}")
        assert revealed.json()["value"] == "hunter2"


async def test_under_networks_an_anonymous_caller_inside_creates_and_one_outside_is_refused(
    settings: Settings, redis: Redis
) -> None:
    settings = office_network(settings)
    async with serve(settings, peer=INSIDE) as (_, inside):
        assert 'action="/create"' in (await inside.get("/")).text
        assert (await inside.post("/api/v1/share", data={"secret": "a"})).status_code == 200
        assert (await inside.post("/api/v2/secret/generate", json={})).status_code == 200
        assert (await post_form(inside, "/create", {"secret": "b"})).status_code == 303
    async with serve(settings, peer=OUTSIDE) as (_, outside):
        assert "Sign in to share a secret" in (await outside.get("/")).text
        await assert_every_create_path_refused(outside, {})
    assert await secret_count(redis) == 3


async def test_under_networks_the_address_behind_a_trusted_proxy_decides(settings: Settings, redis: Redis) -> None:
    settings = office_network(settings)
    async with serve(settings, peer=PROXY) as (_, proxied):
        from_inside = {"X-Forwarded-For": INSIDE}
        assert (await proxied.post("/api/v1/share", data={"secret": "a"}, headers=from_inside)).status_code == 200
        created = await proxied.post("/api/v2/secret/conceal", json={"secret": {"secret": "b"}}, headers=from_inside)
        assert created.status_code == 200
        # The proxy's own address is not in the range: a request from outside comes through it refused.
        await assert_every_create_path_refused(proxied, {"X-Forwarded-For": OUTSIDE})
        # A client that writes the header itself in front of the proxy's hop gains nothing.
        spoofed = {"X-Forwarded-For": f"{INSIDE}, {OUTSIDE}"}
        assert_error(await proxied.post("/api/v1/share", data={"secret": "c"}, headers=spoofed), REFUSAL, 403)
    async with serve(settings, peer=OUTSIDE) as (_, direct):
        # An untrusted peer's X-Forwarded-For is not believed.
        forged = {"X-Forwarded-For": INSIDE}
        assert_error(await direct.post("/api/v1/share", data={"secret": "d"}, headers=forged), REFUSAL, 403)
    assert await secret_count(redis) == 2
