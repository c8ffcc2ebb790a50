"""OTS_TTL_CHOICES, OTS_TTL_DEFAULT and OTS_PLANS: the create page, the size limits and the clamping follow them."""

from __future__ import annotations

from redis.asyncio import Redis

from onetime.policy_settings import read_plans
from onetime.settings import Settings
from tests.conftest import with_settings
from tests.support.accounts import post_form
from tests.support.api import create_account, serve

CONFIGURED = {
    "OTS_TTL_CHOICES": "5m,1h,1d,14d",
    "OTS_TTL_DEFAULT": "1h",
    "OTS_PLANS": "anonymous:ttl=1d,size=50;basic:ttl=14d,size=200",
}


def configured(settings: Settings) -> Settings:
    return with_settings(settings, plans=read_plans(CONFIGURED))


async def test_the_create_page_offers_the_configured_expiries_and_size(settings: Settings, redis: Redis) -> None:
    async with serve(configured(settings)) as (_, browser):
        html = (await browser.get("/")).text
    assert '<option value="300">5 minutes</option>' in html
    assert '<option value="3600" selected>1 hour</option>' in html
    assert '<option value="86400">1 day</option>' in html
    assert 'value="1209600"' not in html  # 14 days is beyond the configured anonymous plan
    assert 'value="604800"' not in html  # 7 days is no longer offered at all
    assert 'value="1800"' not in html
    assert 'data-max-bytes="50"' in html
    assert "of 50 bytes" in html


async def test_the_apis_clamp_into_the_configured_plans_and_use_the_configured_default(
    settings: Settings, redis: Redis
) -> None:
    settings = configured(settings)
    auth = await create_account(redis, settings, "bob@example.com")
    async with serve(settings) as (_, client):
        assert (await client.post("/api/v1/share", data={"secret": "a"})).json()["ttl"] == 3600
        assert (await client.post("/api/v1/share", data={"secret": "a", "ttl": "604800"})).json()["ttl"] == 86400
        basic = await client.post("/api/v1/share", data={"secret": "a", "ttl": "9999999"}, headers=auth)
        assert basic.json()["ttl"] == 14 * 86400
        v2 = await client.post("/api/v2/secret/conceal", json={"secret": {"secret": "a", "ttl": 999999}})
        assert v2.json()["record"]["secret"]["secret_ttl"] == 86400
        v2_default = await client.post("/api/v2/secret/conceal", json={"secret": {"secret": "a"}})
        assert v2_default.json()["record"]["secret"]["secret_ttl"] == 3600
        too_large = await client.post("/api/v1/share", data={"secret": "x" * 51})
        assert too_large.json() == {"message": "Secret value exceeds the maximum size of 50 bytes"}
        assert (await client.post("/api/v1/share", data={"secret": "x" * 51}, headers=auth)).status_code == 200


async def test_the_form_clamps_a_posted_expiry_and_refuses_a_secret_over_the_configured_size(
    settings: Settings, redis: Redis
) -> None:
    async with serve(configured(settings)) as (_, browser):
        created = await post_form(browser, "/create", {"secret": "hunter2", "ttl": "2592000"})
        assert created.status_code == 303
        receipt_key = created.headers["location"].rsplit("/", 1)[1]
        receipt = (await browser.get(f"/api/v1/private/{receipt_key}")).json()
        assert receipt["secret_ttl"] == 86400
        refused = await post_form(browser, "/create", {"secret": "x" * 51})
        assert refused.status_code == 422
        assert "50 bytes" in refused.text
