"""Sign-ups per client address, and the lifetime of accounts never confirmed."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from redis.asyncio import Redis

from onetime.accounts.confirmation import CONFIRMATION_SECONDS, UNCONFIRMED_ACCOUNT_SECONDS
from onetime.settings import RequestLimit, Settings
from tests.conftest import with_settings
from tests.integration.accounts.test_confirm import confirm_path, mail_settings
from tests.support.accounts import EMAIL, PASSWORD, post_form, sign_out, sign_up, sign_up_ok
from tests.support.api import create_account, serve
from tests.support.hashing import CountingHasher
from tests.support.smtp_server import SmtpSink

CUSTOMER = "ots:customer:{alice@example.com}"


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as server:
        yield server


async def test_sign_ups_sent_at_once_from_one_address_stop_at_the_limit(settings: Settings, redis: Redis) -> None:
    settings = with_settings(settings, limit_signup=RequestLimit(5, 3600))
    async with serve(settings, peer="203.0.113.7") as (app, browser):
        hasher = CountingHasher(app.state.services.sign_in_service.hasher)
        app.state.services.sign_in_service.hasher = hasher
        answers = await asyncio.gather(*(sign_up(browser, f"user{n}@example.com") for n in range(10)))
        statuses = [answer.status_code for answer in answers]
        assert statuses.count(303) == 5
        assert statuses.count(429) == 5
        assert "Too many new accounts from your address. Please try again later." in answers[statuses.index(429)].text
        assert hasher.hashed == 5  # refused before bcrypt runs
        assert len([key async for key in redis.scan_iter("ots:customer:*")]) == 5
        assert 3600 - 5 <= await redis.ttl("ots:limit:{203.0.113.7}:signup") <= 3600
    async with serve(settings, peer="203.0.113.8") as (_, elsewhere):
        assert (await sign_up(elsewhere, "someone@example.com")).status_code == 303  # other addresses may


async def test_without_mail_browser_accounts_do_not_expire(settings: Settings, redis: Redis) -> None:
    async with serve(settings) as (_, browser):
        await sign_up_ok(browser)
        assert await redis.ttl(CUSTOMER) == -1  # nobody could confirm it


async def test_with_mail_an_unconfirmed_account_expires_and_confirming_keeps_it(
    settings: Settings, redis: Redis, sink: SmtpSink
) -> None:
    async with serve(mail_settings(settings, sink.url)) as (_, browser):
        await sign_up_ok(browser)
        assert UNCONFIRMED_ACCOUNT_SECONDS - 5 <= await redis.ttl(CUSTOMER) <= UNCONFIRMED_ACCOUNT_SECONDS
        [mail] = await sink.received(1)
        path = confirm_path(mail)
        assert (await post_form(browser, path, {}, path)).status_code == 200
        assert await redis.ttl(CUSTOMER) == -1


async def test_a_new_link_keeps_an_unconfirmed_account_at_least_as_long_as_the_link(
    settings: Settings, redis: Redis, sink: SmtpSink
) -> None:
    async with serve(mail_settings(settings, sink.url)) as (_, browser):
        await sign_up_ok(browser)
        await redis.expire(CUSTOMER, 60)  # nearly at the end of its week
        assert (await post_form(browser, "/account/confirm", {}, "/account")).status_code in {200, 303}
        assert CONFIRMATION_SECONDS - 5 <= await redis.ttl(CUSTOMER) <= CONFIRMATION_SECONDS


async def test_an_expired_unconfirmed_account_signs_out_and_its_email_can_sign_up_again(
    settings: Settings, redis: Redis, sink: SmtpSink
) -> None:
    async with serve(mail_settings(settings, sink.url)) as (_, browser):
        await sign_up_ok(browser)
        await redis.delete(CUSTOMER)  # what its TTL does in the end
        assert EMAIL not in (await browser.get("/")).text
        await sign_out(browser)
        await sign_up_ok(browser, EMAIL, PASSWORD)


async def test_accounts_made_with_the_cli_never_expire_even_with_mail(
    settings: Settings, redis: Redis, sink: SmtpSink
) -> None:
    await create_account(redis, mail_settings(settings, sink.url), EMAIL)
    assert await redis.ttl(CUSTOMER) == -1
