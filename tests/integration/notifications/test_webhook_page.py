"""The account's webhook page: setting the URL shows the signing secret once, a new one replaces it."""

from __future__ import annotations

import re

from redis.asyncio import Redis

from onetime.settings import Settings
from tests.integration.notifications.support import notify_settings
from tests.support.accounts import EMAIL, PASSWORD, post_form, sign_up_ok
from tests.support.api import serve

_SECRET = re.compile(r'id="webhook-secret"[^>]*value="([^"]+)"')


def shown_secret(html: str) -> str | None:
    found = _SECRET.search(html)
    return found.group(1) if found else None


async def test_saving_a_url_shows_the_signing_secret_once_and_a_new_one_replaces_it(
    settings: Settings, redis: Redis
) -> None:
    async with serve(notify_settings(settings)) as (app, http):
        await sign_up_ok(http)
        assert "your webhook" in (await http.get("/account")).text
        saved = await post_form(http, "/account/webhook", {"url": "http://127.0.0.1:9/hook"}, "/account/webhook")
        assert (saved.status_code, saved.headers["location"]) == (303, "/account/webhook")
        first = await http.get("/account/webhook")
        secret = shown_secret(first.text)
        again = await http.get("/account/webhook")
        renewed = await post_form(http, "/account/webhook/secret", {}, "/account/webhook")
        second = shown_secret((await http.get("/account/webhook")).text)
        refused = await post_form(http, "/account/webhook", {"url": "https://10.0.0.1/hook"}, "/account/webhook")
        stored = await app.state.services.notifier.webhooks.signing_secret(EMAIL)
    assert first.headers["cache-control"] == "no-store"
    assert secret is not None
    assert secret.startswith("whsec_")
    assert 'value="http://127.0.0.1:9/hook"' in first.text
    assert shown_secret(again.text) is None
    assert "Your signing secret is hidden" in again.text
    assert renewed.status_code == 303
    assert second is not None
    assert second != secret
    assert stored == second
    assert refused.status_code == 422
    assert "private address" in refused.text
    async for key in redis.scan_iter("ots:webhook:*"):
        assert second.encode() not in b"".join((await redis.hgetall(key)).values())


async def test_deleting_the_account_deletes_its_history_and_webhook(settings: Settings, redis: Redis) -> None:
    async with serve(notify_settings(settings)) as (_, http):
        token = await sign_up_ok(http)
        await post_form(http, "/account/webhook", {"url": "http://127.0.0.1:9/hook"}, "/account/webhook")
        created = await http.post("/api/v1/share", auth=(EMAIL, token), data={"secret": "x", "notify": "webhook"})
        assert created.status_code == 200, created.text
        assert [key async for key in redis.scan_iter("ots:events:*")]
        assert [key async for key in redis.scan_iter("ots:webhook:*")]
        deleted = await post_form(http, "/account/delete", {"password": PASSWORD}, "/account")
        assert deleted.status_code == 303
        revealed = await http.post(f"/api/v1/secret/{created.json()['secret_key']}")
        assert revealed.status_code == 200
    assert [key async for key in redis.scan_iter("ots:events:*")] == []
    assert [key async for key in redis.scan_iter("ots:webhook:*")] == []
