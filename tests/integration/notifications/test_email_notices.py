"""Email notices through the mail outbox, to the SMTP server the suite runs: the outcome, never the secret."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from redis.asyncio import Redis

from onetime.settings import Settings
from tests.integration.notifications.support import ALICE, SECRET, TOM, notify_settings
from tests.support.api import BASE_URL, assert_error, assert_ok, create_account, serve
from tests.support.smtp_server import SmtpSink


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as server:
        yield server


async def test_a_burned_secret_is_told_by_email_with_its_short_label_and_nothing_that_opens_it(
    settings: Settings, redis: Redis, sink: SmtpSink
) -> None:
    settings = notify_settings(settings, sink.url)
    alice = await create_account(redis, settings, ALICE)
    async with serve(settings) as (_, http):
        created = assert_ok(
            await http.post("/api/v1/share", headers=alice, data={"secret": SECRET, "notify": "email", "ttl": "3600"})
        )
        assert_ok(await http.post(f"/api/v1/private/{created['metadata_key']}/burn"))
        [notice] = await sink.received(1)
    label = created["metadata_key"][:8]
    message = notice.message
    assert notice.rcpt_tos == [ALICE]
    assert message["To"] == ALICE
    assert message["Subject"].startswith(f"Your secret {label} was burned at ")
    assert message["Reply-To"] is None
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None
    assert html is not None
    assert f"Your secret {label} was burned" in text.get_content()
    assert f"{BASE_URL}/dashboard" in text.get_content()
    assert f'href="{BASE_URL}/dashboard"' in html.get_content()
    raw = notice.raw.decode()
    for forbidden in (SECRET, created["secret_key"], created["metadata_key"], created["secret_url"]):
        assert forbidden not in raw


async def test_a_revealed_secret_sent_to_a_recipient_tells_its_creator_without_naming_the_recipient(
    settings: Settings, redis: Redis, sink: SmtpSink
) -> None:
    settings = notify_settings(settings, sink.url)
    alice = await create_account(redis, settings, ALICE)
    async with serve(settings) as (_, http):
        created = assert_ok(
            await http.post(
                "/api/v1/share", headers=alice, json={"secret": SECRET, "recipient": TOM, "notify": ["email"]}
            )
        )
        await sink.received(1)  # the link, to Tom
        assert_ok(await http.post(f"/api/v1/secret/{created['secret_key']}"))
        messages = await sink.received(2)
    [notice] = [m for m in messages if m.rcpt_tos == [ALICE]]
    assert "was revealed at" in notice.message["Subject"]
    assert TOM not in notice.raw.decode()
    assert created["secret_key"] not in notice.raw.decode()


async def test_email_notices_need_mail_configured(settings: Settings, redis: Redis) -> None:
    alice = await create_account(redis, settings, ALICE)
    async with serve(notify_settings(settings)) as (_, http):
        refused = await http.post("/api/v1/share", headers=alice, data={"secret": SECRET, "notify": "email"})
    assert_error(refused, "Email delivery is not configured on this server", 400)
    assert json.loads(refused.text) == {"message": "Email delivery is not configured on this server"}
