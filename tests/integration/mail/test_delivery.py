"""Email delivery of secret links: a real SMTP server on loopback, the real app, a real Redis.

The message (headers, both parts, the link, never the secret), only the first recipient,
retries when the SMTP server is down and comes back, nothing sent twice (also with two app
instances), the delivery state on the receipt, giving up after N tries, and what Redis and the
logs keep.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from redis.asyncio import Redis

from onetime.keys import secret_id
from onetime.mail.config import MailDelivery
from onetime.mail.outgoing import OutgoingMail
from onetime.settings import Settings
from onetime.storage.keys import OUTBOX, outbox_entry_name, secret_name
from onetime.storage.outbox import OutboxEntries
from tests.support.api import BASE_URL, assert_ok, create_account, serve
from tests.support.logs import CollectedLogs
from tests.support.redis_server import free_port
from tests.support.smtp_server import SmtpSink

MAIL_FROM = "Onetime Secret <noreply@example.com>"
SECRET = "correct-horse-battery-staple-7"
TOM = "tom@example.com"
# The login tests speak AUTH over plain loopback SMTP on purpose.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
FAST = MailDelivery(attempts=3, first_delay=0.2, max_delay=1.0, poll=0.05, send_timeout=3.0, lease=10.0)


def mail_settings(settings: Settings, smtp_url: str, **delivery: float) -> Settings:
    """Settings with mail on, sent to `smtp_url`, retried fast."""
    policy = dataclasses.replace(FAST, **delivery)  # type: ignore[arg-type]
    return dataclasses.replace(settings, smtp_url=smtp_url, mail_from=MAIL_FROM, mail_delivery=policy)


@pytest.fixture
async def alice(redis: Redis, settings: Settings) -> dict[str, str]:
    return await create_account(redis, settings, "alice@example.com")


@pytest.fixture
def sink() -> AsyncIterator[SmtpSink]:
    with SmtpSink() as server:
        yield server


async def share(http: httpx.AsyncClient, headers: dict[str, str], **params: str) -> dict:
    return assert_ok(await http.post("/api/v1/share", headers=headers, data={"secret": SECRET, **params}))


async def delivery(http: httpx.AsyncClient, metadata_key: str) -> dict:
    return assert_ok(await http.get(f"/api/v1/private/{metadata_key}"))["delivery"]


async def wait_for_delivery(http: httpx.AsyncClient, metadata_key: str, state: str, timeout: float = 10.0) -> dict:
    """Poll the receipt until its delivery reaches `state`; return the delivery."""
    deadline = time.monotonic() + timeout
    while (current := await delivery(http, metadata_key))["state"] != state:
        assert time.monotonic() < deadline, f"delivery stayed {current} instead of becoming {state}"
        await asyncio.sleep(0.05)
    return current


async def keys_holding(redis: Redis, text: str) -> list[str]:
    """Return every Redis key whose name or value contains `text`."""
    found = []
    async for key in redis.scan_iter():
        kind = (await redis.type(key)).decode()
        if kind == "hash":
            values = [*(await redis.hgetall(key)).values()]
        elif kind == "zset":
            values = await redis.zrange(key, 0, -1)
        elif kind == "string":
            values = [await redis.get(key)]
        else:
            values = []
        if text.encode() in key or any(text.encode() in value for value in values):
            found.append(key.decode())
    return found


async def test_the_email_has_the_headers_both_parts_and_the_link_but_never_the_secret(
    settings: Settings, redis: Redis, alice: dict[str, str], sink: SmtpSink
) -> None:
    async with serve(mail_settings(settings, sink.url)) as (_, http):
        created = await share(http, alice, recipient=TOM, ttl="3600")
        [received] = await sink.received(1)
    message = received.message
    assert message["Subject"] == "alice@example.com sent you a secret"
    assert message["From"] == MAIL_FROM
    assert message["Reply-To"] == "alice@example.com"
    assert message["To"] == TOM
    assert message["Message-ID"].endswith("@example.com>")
    assert (received.mail_from, received.rcpt_tos) == ("noreply@example.com", [TOM])
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None
    assert html is not None
    link = f"{BASE_URL}/secret/{created['secret_key']}"
    assert created["secret_url"] == link
    assert link in text.get_content()
    assert f'href="{link}"' in html.get_content()
    assert "expires in 1 hour" in text.get_content()
    assert "alice@example.com sent you a secret" in text.get_content()
    assert SECRET not in received.raw.decode()
    assert SECRET not in text.get_content() + html.get_content()
    assert created["metadata_key"] not in received.raw.decode()


async def test_only_the_first_recipient_is_emailed(
    settings: Settings, redis: Redis, alice: dict[str, str], sink: SmtpSink
) -> None:
    async with serve(mail_settings(settings, sink.url)) as (_, http):
        response = await http.post(
            "/api/v1/share", headers=alice, json={"secret": SECRET, "recipient": [TOM, "john.smith@mail.example.org"]}
        )
        created = assert_ok(response)
        assert created["recipient"] == ["to*****@e*****.com", "jo*****@m*****.org"]
        await wait_for_delivery(http, created["metadata_key"], "sent")
        await asyncio.sleep(0.3)  # room for a second message, which must not come
    assert [(m.rcpt_tos, m.message["To"]) for m in sink.messages] == [([TOM], TOM)]


async def test_a_generated_password_is_never_emailed(
    settings: Settings, redis: Redis, alice: dict[str, str], sink: SmtpSink
) -> None:
    async with serve(mail_settings(settings, sink.url)) as (_, http):
        created = assert_ok(await http.post("/api/v1/generate", headers=alice, data={"recipient": TOM}))
        [received] = await sink.received(1)
    assert created["value"]
    assert created["value"] not in received.raw.decode()
    assert created["secret_url"] in received.raw.decode()


async def test_delivery_state_goes_from_queued_to_sent(
    settings: Settings, redis: Redis, alice: dict[str, str], sink: SmtpSink
) -> None:
    async with serve(mail_settings(settings, sink.url)) as (_, http):
        created = await share(http, alice, recipient=TOM)
        assert created["delivery"] == {"state": "queued", "attempts": 0}
        assert await wait_for_delivery(http, created["metadata_key"], "sent") == {"state": "sent", "attempts": 1}
        [listed] = assert_ok(await http.get("/api/v1/private/recent", headers=alice))
        assert listed["delivery"] == {"state": "sent", "attempts": 1}


async def test_a_receipt_without_recipient_has_no_delivery(
    settings: Settings, redis: Redis, alice: dict[str, str], sink: SmtpSink
) -> None:
    async with serve(mail_settings(settings, sink.url)) as (_, http):
        created = await share(http, alice)
        assert "delivery" not in created
        assert "delivery" not in assert_ok(await http.get(f"/api/v1/private/{created['metadata_key']}"))
    assert sink.messages == []


async def test_a_server_down_at_first_gets_the_message_when_it_is_back(
    settings: Settings, redis: Redis, alice: dict[str, str]
) -> None:
    sink = SmtpSink()  # not started: connections are refused
    async with serve(mail_settings(settings, sink.url, attempts=20)) as (_, http):
        created = await share(http, alice, recipient=TOM)
        retrying = await wait_for_delivery(http, created["metadata_key"], "queued")
        while retrying["attempts"] < 2:
            await asyncio.sleep(0.05)
            retrying = await delivery(http, created["metadata_key"])
        with sink:
            sent = await wait_for_delivery(http, created["metadata_key"], "sent")
            await asyncio.sleep(0.5)  # later polls must not send it again
    assert sent["attempts"] >= 3
    assert len(sink.messages) == 1
    assert created["secret_url"] in sink.messages[0].raw.decode()


async def test_two_app_instances_send_each_message_exactly_once(
    settings: Settings, redis: Redis, alice: dict[str, str]
) -> None:
    sink = SmtpSink()
    mail = mail_settings(settings, sink.url, attempts=50, first_delay=0.05, max_delay=0.1)
    async with serve(mail) as (_, first), serve(mail) as (_, second):
        # Queued through both instances while the SMTP server is down: both workers retry them.
        created = [await share(http, alice, recipient=TOM) for http in (first, second) * 10]
        await asyncio.sleep(0.3)
        with sink:
            await sink.received(20)
            for receipt in created:
                await wait_for_delivery(first, receipt["metadata_key"], "sent")
            await asyncio.sleep(0.5)
    links = sorted(message.message.get_body(("plain",)).get_content() for message in sink.messages)  # type: ignore[union-attr]
    assert len(sink.messages) == 20
    assert len(set(links)) == 20
    assert len({message.message["Message-ID"] for message in sink.messages}) == 20


async def test_concurrent_claims_of_one_entry_have_one_winner(redis: Redis) -> None:
    entries = OutboxEntries(redis)
    mail = OutgoingMail(recipient=TOM, sender="alice@example.com", secret_url="x", expires=0, message_id="m")
    await entries.queue("s" * 31, mail, ttl=60, due_ms=0)
    now = int(time.time() * 1000)
    claims = await asyncio.gather(*(entries.claim("s" * 31, now, now + 60_000, f"worker{i}") for i in range(20)))
    winners = [claim for claim in claims if claim is not None]
    assert len(winners) == 1
    assert winners[0].tries == 1
    assert winners[0].mail == mail
    assert not await entries.finish("s" * 31, "worker-that-lost")
    assert await redis.exists(outbox_entry_name("s" * 31))


async def test_delivery_fails_after_the_configured_tries_and_forgets_the_address(
    settings: Settings, redis: Redis, alice: dict[str, str]
) -> None:
    never_up = f"smtp://127.0.0.1:{free_port()}"
    async with serve(mail_settings(settings, never_up, attempts=3, first_delay=0.05)) as (_, http):
        created = await share(http, alice, recipient=TOM)
        failed = await wait_for_delivery(http, created["metadata_key"], "failed")
    assert failed == {"state": "failed", "attempts": 3}
    assert await keys_holding(redis, TOM) == []
    assert not await redis.exists(outbox_entry_name(secret_id(created["secret_key"])))


async def test_a_refused_recipient_fails_at_once(settings: Settings, redis: Redis, alice: dict[str, str]) -> None:
    with SmtpSink(refuse_recipients=True) as sink:
        async with serve(mail_settings(settings, sink.url, attempts=5)) as (_, http):
            created = await share(http, alice, recipient=TOM)
            failed = await wait_for_delivery(http, created["metadata_key"], "failed")
    assert failed == {"state": "failed", "attempts": 1}
    assert sink.messages == []


async def test_the_plain_address_lives_only_in_the_outbox_entry_and_not_longer_than_the_secret(
    settings: Settings, redis: Redis, alice: dict[str, str]
) -> None:
    sink = SmtpSink()
    async with serve(mail_settings(settings, sink.url, first_delay=60.0)) as (_, http):
        created = await share(http, alice, recipient=TOM, ttl="600")
        await wait_for_delivery(http, created["metadata_key"], "queued")
        entry = outbox_entry_name(secret_id(created["secret_key"]))
        assert await keys_holding(redis, TOM) == [entry]
        assert 0 < await redis.ttl(entry) <= await redis.ttl(secret_name(secret_id(created["secret_key"])))
        assert await redis.ttl(OUTBOX) > await redis.ttl(entry)
        await redis.zadd(OUTBOX, {secret_id(created["secret_key"]): 0})  # due now, as the next retry would be
        with sink:
            await wait_for_delivery(http, created["metadata_key"], "sent")
        assert await keys_holding(redis, TOM) == []


async def test_an_entry_that_expired_unsent_marks_the_receipt_failed(
    settings: Settings, redis: Redis, alice: dict[str, str]
) -> None:
    sink = SmtpSink()
    async with serve(mail_settings(settings, sink.url, first_delay=60.0)) as (_, http):
        created = await share(http, alice, recipient=TOM)
        await wait_for_delivery(http, created["metadata_key"], "queued")
        await redis.delete(outbox_entry_name(secret_id(created["secret_key"])))  # as its TTL would
        await redis.zadd(OUTBOX, {secret_id(created["secret_key"]): 0})
        assert (await wait_for_delivery(http, created["metadata_key"], "failed"))["state"] == "failed"
        assert await redis.zcard(OUTBOX) == 0


async def test_queueing_does_not_wait_for_a_hanging_smtp_server(
    settings: Settings, redis: Redis, alice: dict[str, str]
) -> None:
    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # hold the connection without a greeting
        writer.close()

    server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server, serve(mail_settings(settings, f"smtp://127.0.0.1:{port}", send_timeout=2.0)) as (_, http):
        await share(http, alice, recipient=TOM)  # the worker is now stuck on this one
        await asyncio.sleep(0.2)
        started = time.monotonic()
        created = await share(http, alice, recipient=TOM)
        assert time.monotonic() - started < 0.5
        assert (await delivery(http, created["metadata_key"]))["state"] == "queued"


async def test_smtp_login_uses_the_credentials_of_the_url(
    settings: Settings, redis: Redis, alice: dict[str, str]
) -> None:
    with SmtpSink(login=("mailer", "s3cret-pw")) as sink:
        async with serve(mail_settings(settings, sink.url)) as (_, http):
            await share(http, alice, recipient=TOM)
            await sink.received(1)
    assert sink.logins == [("mailer", "s3cret-pw")]


async def test_log_lines_carry_no_address_link_key_or_smtp_password(
    settings: Settings, redis: Redis, alice: dict[str, str]
) -> None:
    down = SmtpSink(login=("mailer", "s3cret-pw"))
    collect = CollectedLogs()
    async with serve(mail_settings(settings, down.url, attempts=20)) as (_, http):
        with collect:
            created = await share(http, alice, recipient=TOM)
            deadline = time.monotonic() + 10
            while (await delivery(http, created["metadata_key"]))["attempts"] < 1:  # the first try has failed
                assert time.monotonic() < deadline, "the first delivery try never happened"
                await asyncio.sleep(0.05)
            with down:
                await wait_for_delivery(http, created["metadata_key"], "sent")
    messages = collect.server_messages()
    assert any("email not delivered on try 1" in message for message in messages)
    assert any("email delivered" in message for message in messages)
    logged = "\n".join(messages)
    for private in (TOM, "s3cret-pw", created["secret_key"], created["metadata_key"], SECRET):
        assert private not in logged
