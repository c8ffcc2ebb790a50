"""Forgot password: a single-use, 30-minute link by email that sets a new password and ends every session.

A real SMTP server on loopback (aiosmtpd), the real app and a real Redis.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import Iterator

import httpx
import pytest
from redis.asyncio import Redis

from onetime.mail.config import MailDelivery
from onetime.settings import Settings
from tests.support.accounts import EMAIL, PASSWORD, post_form, sign_in, sign_up_ok, signed_in_as
from tests.support.api import BASE_URL, create_account, peer_client, serve
from tests.support.logs import CollectedLogs
from tests.support.pages import csrf_token
from tests.support.smtp_server import Received, SmtpSink

FAST = MailDelivery(attempts=3, first_delay=0.2, max_delay=1.0, poll=0.05, send_timeout=3.0, lease=10.0)
RESET_LINK = re.compile(re.escape(BASE_URL) + r"(/signin/reset/([a-z0-9]{31}))")
NEW_PASSWORD = "copper kettle over quiet hills"
SENT_PAGE = "/signin/forgot/sent"


def mail_settings(settings: Settings, smtp_url: str) -> Settings:
    """Settings with mail on, sent to `smtp_url`, retried fast."""
    return dataclasses.replace(settings, smtp_url=smtp_url, mail_from="noreply@example.com", mail_delivery=FAST)


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as server:
        yield server


def reset_link(mail: Received) -> tuple[str, str]:
    """Return the path and the token of the reset link a message carries."""
    part = mail.message.get_body(("plain",))
    assert part is not None
    found = RESET_LINK.search(str(part.get_content()))
    assert found, part.get_content()
    return found.group(1), found.group(2)


async def ask_for_link(client: httpx.AsyncClient, email: str) -> httpx.Response:
    """Post the forgot-password form."""
    return await post_form(client, "/signin/forgot", {"email": email}, "/signin/forgot")


async def choose_password(client: httpx.AsyncClient, path: str, password: str) -> httpx.Response:
    """Post a reset link's form."""
    return await post_form(client, path, {"password": password}, "/signin/forgot")


async def all_of_redis(redis: Redis) -> bytes:
    """Return every key and string value in Redis, joined (to look for a token in it)."""
    found = b""
    async for key in redis.scan_iter("*"):
        found += key
        if await redis.type(key) == b"string":
            found += await redis.get(key) or b""
    return found


async def test_a_reset_link_sets_a_new_password_once_and_signs_everyone_else_out(
    settings: Settings, redis: Redis, sink: SmtpSink
) -> None:
    collect = CollectedLogs()
    async with serve(mail_settings(settings, sink.url)) as (app, first):
        with collect:
            await sign_up_ok(first)
            await sink.received(1)  # the address confirmation
            async with peer_client(app, "198.51.100.2") as second, peer_client(app, "198.51.100.3") as forgetful:
                assert (await sign_in(second)).status_code == 303
                assert "Forgot your password?" in (await forgetful.get("/signin")).text

                asked = await ask_for_link(forgetful, EMAIL)
                assert asked.status_code == 303
                assert asked.headers["location"] == SENT_PAGE
                assert "If an account exists for that address" in (await forgetful.get(SENT_PAGE)).text
                mail = (await sink.received(2))[1]
                assert mail.rcpt_tos == [EMAIL]
                assert mail.message["Subject"] == "Choose a new password"
                assert mail.message["Reply-To"] is None
                path, token = reset_link(mail)
                assert token.encode() not in await all_of_redis(redis)  # only its digest is stored

                opened = await forgetful.get(path)  # a GET (a mail scanner) uses nothing
                assert opened.status_code == 200
                assert "Choose a new password" in opened.text
                assert opened.headers["cache-control"] == "no-store"
                weak = await choose_password(forgetful, path, "password")
                assert weak.status_code == 422  # the sign-up rules; the link still works
                done = await choose_password(forgetful, path, NEW_PASSWORD)
                assert done.status_code == 303
                assert done.headers["location"] == "/signin/password-changed"
                assert signed_in_as((await forgetful.get("/dashboard")).text) == EMAIL

                for other in (first, second):  # every other session has ended
                    assert (await other.get("/dashboard")).headers["location"].startswith("/signin")
                assert (await sign_in(second)).status_code == 422  # the old password is refused
                assert (await sign_in(second, password=NEW_PASSWORD)).status_code == 303

                again = await choose_password(forgetful, path, "another fine password to try")
                assert again.status_code == 422
                assert "no longer valid" in again.text
                assert "Ask for a new link" in again.text
                assert (await forgetful.get(path)).status_code == 404
    logged = "\n".join(collect.server_messages())
    assert "/signin/reset/" in logged
    for never in (token, NEW_PASSWORD, PASSWORD):
        assert never not in logged
    assert await redis.hget("ots:customer:{alice@example.com}", "verified") == b"1"


async def test_the_answer_never_tells_whether_an_email_has_an_account(
    settings: Settings, redis: Redis, sink: SmtpSink
) -> None:
    app_settings = mail_settings(settings, sink.url)
    await create_account(redis, app_settings, "api-only@example.com")  # no password: no link either
    async with serve(app_settings) as (_, browser):
        await sign_up_ok(browser)
        await sink.received(1)
        answers = [
            await ask_for_link(browser, email) for email in (EMAIL, "nobody@example.com", "api-only@example.com")
        ]
        assert {(answer.status_code, answer.headers["location"], answer.text) for answer in answers} == {
            (303, SENT_PAGE, "")
        }
        await sink.received(2)
        await asyncio.sleep(0.5)
        assert [mail.rcpt_tos for mail in sink.messages[1:]] == [[EMAIL]]
        # The same writes either way: a record for each request, of which only one names an account.
        assert len([key async for key in redis.scan_iter("ots:recover:*")]) == 3


async def test_an_expired_link_is_refused(settings: Settings, redis: Redis, sink: SmtpSink) -> None:
    async with serve(mail_settings(settings, sink.url)) as (_, browser):
        await sign_up_ok(browser)
        await ask_for_link(browser, EMAIL)
        path, _ = reset_link((await sink.received(2))[1])
        [record] = [key async for key in redis.scan_iter("ots:recover:{*")]
        assert 29 * 60 < await redis.ttl(record) <= 30 * 60
        await redis.pexpire(record, 1)
        await asyncio.sleep(0.05)
        assert (await browser.get(path)).status_code == 404
        refused = await choose_password(browser, path, NEW_PASSWORD)
        assert refused.status_code == 422
        assert "no longer valid" in refused.text
        assert (await sign_in(browser, password=PASSWORD)).status_code == 303


async def test_one_link_used_many_times_at_once_works_once(settings: Settings, redis: Redis, sink: SmtpSink) -> None:
    async with serve(mail_settings(settings, sink.url)) as (app, browser):
        await sign_up_ok(browser)
        await ask_for_link(browser, EMAIL)
        path, _ = reset_link((await sink.received(2))[1])
        clients = [peer_client(app, f"198.51.100.{n}") for n in range(10, 18)]
        try:
            answers = await asyncio.gather(*(choose_password(c, path, NEW_PASSWORD) for c in clients))
        finally:
            for client in clients:
                await client.aclose()
        assert sorted(answer.status_code for answer in answers) == [303] + [422] * 7
        assert len([key async for key in redis.scan_iter("ots:session:*")]) == 1


async def test_requests_are_limited_per_email_and_per_address_even_at_once(
    settings: Settings, redis: Redis, sink: SmtpSink
) -> None:
    async with serve(mail_settings(settings, sink.url)) as (app, browser):
        await sign_up_ok(browser)
        await sink.received(1)
        token = await csrf_token(browser, "/signin/forgot")  # type: ignore[arg-type]
        answers = await asyncio.gather(*(_ask(browser, EMAIL, token) for _ in range(12)))
        assert sorted(answer.status_code for answer in answers) == [303] * 3 + [429] * 9
        limited = next(answer for answer in answers if answer.status_code == 429)
        assert "Too many password reset requests. Please try again in 60 minutes." in limited.text
        await sink.received(4)
        await asyncio.sleep(0.5)
        assert len(sink.messages) == 4  # the confirmation and three links

        async with peer_client(app, "198.51.100.40") as office:
            token = await csrf_token(office, "/signin/forgot")  # type: ignore[arg-type]
            emails = [f"person{n}@example.com" for n in range(14)]
            answers = await asyncio.gather(*(_ask(office, email, token) for email in emails))
        assert sorted(answer.status_code for answer in answers) == [303] * 10 + [429] * 4


async def _ask(client: httpx.AsyncClient, email: str, csrf: str) -> httpx.Response:
    return await client.post("/signin/forgot", data={"email": email, "_csrf_token": csrf})


async def test_without_mail_the_page_says_so(settings: Settings) -> None:
    async with serve(settings) as (_, browser):
        page = await browser.get("/signin/forgot")
        assert page.status_code == 200
        assert "This server sends no email" in page.text
        refused = await post_form(browser, "/signin/forgot", {"email": EMAIL}, "/signin")
        assert refused.status_code == 422
        assert "This server sends no email" in refused.text


async def test_deleting_the_account_ends_its_pending_links_and_their_emails(
    settings: Settings, redis: Redis, sink: SmtpSink
) -> None:
    async with serve(mail_settings(settings, sink.url)) as (_, browser):
        await sign_up_ok(browser)
        await sink.received(1)
        await ask_for_link(browser, EMAIL)
        record = [key async for key in redis.scan_iter("ots:recover:{*")]
        assert len(record) == 1
        deleted = await post_form(browser, "/account/delete", {"password": PASSWORD}, "/account")
        assert deleted.status_code == 303
        assert [key async for key in redis.scan_iter("ots:recover*")] == []
        assert [key async for key in redis.scan_iter("ots:outbox:{mail}:recover-*")] == []
        assert EMAIL.encode() not in await all_of_redis(redis)


async def test_the_recovery_pages_answer_head_like_get(settings: Settings, sink: SmtpSink) -> None:
    async with serve(mail_settings(settings, sink.url)) as (_, browser):
        for path in ("/signin/forgot", SENT_PAGE, "/signin/password-changed"):
            head = await browser.head(path)
            assert head.status_code == 200, path
            assert head.content == b""
