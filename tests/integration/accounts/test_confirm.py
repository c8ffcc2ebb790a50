"""Confirming a browser account's email address, and sending links by email from the web form.

A real SMTP server on loopback (aiosmtpd), the real app and a real Redis.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator

import pytest
from redis.asyncio import Redis

from onetime.mail.config import MailDelivery
from onetime.settings import Settings
from onetime.storage.keys import OUTBOX
from tests.support.accounts import (
    EMAIL,
    PASSWORD,
    api_token,
    create_in_form,
    post_form,
    session_cookie,
    sign_in,
    sign_up,
    sign_up_ok,
)
from tests.support.api import BASE_URL, basic_auth, serve
from tests.support.logs import CollectedLogs
from tests.support.redis_server import free_port
from tests.support.smtp_server import Received, SmtpSink

FAST = MailDelivery(attempts=3, first_delay=0.2, max_delay=1.0, poll=0.05, send_timeout=3.0, lease=10.0)
CONFIRM_LINK = re.compile(re.escape(BASE_URL) + r"/account/confirm/([a-z0-9]{31})")
NOT_CONFIRMED = "Confirm your email address (see the account page) before sending secrets by email."


def mail_settings(settings: Settings, smtp_url: str, policy: MailDelivery = FAST) -> Settings:
    """Settings with mail on, sent to `smtp_url`, retried fast."""
    return dataclasses.replace(settings, smtp_url=smtp_url, mail_from="noreply@example.com", mail_delivery=policy)


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as server:
        yield server


def text_of(mail: Received) -> str:
    """Return the plain-text part of a message."""
    part = mail.message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def confirm_path(mail: Received) -> str:
    """Return the path of the confirmation link a message carries."""
    found = CONFIRM_LINK.search(text_of(mail))
    assert found, text_of(mail)
    return f"/account/confirm/{found.group(1)}"


async def test_sign_up_emails_a_link_that_confirms_the_address(
    settings: Settings, redis: Redis, sink: SmtpSink
) -> None:
    async with serve(mail_settings(settings, sink.url)) as (_, browser):
        assert (await sign_up(browser)).status_code == 303
        response = await browser.get("/account")
        token = api_token(response.text)
        assert "a link to alice@example.com" in response.text
        assert "(not confirmed yet)" in response.text
        [mail] = await sink.received(1)
        assert mail.rcpt_tos == [EMAIL]
        assert mail.message["Subject"] == "Confirm your email address"
        assert mail.message["Reply-To"] is None
        assert PASSWORD not in mail.raw.decode()
        assert token not in mail.raw.decode()
        path = confirm_path(mail)

        page = await browser.get(path)  # opening the link (as a mail scanner would) confirms nothing
        assert page.status_code == 200
        assert "Confirm my email address" in page.text
        assert await redis.hget("ots:customer:{alice@example.com}", "verified") == b"0"

        confirmed = await post_form(browser, path, {}, path)
        assert confirmed.status_code == 200
        assert "alice@example.com is confirmed" in confirmed.text
        assert await redis.hget("ots:customer:{alice@example.com}", "verified") == b"1"
        assert "(confirmed)" in (await browser.get("/account")).text
        assert [key async for key in redis.scan_iter("ots:verify:*")] == []

        again = await post_form(browser, path, {}, path)
        assert again.status_code == 422
        assert "This confirmation link is no longer valid." in again.text


async def test_unconfirmed_accounts_cannot_send_links_by_email(
    settings: Settings, redis: Redis, sink: SmtpSink
) -> None:
    async with serve(mail_settings(settings, sink.url)) as (_, browser):
        token = await sign_up_ok(browser)
        await sink.received(1)
        home = (await browser.get("/")).text
        assert 'id="recipient" name="recipient"' in home
        refused = await post_form(browser, "/create", {"secret": "s3cret", "recipient": "tom@example.com"})
        assert refused.status_code == 422
        assert f'<p class="field-error" id="recipient-error">{NOT_CONFIRMED}</p>' in refused.text
        assert 'value="tom@example.com"' in refused.text  # drawn again as typed
        api = await browser.post(
            "/api/v1/share", data={"secret": "s", "recipient": "tom@example.com"}, headers=basic_auth(EMAIL, token)
        )
        assert api.json() == {"message": NOT_CONFIRMED}
        assert api.headers["x-ots-intended-status"] == "400"
        assert len(sink.messages) == 1  # the confirmation only


async def test_a_confirmed_account_sends_the_link_from_the_web_form(
    settings: Settings, redis: Redis, sink: SmtpSink
) -> None:
    async with serve(mail_settings(settings, sink.url)) as (_, browser):
        await sign_up_ok(browser)
        path = confirm_path((await sink.received(1))[0])
        await post_form(browser, path, {}, path)
        created = await create_in_form(browser, "for tom only", recipient="tom@example.com")
        metadata_key = created.headers["location"].rsplit("/", 1)[1]
        mail = (await sink.received(2))[1]
        assert mail.rcpt_tos == ["tom@example.com"]
        assert mail.message["Subject"] == f"{EMAIL} sent you a secret"
        assert mail.message["Reply-To"] == EMAIL
        assert "for tom only" not in mail.raw.decode()
        link = re.search(re.escape(BASE_URL) + r"/secret/[a-z0-9]{31}", text_of(mail))
        assert link
        revealed = await browser.post(f"/api/v1/secret/{link.group(0).rsplit('/', 1)[1]}")
        assert revealed.json()["value"] == "for tom only"
        dashboard = (await browser.get("/dashboard")).text
        entry = dashboard[dashboard.index(f'id="entry-{metadata_key}"') :]
        assert "to*****@e*****.com (email sent)" in entry[: entry.index("</li>")]
        assert "tom@example.com" not in dashboard


async def test_asking_again_sends_a_new_link_and_the_old_one_stops_working(
    settings: Settings, redis: Redis, sink: SmtpSink
) -> None:
    async with serve(mail_settings(settings, sink.url)) as (_, browser):
        await sign_up_ok(browser)
        old = confirm_path((await sink.received(1))[0])
        response = await post_form(browser, "/account/confirm", {}, "/account")
        assert response.status_code == 200
        assert "we have just sent a link" in response.text
        new = confirm_path((await sink.received(2))[1])
        assert new != old
        assert (await post_form(browser, old, {}, old)).status_code == 422
        assert (await post_form(browser, new, {}, new)).status_code == 200
        assert len([key async for key in redis.scan_iter("ots:verify:*")]) == 0


async def test_confirmation_emails_are_limited_per_account(settings: Settings, redis: Redis, sink: SmtpSink) -> None:
    async with serve(mail_settings(settings, sink.url)) as (_, browser):
        await sign_up_ok(browser)
        for _ in range(5):
            assert (await post_form(browser, "/account/confirm", {}, "/account")).status_code == 200
        limited = await post_form(browser, "/account/confirm", {}, "/account")
        assert limited.status_code == 429
        assert "Too many confirmation emails. Please try again in an hour." in limited.text


async def test_deleting_an_account_drops_its_queued_emails(settings: Settings, redis: Redis) -> None:
    down = f"smtp://127.0.0.1:{free_port()}"  # nothing listens: every email stays queued
    patient = dataclasses.replace(FAST, first_delay=60.0)  # one failed try, then a long wait
    async with serve(mail_settings(settings, down, patient)) as (_, browser):
        await sign_up_ok(browser)
        [entry] = [key async for key in redis.scan_iter("ots:outbox:{mail}:*")]
        link = (await redis.hget(entry, "url") or b"").decode()
        path = link.removeprefix(BASE_URL)
        assert (await post_form(browser, path, {}, path)).status_code == 200
        created = await create_in_form(browser, "never sent", recipient="tom@example.com")
        metadata_key = created.headers["location"].rsplit("/", 1)[1]
        assert await redis.zcard(OUTBOX) == 1  # the link (the confirmation went once used)

        await post_form(browser, "/account/delete", {"password": PASSWORD}, "/account")
        assert [key async for key in redis.scan_iter("ots:outbox:{mail}:*")] == []
        assert await redis.zcard(OUTBOX) == 0
        everything = [key async for key in redis.scan_iter("*")]
        for key in everything:
            kind = (await redis.type(key)).decode()
            value = await redis.hgetall(key) if kind == "hash" else await redis.get(key) if kind == "string" else ""
            assert b"alice" not in key
            assert "alice" not in repr(value)
        receipt = (await browser.get(f"/api/v1/private/{metadata_key}")).json()
        assert receipt["delivery"]["state"] == "failed"


async def test_no_password_session_id_token_or_link_reaches_a_log_or_a_url(
    settings: Settings, redis: Redis, sink: SmtpSink
) -> None:
    collect = CollectedLogs()
    async with serve(mail_settings(settings, sink.url)) as (_, browser):
        with collect:
            await sign_up(browser)
            signed_up = await browser.get("/account")
            token = api_token(signed_up.text)
            session_id = session_cookie(browser)
            path = confirm_path((await sink.received(1))[0])
            await post_form(browser, path, {}, path)
            await sign_in(browser, EMAIL, "a wrong password here")
            signed_in = await sign_in(browser)
            rotated = await post_form(browser, "/account/token", {}, "/account")
            new_token = api_token((await browser.get("/account")).text)
            deleted = await post_form(browser, "/account/delete", {"password": PASSWORD}, "/account")
    assert session_id
    server_log = "\n".join(collect.server_messages())
    assert "POST /account/confirm/" in server_log
    for never in (PASSWORD, "a wrong password here", token, new_token, session_id, path.rsplit("/", 1)[1]):
        assert never not in server_log
    for response in (signed_up, signed_in, rotated, deleted):
        assert all(never not in str(response.url) for never in (PASSWORD, token, session_id))
    assert signed_in.headers["location"] == "/dashboard"
