"""The per-account limit on recipient emails, and the refusal when mail is not configured."""

from __future__ import annotations

import dataclasses

import pytest
from redis.asyncio import Redis

from onetime.settings import Settings
from onetime.storage.keys import OUTBOX
from tests.support.api import assert_error, assert_ok, create_account, serve
from tests.support.redis_server import free_port

LIMITED = "Too many recipient emails: at most 50 every 20 minutes. Please try again later."


@pytest.fixture
def mail(settings: Settings) -> Settings:
    # Nothing listens there: messages stay queued, which is all these tests need.
    smtp_url = f"smtp://127.0.0.1:{free_port()}"
    return dataclasses.replace(settings, smtp_url=smtp_url, mail_from="noreply@example.com")


async def test_an_account_may_queue_50_recipient_emails_per_window(mail: Settings, redis: Redis) -> None:
    alice = await create_account(redis, mail, "alice@example.com")
    bob = await create_account(redis, mail, "bob@example.com")
    async with serve(mail) as (_, http):
        for _ in range(50):
            assert_ok(
                await http.post("/api/v1/share", headers=alice, data={"secret": "x", "recipient": "t@example.com"})
            )
        refused = await http.post("/api/v1/generate", headers=alice, data={"recipient": "t@example.com"})
        assert_error(refused, LIMITED, 429)
        assert await redis.zcard(OUTBOX) == 50
        # Secrets without a recipient, and other accounts, are not held back.
        assert_ok(await http.post("/api/v1/share", headers=alice, data={"secret": "x"}))
        assert_ok(await http.post("/api/v1/share", headers=bob, data={"secret": "x", "recipient": "t@example.com"}))
    window = await redis.ttl("ots:limit:{alice@example.com}:mail")
    assert 20 * 60 - 5 < window <= 20 * 60


async def test_the_limit_holds_when_request_limits_are_off(mail: Settings, redis: Redis) -> None:
    alice = await create_account(redis, mail, "alice@example.com")
    await redis.set("ots:limit:{alice@example.com}:mail", 50, ex=1200)
    async with serve(dataclasses.replace(mail, rate_limits=False)) as (_, http):
        response = await http.post("/api/v1/share", headers=alice, data={"secret": "x", "recipient": "t@example.com"})
        assert_error(response, LIMITED, 429)


async def test_a_refused_request_creates_nothing(mail: Settings, redis: Redis) -> None:
    alice = await create_account(redis, mail, "alice@example.com")
    await redis.set("ots:limit:{alice@example.com}:mail", 50, ex=1200)
    async with serve(mail) as (_, http):
        response = await http.post("/api/v1/share", headers=alice, data={"secret": "x", "recipient": "t@example.com"})
        assert_error(response, LIMITED, 429)
    assert [key async for key in redis.scan_iter("ots:secret:*")] == []
    assert await redis.zcard(OUTBOX) == 0


async def test_invalid_requests_do_not_use_up_the_limit(mail: Settings, redis: Redis) -> None:
    alice = await create_account(redis, mail, "alice@example.com")
    async with serve(mail) as (_, http):
        empty = await http.post("/api/v1/share", headers=alice, data={"secret": "", "recipient": "t@example.com"})
        assert_error(empty, "You did not provide anything to share", 400)
    assert await redis.get("ots:limit:{alice@example.com}:mail") is None


async def test_without_smtp_a_recipient_is_refused_and_nothing_is_queued(settings: Settings, redis: Redis) -> None:
    alice = await create_account(redis, settings, "alice@example.com")
    async with serve(settings) as (_, http):
        response = await http.post("/api/v1/share", headers=alice, data={"secret": "x", "recipient": "t@example.com"})
        assert_error(response, "Email delivery is not configured on this server", 400)
    assert await redis.exists(OUTBOX) == 0
