"""The sign-in limits under concurrency: attempts are counted before bcrypt runs."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

import httpx
from litestar import Litestar
from redis.asyncio import Redis

from onetime import metrics
from onetime.accounts.signin import SIGNIN_FAILURES, SIGNIN_FAILURES_PER_ADDRESS
from onetime.crypto import PassphraseHasher
from onetime.settings import Settings
from tests.support.accounts import EMAIL, PASSWORD, post_form, session_cookie, sign_in, sign_out, sign_up_ok
from tests.support.api import peer_client, serve
from tests.support.hashing import CountingHasher
from tests.support.metrics import moved, parse, sample


def count_verifications(app: Litestar) -> CountingHasher:
    """Wrap the sign-in service's hasher of `app` so that a test can count its bcrypt checks."""
    service = app.state.services.sign_in_service
    hasher = CountingHasher(service.hasher)
    service.hasher = hasher
    return hasher


async def test_parallel_guesses_at_one_account_run_bcrypt_at_most_the_limit(settings: Settings, redis: Redis) -> None:
    async with serve(settings, peer="203.0.113.1") as (app, owner), AsyncExitStack() as stack:
        await sign_up_ok(owner)
        hasher = count_verifications(app)
        # Sixteen addresses, so that only the account's own limit stands in the way.
        guessers = [await stack.enter_async_context(peer_client(app, f"198.51.100.{n}")) for n in range(16)]
        passwords = [f"wrong guess number {n}" for n in range(15)] + [PASSWORD]
        attempts = zip(guessers, passwords, strict=True)
        answers = await asyncio.gather(*(sign_in(http, EMAIL, password) for http, password in attempts))
        assert hasher.verified <= SIGNIN_FAILURES
        statuses = [answer.status_code for answer in answers]
        assert statuses.count(429) >= len(answers) - SIGNIN_FAILURES
        assert "Too many failed attempts. Try again in 20 minutes." in answers[statuses.index(429)].text
        if statuses[-1] != 303:  # the right password was not among the attempts checked
            assert [http for http in guessers if session_cookie(http)] == []


async def test_parallel_guesses_from_one_address_run_bcrypt_at_most_the_limit(settings: Settings, redis: Redis) -> None:
    async with serve(settings, peer="203.0.113.1") as (app, owner), serve(settings, peer="203.0.113.9") as (_, guesser):
        await sign_up_ok(owner)
        hasher = count_verifications(app)
        emails = [f"user{n}@example.com" for n in range(31)] + [EMAIL]
        answers = await asyncio.gather(*(sign_in(guesser, email, "some password guess") for email in emails))
        assert hasher.verified <= SIGNIN_FAILURES_PER_ADDRESS
        statuses = [answer.status_code for answer in answers]
        assert statuses.count(429) >= len(answers) - SIGNIN_FAILURES_PER_ADDRESS
        # Checks past the bcrypt queue bound are refused unchecked and not counted, so at most the limit.
        assert 0 < int(await redis.get("ots:signin:{client}:203.0.113.9") or 0) <= SIGNIN_FAILURES_PER_ADDRESS


async def test_parallel_wrong_passwords_for_deletion_run_bcrypt_at_most_the_limit(
    settings: Settings, redis: Redis
) -> None:
    async with serve(settings, peer="203.0.113.1") as (app, browser):
        await sign_up_ok(browser)
        hasher = count_verifications(app)
        answers = await asyncio.gather(
            *(post_form(browser, "/account/delete", {"password": f"not it {n}"}, "/account") for n in range(15)),
            post_form(browser, "/account/delete", {"password": PASSWORD}, "/account"),
        )
        assert hasher.verified <= SIGNIN_FAILURES
        assert [answer.status_code for answer in answers].count(429) >= len(answers) - SIGNIN_FAILURES


async def test_successful_sign_ins_give_their_attempt_back(settings: Settings, redis: Redis) -> None:
    async with serve(settings, peer="203.0.113.1") as (_, browser):
        await sign_up_ok(browser)
        for _ in range(SIGNIN_FAILURES + 2):  # an office behind one address signs in all day
            response: httpx.Response = await sign_in(browser, EMAIL, PASSWORD)
            assert response.status_code == 303
        assert int(await redis.get("ots:signin:{client}:203.0.113.1") or 0) == 0


async def test_sign_ins_past_the_bcrypt_queue_bound_are_refused_and_not_counted(
    settings: Settings, redis: Redis
) -> None:
    async with serve(settings, peer="203.0.113.1") as (app, browser):
        await sign_up_ok(browser)
        service = app.state.services.sign_in_service
        service.hasher = PassphraseHasher(settings.bcrypt_cost, "test-full", max_waiting=0, hash_in_lane=True)
        response = await sign_in(browser, EMAIL, PASSWORD)
        assert response.status_code == 429
        assert "Too many sign-ins right now. Please try again in a moment." in response.text
        assert int(await redis.get("ots:signin:{client}:203.0.113.1") or 0) == 0
        assert int(await redis.get("ots:signin:{account}:alice@example.com") or 0) == 0
        await sign_out(browser)  # signed in, the sign-up form only leads to the dashboard
        refused = await post_form(browser, "/signup", {"email": "bob@example.com", "password": PASSWORD})
        assert refused.status_code == 429
        assert await redis.exists("ots:customer:{bob@example.com}") == 0


async def test_a_password_signs_in_whichever_unicode_form_is_typed(settings: Settings, redis: Redis) -> None:
    composed, decomposed = "Zürich Wölfe tanzen leise", "Zu\u0308rich Wo\u0308lfe tanzen leise"
    async with serve(settings, peer="203.0.113.1") as (_, browser):
        await sign_up_ok(browser, EMAIL, decomposed)
        assert (await sign_in(browser, EMAIL, composed)).status_code == 303


async def test_a_sign_in_refused_by_the_lockout_is_counted_as_a_lockout(settings: Settings, redis: Redis) -> None:
    lockouts = sample("ots_lockouts_total", kind="sign_in")
    before = parse(metrics.exposition().decode())
    async with serve(settings, peer="203.0.113.1") as (_, browser):
        await sign_up_ok(browser)
    async with serve(settings, peer="203.0.113.2") as (_, guesser):
        answers = [await sign_in(guesser, EMAIL, f"wrong guess {n}") for n in range(SIGNIN_FAILURES + 2)]
    refused = [answer for answer in answers if answer.status_code == 429]
    assert refused  # the lockout holds from the last allowed failure on
    assert moved(before, parse(metrics.exposition().decode()), lockouts) == len(refused)
