"""OTS_MODE=read: a deployment that reveals secrets (pages and APIs) and refuses everything else, on one Redis."""

from __future__ import annotations

import httpx
from redis.asyncio import Redis

from onetime.policy import MODE_READ, AccessPolicy, ReadOnlyDeployment
from onetime.settings import Settings
from tests.conftest import with_settings
from tests.support.api import assert_error, create_account, serve
from tests.support.pages import HTMX, form_token

REFUSAL = ReadOnlyDeployment.message


def read_only(settings: Settings) -> Settings:
    return with_settings(settings, access=AccessPolicy(mode=MODE_READ))


async def share_on_the_full_deployment(settings: Settings, value: str = "hunter2") -> dict[str, str]:
    """Create a secret on the internal (full) deployment that shares the Redis."""
    async with serve(settings) as (_, internal):
        response = await internal.post("/api/v1/share", data={"secret": value})
        assert response.status_code == 200
        metadata: dict[str, str] = response.json()
        return metadata


def assert_refused_page(response: httpx.Response) -> None:
    assert response.status_code == 403, response.text
    assert "This server only opens secret links" in response.text
    assert response.headers["cache-control"] == "no-store"


async def test_read_mode_reveals_through_the_page_and_both_apis(settings: Settings, redis: Redis) -> None:
    first, second, third = [await share_on_the_full_deployment(settings, f"value-{n}") for n in range(3)]
    async with serve(read_only(settings)) as (_, public):
        assert (await public.get("/api/v1/status")).status_code == 200
        assert (await public.get("/api/v2/status")).status_code == 200
        page = await public.get(f"/secret/{first['secret_key']}")
        assert page.status_code == 200
        token = form_token(page.text)
        revealed = await public.post(f"/secret/{first['secret_key']}", data={"_csrf_token": token})
        assert revealed.status_code == 200
        assert "value-0" in revealed.text
        v1 = await public.post(f"/api/v1/secret/{second['secret_key']}")
        assert v1.json()["value"] == "value-1"
        key = third["secret_key"]
        assert (await public.get(f"/api/v2/secret/{key}")).status_code == 200
        assert (await public.get(f"/api/v2/secret/{key}/status")).status_code == 200
        v2 = await public.post(f"/api/v2/secret/{key}/reveal", json={"continue": True})
        assert v2.json()["record"]["secret_value"] == "value-2"
        stylesheet = page.text.split('rel="stylesheet" href="')[1].split('"')[0]
        assert (await public.get(stylesheet)).status_code == 200


async def test_read_mode_refuses_every_create_path(settings: Settings, redis: Redis) -> None:
    metadata = await share_on_the_full_deployment(settings)
    auth = await create_account(redis, settings, "bob@example.com")
    async with serve(read_only(settings)) as (_, public):
        for path in ("/api/v1/share", "/api/v1/create", "/api/v1/generate"):
            for headers in ({}, auth):
                assert_error(await public.post(path, data={"secret": "x"}, headers=headers), REFUSAL, 403)
        for path in ("/api/v2/secret/conceal", "/api/v2/secret/generate", "/api/v2/guest/secret/conceal"):
            for headers in ({}, auth):
                response = await public.post(path, json={"secret": {"secret": "x"}}, headers=headers)
                assert response.status_code == 403, response.text
                assert response.json()["error_type"] == "Forbidden"
                assert response.json()["error"] == REFUSAL
        home = await public.get("/")
        assert_refused_page(home)
        assert 'href="/signin"' not in home.text  # no account links in the header either
        # The form posts, with a real CSRF token (from the reveal page), with and without htmx.
        token = form_token((await public.get(f"/secret/{metadata['secret_key']}")).text)
        for path in ("/create", "/generate"):
            assert_refused_page(await public.post(path, data={"secret": "x", "_csrf_token": token}))
            htmx = await public.post(path, data={"secret": "x", "_csrf_token": token}, headers=HTMX)
            assert_refused_page(htmx)
            assert htmx.headers["hx-retarget"] == "body"
    assert len([key async for key in redis.scan_iter("ots:secret:*")]) == 1  # only the one made inside


async def test_read_mode_refuses_receipts_accounts_and_domains(settings: Settings, redis: Redis) -> None:
    metadata = await share_on_the_full_deployment(settings)
    auth = await create_account(redis, settings, "bob@example.com")
    receipt = metadata["metadata_key"]
    async with serve(read_only(settings)) as (_, public):
        for path in ("/signin", "/signup", "/account", "/dashboard", "/account/domains", f"/private/{receipt}"):
            assert_refused_page(await public.get(path))
        for path in (f"/api/v1/private/{receipt}", "/api/v1/private/recent", "/api/v1/authcheck"):
            assert_error(await public.get(path, headers=auth), REFUSAL, 403)
        for path in (f"/api/v2/receipt/{receipt}", "/api/v2/receipt/recent", "/api/v2/version"):
            response = await public.get(path, headers=auth)
            assert response.status_code == 403, (path, response.text)
        burn = await public.post(f"/api/v1/private/{receipt}/burn")
        assert_error(burn, REFUSAL, 403)
    assert len([key async for key in redis.scan_iter("ots:secret:*")]) == 1  # the burn never ran
