"""Accounts in the browser: sign up, sign in and out, sessions, and the sign-in limits."""

from __future__ import annotations

import re
import time

import bcrypt
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from onetime.accounts.signin import SIGNIN_FAILURES, SIGNIN_FAILURES_PER_ADDRESS
from onetime.settings import Settings
from tests.support.accounts import (
    EMAIL,
    PASSWORD,
    api_token,
    post_form,
    session_cookie,
    session_keys,
    sign_in,
    sign_out,
    sign_up,
    sign_up_ok,
    signed_in_as,
)
from tests.support.api import basic_auth, create_account, serve
from tests.support.pages import HTMX, main_of

SIGN_UP_REFUSED = "No new account was created with these details. If you already have an account, sign in instead."
WRONG_CREDENTIALS = "The email or password is not right."


def alert(html: str) -> str | None:
    """Return the form-level message of a page, if it shows one."""
    found = re.search(r'<p class="alert"[^>]*>([^<]+)</p>', html)
    return found.group(1) if found else None


def field_error(html: str, field: str) -> str | None:
    """Return the message shown under a field, if any."""
    found = re.search(rf'<p class="field-error" id="{field}-error">([^<]+)</p>', html)
    return found.group(1).replace("&#39;", "'") if found else None


async def test_sign_up_creates_the_api_account_signs_in_and_shows_the_token_once(
    client: AsyncTestClient, redis: Redis
) -> None:
    response = await sign_up(client, "Alice@Example.com")
    assert response.status_code == 303  # a reload of the next page never posts the form again
    assert response.headers["location"] == "/account"
    assert response.headers["cache-control"] == "no-store"
    cookie = response.headers.get_list("set-cookie")[0]
    assert cookie.startswith("__Host-ots_session=")
    assert "HttpOnly" in cookie
    assert "Secure" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/" in cookie
    shown = await client.get("/account")
    token = api_token(shown.text)
    assert "Shown only this once" in shown.text
    assert signed_in_as(shown.text) == "alice@example.com"

    customer = {k.decode(): v.decode() for k, v in (await redis.hgetall("ots:customer:{alice@example.com}")).items()}
    assert customer["plan"] == "basic"
    assert customer["password"].startswith("$2b$")
    assert PASSWORD not in str(customer)
    assert token not in str(customer)
    authcheck = await client.get("/api/v1/authcheck", headers=basic_auth("alice@example.com", token))
    assert authcheck.status_code == 200

    account = await client.get("/account")
    assert account.status_code == 200
    assert token not in account.text
    assert "Your API token is hidden" in account.text


async def test_pages_offer_sign_in_when_signed_out_and_the_email_when_signed_in(client: AsyncTestClient) -> None:
    home = (await client.get("/")).text
    assert signed_in_as(home) is None
    assert 'href="/signin"' in home
    assert 'href="/signup"' in home
    await sign_up_ok(client)
    home = (await client.get("/")).text
    assert signed_in_as(home) == EMAIL
    assert '<form method="post" action="/signout">' in home
    assert 'href="/signin"' not in home


async def test_sign_up_refuses_weak_passwords_next_to_the_field(client: AsyncTestClient, redis: Redis) -> None:
    cases = {
        "short pass": "Choose a password of at least 12 characters.",
        "Qwerty123456": "This password is one of the most common ones. Choose another.",
        "correct horse battery staple": "This password is one of the most common ones. Choose another.",
        "Alice@example.com": "Do not use your email address as your password.",
        "x" * 1025: "Choose a password of at most 1024 characters.",
    }
    for password, message in cases.items():
        response = await sign_up(client, EMAIL, password.replace(" ", "") if "horse" in password else password)
        assert response.status_code == 422, password
        assert field_error(response.text, "password") == message
        assert password not in response.text
    assert await redis.exists("ots:customer:{alice@example.com}") == 0
    assert session_cookie(client) is None


async def test_sign_up_refuses_an_address_that_cannot_receive_mail(client: AsyncTestClient) -> None:
    response = await sign_up(client, "not an address")
    assert response.status_code == 422
    assert field_error(response.text, "email") == "Not a valid email address: not an address"
    assert 'value="not an address"' in response.text  # drawn again as typed


async def test_sign_up_with_a_taken_email_is_refused_without_saying_so(
    client: AsyncTestClient, redis: Redis, settings: Settings
) -> None:
    await create_account(redis, settings, "bob@example.com")  # an API account, made with the CLI
    await sign_up_ok(client)
    await sign_out(client)
    before = await redis.hgetall("ots:customer:{alice@example.com}")
    for email in ("alice@example.com", "bob@example.com"):
        response = await sign_up(client, email, "another long password here")
        assert response.status_code == 422
        assert alert(response.text) == SIGN_UP_REFUSED
        assert "exist" not in main_of(response.text)
        assert "set-cookie" not in response.headers or "ots_session" not in response.headers["set-cookie"]
    assert await redis.hgetall("ots:customer:{alice@example.com}") == before


async def test_sign_in_goes_to_the_dashboard_under_a_new_session_id(client: AsyncTestClient, redis: Redis) -> None:
    await sign_up_ok(client)
    first = session_cookie(client)
    response = await sign_in(client)
    assert response.status_code == 303
    assert response.headers["location"] == "/dashboard"
    second = session_cookie(client)
    assert second
    assert second != first
    assert len(await session_keys(redis)) == 1  # the session signed in over was ended
    dashboard = await client.get("/dashboard")
    assert dashboard.status_code == 200
    assert signed_in_as(dashboard.text) == EMAIL


async def test_a_session_id_planted_before_sign_in_is_worth_nothing_after(client: AsyncTestClient) -> None:
    await sign_up_ok(client)
    planted = session_cookie(client)
    assert planted
    await sign_in(client)
    client.cookies.set("__Host-ots_session", planted, domain="secrets.example.com")
    response = await client.get("/dashboard", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/signin"


async def test_redis_holds_only_a_digest_of_the_session_id(client: AsyncTestClient, redis: Redis) -> None:
    await sign_up_ok(client)
    session_id = session_cookie(client)
    assert session_id
    [key] = await session_keys(redis)
    assert session_id not in key.decode()
    assert session_id.encode() not in b"".join(await redis.hvals(key))


async def test_wrong_password_and_unknown_email_fail_alike(client: AsyncTestClient, settings: Settings) -> None:
    await sign_up_ok(client)
    await sign_out(client)
    answers = []
    attempts = [(EMAIL, "not the password at all"), ("nobody@example.com", PASSWORD), ("junk", "xylophone-quartz")]
    for email, password in attempts:
        response = await sign_in(client, email, password)
        answers.append((response.status_code, alert(response.text)))
        assert 'value="' + email + '"' in response.text
        assert password not in response.text
    assert answers == [(422, WRONG_CREDENTIALS)] * 3
    assert session_cookie(client) is None


async def test_an_api_only_account_cannot_sign_in(client: AsyncTestClient, redis: Redis, settings: Settings) -> None:
    await create_account(redis, settings, "bob@example.com")
    response = await sign_in(client, "bob@example.com", "")
    assert response.status_code == 422
    assert alert(response.text) == WRONG_CREDENTIALS


async def test_sign_out_ends_the_session_for_good(client: AsyncTestClient, redis: Redis) -> None:
    await sign_up_ok(client)
    old = session_cookie(client)
    assert old
    response = await sign_out(client)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert "Max-Age=0" in response.headers["set-cookie"]
    assert session_cookie(client) is None
    assert await session_keys(redis) == []
    client.cookies.set("__Host-ots_session", old, domain="secrets.example.com")  # replaying the old cookie
    response = await client.get("/account", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/signin?next=%2Faccount"


async def test_sign_out_without_a_csrf_token_is_refused(client: AsyncTestClient, redis: Redis) -> None:
    await sign_up_ok(client)
    response = await client.post("/signout", follow_redirects=False)
    assert response.status_code == 403
    assert len(await session_keys(redis)) == 1


async def test_sign_in_and_sign_up_need_the_csrf_token(client: AsyncTestClient, redis: Redis) -> None:
    await client.get("/signin")
    for path in ("/signin", "/signup"):
        response = await client.post(path, data={"email": EMAIL, "password": PASSWORD}, follow_redirects=False)
        assert response.status_code == 403
    assert await redis.exists("ots:customer:{alice@example.com}") == 0


async def test_signed_in_pages_send_others_to_sign_in(client: AsyncTestClient) -> None:
    for path, sign_in_path in (("/dashboard", "/signin"), ("/account", "/signin?next=%2Faccount")):
        response = await client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == sign_in_path
        htmx = await client.get(path, headers=HTMX, follow_redirects=False)
        assert htmx.status_code == 200
        assert htmx.headers["hx-redirect"] == sign_in_path
    rotate = await post_form(client, "/account/token", {})
    assert rotate.status_code == 303
    assert rotate.headers["location"] == "/signin"


async def test_signed_in_visitors_of_sign_in_and_sign_up_go_to_the_dashboard(client: AsyncTestClient) -> None:
    await sign_up_ok(client)
    for path in ("/signin", "/signup"):
        response = await client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/dashboard"


async def test_a_session_ends_after_idle_time_and_use_keeps_it_alive(client: AsyncTestClient, redis: Redis) -> None:
    await sign_up_ok(client)
    [key] = await session_keys(redis)
    assert 2 * 3600 - 5 <= await redis.ttl(key) <= 2 * 3600
    await redis.expire(key, 100)
    assert (await client.get("/dashboard")).status_code == 200
    assert await redis.ttl(key) > 2 * 3600 - 5  # using the session pushed its expiry back
    await redis.pexpire(key, 1)
    time.sleep(0.01)
    response = await client.get("/dashboard", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/signin"
    assert signed_in_as((await client.get("/")).text) is None


async def test_a_session_ends_after_its_lifetime_even_when_used(client: AsyncTestClient, redis: Redis) -> None:
    await sign_up_ok(client)
    [key] = await session_keys(redis)
    await redis.hset(key, "c", str(int(time.time()) - 24 * 3600))
    response = await client.get("/dashboard", follow_redirects=False)
    assert response.status_code == 303
    assert await session_keys(redis) == []


async def test_five_failed_sign_ins_lock_the_account_for_twenty_minutes(settings: Settings, redis: Redis) -> None:
    async with serve(settings, peer="203.0.113.1") as (_, first), serve(settings, peer="203.0.113.2") as (_, second):
        await sign_up_ok(first)
        await sign_out(first)
        for attempt in range(4):
            response = await sign_in(second, EMAIL, f"wrong password number {attempt}")
            assert response.status_code == 422
        fifth = await sign_in(second, EMAIL, "wrong password number 5")
        assert fifth.status_code == 429
        assert alert(fifth.text) == "Too many failed attempts. Try again in 20 minutes."
        # The account is locked from every address, with the right password too.
        locked = await sign_in(first, EMAIL, PASSWORD)
        assert locked.status_code == 429
        assert session_cookie(first) is None
        counter = "ots:signin:{account}:alice@example.com"
        assert 20 * 60 - 5 <= await redis.ttl(counter) <= 20 * 60
        await redis.expire(counter, 1)
        time.sleep(1.1)
        assert (await sign_in(first, EMAIL, PASSWORD)).status_code == 303


async def test_twenty_failed_sign_ins_lock_the_client_address(settings: Settings, redis: Redis) -> None:
    async with serve(settings, peer="203.0.113.1") as (_, owner), serve(settings, peer="203.0.113.9") as (_, guesser):
        await sign_up_ok(owner)
        for attempt in range(SIGNIN_FAILURES_PER_ADDRESS):
            await sign_in(guesser, f"user{attempt}@example.com", "some password guess")
        locked = await sign_in(guesser, EMAIL, PASSWORD)  # right credentials, from the locked address
        assert locked.status_code == 429
        assert alert(locked.text) == "Too many failed attempts. Try again in 20 minutes."
        assert await redis.exists("ots:signin:{client}:203.0.113.9") == 1
        assert (await sign_in(owner, EMAIL, PASSWORD)).status_code == 303  # other addresses are not locked


async def test_unknown_emails_lock_like_known_ones(settings: Settings, redis: Redis) -> None:
    async with serve(settings, peer="203.0.113.1") as (_, first), serve(settings, peer="203.0.113.2") as (_, second):
        for attempt in range(3):
            await sign_in(first, "nobody@example.com", f"guess {attempt}")
        for attempt in range(2):
            response = await sign_in(second, "nobody@example.com", f"guess {attempt}")
        assert response.status_code == 429
        assert alert(response.text) == "Too many failed attempts. Try again in 20 minutes."


async def test_a_successful_sign_in_clears_the_account_failures(settings: Settings, redis: Redis) -> None:
    async with serve(settings, peer="203.0.113.1") as (_, browser):
        await sign_up_ok(browser)
        for attempt in range(4):
            await sign_in(browser, EMAIL, f"typo {attempt}")
        assert (await sign_in(browser, EMAIL, PASSWORD)).status_code == 303
        assert await redis.exists("ots:signin:{account}:alice@example.com") == 0


async def test_sign_ups_of_taken_emails_are_bounded_by_the_sign_up_limit_and_lock_no_sign_in(
    settings: Settings, redis: Redis
) -> None:
    async with serve(settings, peer="203.0.113.1") as (_, owner), serve(settings, peer="203.0.113.5") as (_, prober):
        await sign_up_ok(owner)
        await sign_out(owner)
        for _ in range(5):  # the sign-up limit: 5 an hour per address
            assert (await sign_up(prober, EMAIL, "a long password to probe")).status_code == 422
        response = await sign_up(prober, "fresh@example.com", "a long password to probe")
        assert response.status_code == 429
        assert alert(response.text) == "Too many new accounts from your address. Please try again later."
        assert not await redis.exists("ots:signin:{client}:203.0.113.5")


async def test_ordinary_mistakes_from_one_office_address_lock_nobody_out(settings: Settings, redis: Redis) -> None:
    """One wrong sign-in, one sign-up with a taken email, one wrong password on delete: all from one address."""
    async with serve(settings, peer="203.0.113.1") as (_, alice), serve(settings, peer="203.0.113.1") as (_, bob):
        await sign_up_ok(alice)
        assert (await sign_up(bob, EMAIL, "bob typed the wrong form")).status_code == 422
        await sign_up_ok(bob, "bob@example.com")
        wrong = await post_form(bob, "/account/delete", {"password": "not bob's password"}, "/account")
        assert wrong.status_code == 422
        await sign_out(alice)
        for attempt in range(SIGNIN_FAILURES - 1):
            assert (await sign_in(alice, EMAIL, f"alice's typo {attempt}")).status_code == 422
        assert (await sign_in(alice, EMAIL, PASSWORD)).status_code == 303
        await sign_out(bob)
        assert (await sign_in(bob, "bob@example.com", PASSWORD)).status_code == 303
        assert int(await redis.get("ots:signin:{client}:203.0.113.1") or 0) < SIGNIN_FAILURES


async def test_passwords_are_checked_with_bcrypt_at_the_configured_cost(client: AsyncTestClient, redis: Redis) -> None:
    await sign_up_ok(client)
    stored = await redis.hget("ots:customer:{alice@example.com}", "password")
    assert stored is not None
    assert stored.startswith(b"$2b$04$")  # the test settings' cost
    assert not bcrypt.checkpw(b"wrong", stored)
