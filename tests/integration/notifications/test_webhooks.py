"""Webhooks against a real HTTP receiver on loopback: signed, retried after failures, carrying nothing secret.

The app runs its lifespan (and so its notification worker) in the test's loop; the receiver is
http.server in a thread, answering the statuses each test scripts. Loopback http is allowed by the
operator switch the tests turn on (OTS_WEBHOOK_ALLOW_HTTP_LOOPBACK).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import Iterator

import pytest
from redis.asyncio import Redis

from onetime.notifications.ssrf import TargetRefused
from onetime.services import Services
from onetime.settings import Settings
from tests.integration.notifications.support import (
    ALICE,
    SECRET,
    TOM,
    notify_settings,
    wait_for_webhook_state,
)
from tests.support.api import assert_error, assert_ok, create_account, serve
from tests.support.smtp_server import SmtpSink
from tests.support.webhook_receiver import Hit, WebhookReceiver


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as server:
        yield server


def signed_correctly(signing_secret: str, hit: Hit) -> bool:
    """Check the X-OTS-Signature of a delivery as a receiver would, with nothing but hmac."""
    fields = dict(part.split("=", 1) for part in hit.headers["x-ots-signature"].split(","))
    message = fields["t"].encode() + b"." + hit.body
    expected = hmac.new(signing_secret.encode(), message, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields["v1"]) and abs(time.time() - int(fields["t"])) < 60


async def test_a_reveal_is_posted_signed_retried_after_two_failures_and_carries_no_secret_link_or_recipient(
    settings: Settings, redis: Redis, sink: SmtpSink
) -> None:
    settings = notify_settings(settings, sink.url)
    alice = await create_account(redis, settings, ALICE)
    with WebhookReceiver([500, 500]) as receiver:
        signing_secret = await Services.build(settings, redis).notifier.webhooks.set_url(ALICE, receiver.url)
        assert signing_secret is not None
        async with serve(settings) as (_, http):
            created = assert_ok(
                await http.post(
                    "/api/v1/share", headers=alice, data={"secret": SECRET, "recipient": TOM, "notify": "webhook"}
                )
            )
            assert "notify" not in created  # the v1 answer keeps its contract
            assert assert_ok(await http.post(f"/api/v1/secret/{created['secret_key']}"))["value"] == SECRET
            hits = await receiver.received(3)
            page = await wait_for_webhook_state(http, created["metadata_key"], "sent")
    assert receiver.answered == [500, 500, 200]
    assert "delivered on try 3" in page
    assert len(hits) == 3
    for hit in hits:
        assert hit.path == "/hooks/ots?source=test"
        assert hit.headers["content-type"] == "application/json"
        assert signed_correctly(signing_secret, hit)
        body = json.loads(hit.body)
        assert body == {"event": "revealed", "receipt": created["metadata_key"][:8], "time": body["time"]}
        assert abs(body["time"] - time.time()) < 60
        everything = hit.body + json.dumps(hit.headers).encode() + hit.path.encode()
        for forbidden in (SECRET, created["secret_key"], created["metadata_key"], created["secret_url"], TOM, "tom@"):
            assert forbidden.encode() not in everything
    tampered = Hit(hits[-1].path, hits[-1].headers, hits[-1].body.replace(b"revealed", b"burned"))
    assert not signed_correctly(signing_secret, tampered)
    assert not signed_correctly("whsec_another", hits[-1])


async def test_a_burn_is_posted_and_a_receiver_that_keeps_failing_is_given_up(settings: Settings, redis: Redis) -> None:
    settings = notify_settings(settings)
    alice = await create_account(redis, settings, ALICE)
    with WebhookReceiver([500] * 10) as receiver:
        await Services.build(settings, redis).notifier.webhooks.set_url(ALICE, receiver.url)
        async with serve(settings) as (_, http):
            created = assert_ok(
                await http.post("/api/v1/share", headers=alice, data={"secret": SECRET, "notify": "webhook"})
            )
            assert_ok(await http.post(f"/api/v1/private/{created['metadata_key']}/burn"))
            page = await wait_for_webhook_state(http, created["metadata_key"], "failed")
    assert receiver.answered == [500] * settings.webhook_delivery.attempts
    assert {json.loads(hit.body)["event"] for hit in receiver.hits} == {"burned"}
    assert f"not delivered after {settings.webhook_delivery.attempts} tries" in page


async def test_v2_conceal_takes_notify_and_its_answer_stays_as_it_was(settings: Settings, redis: Redis) -> None:
    settings = notify_settings(settings)
    alice = await create_account(redis, settings, ALICE)
    with WebhookReceiver() as receiver:
        await Services.build(settings, redis).notifier.webhooks.set_url(ALICE, receiver.url)
        async with serve(settings) as (_, http):
            response = await http.post(
                "/api/v2/secret/conceal", headers=alice, json={"secret": {"secret": SECRET, "notify": ["webhook"]}}
            )
            assert response.status_code == 200, response.text
            record = response.json()["record"]
            assert "notify" not in json.dumps(record)
            secret_key = record["secret"]["key"]
            assert_ok(await http.post(f"/api/v1/secret/{secret_key}"))
            [hit] = await receiver.received(1)
    assert json.loads(hit.body)["receipt"] == record["receipt"]["shortid"]


async def test_webhook_notices_are_refused_without_a_url_and_for_anonymous_creators(
    settings: Settings, redis: Redis
) -> None:
    settings = notify_settings(settings)
    alice = await create_account(redis, settings, ALICE)
    async with serve(settings) as (_, http):
        refused = await http.post("/api/v1/share", headers=alice, data={"secret": SECRET, "notify": "webhook"})
        assert_error(refused, "Set a webhook URL on your account page before asking for webhook notices.", 400)
        anonymous = await http.post("/api/v1/share", data={"secret": SECRET, "notify": "webhook"})
        assert_error(anonymous, "An account is required to be notified.", 400)
        unknown = await http.post("/api/v1/share", headers=alice, data={"secret": SECRET, "notify": "sms"})
        assert_error(unknown, "notify must be email, webhook, or email,webhook", 400)


async def test_a_loopback_url_is_refused_unless_the_operator_allows_it(settings: Settings, redis: Redis) -> None:
    strict = Services.build(settings, redis).notifier.webhooks
    with pytest.raises(TargetRefused, match="https"):
        await strict.set_url(ALICE, "http://127.0.0.1:9/hook")
    with pytest.raises(TargetRefused, match="loopback"):
        await strict.set_url(ALICE, "https://127.0.0.1:9/hook")
    assert (await strict.read(ALICE)).url == ""
    allowed = Services.build(notify_settings(settings), redis).notifier.webhooks
    assert await allowed.set_url(ALICE, "http://127.0.0.1:9/hook") is not None
    assert (await allowed.read(ALICE)).url == "http://127.0.0.1:9/hook"


async def test_twenty_reveals_and_burns_at_once_send_exactly_one_delivery(settings: Settings, redis: Redis) -> None:
    settings = notify_settings(settings)
    alice = await create_account(redis, settings, ALICE)
    with WebhookReceiver() as receiver:
        await Services.build(settings, redis).notifier.webhooks.set_url(ALICE, receiver.url)
        async with serve(settings) as (_, http):
            created = assert_ok(
                await http.post("/api/v1/share", headers=alice, data={"secret": SECRET, "notify": "webhook"})
            )
            reveals = [http.post(f"/api/v1/secret/{created['secret_key']}") for _ in range(10)]
            burns = [http.post(f"/api/v1/private/{created['metadata_key']}/burn") for _ in range(10)]
            answers = await asyncio.gather(*reveals, *burns)
            await receiver.received(1)
            await wait_for_webhook_state(http, created["metadata_key"], "sent")
            await asyncio.sleep(0.3)  # room for a second delivery, which must not come
    assert sum(answer.status_code == 200 for answer in answers) == 1
    [hit] = receiver.hits
    assert json.loads(hit.body)["event"] in {"revealed", "burned"}
