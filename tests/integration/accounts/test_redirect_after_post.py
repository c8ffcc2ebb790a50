"""Every successful account form answers with a redirect, so a reload never posts it again (issue 15)."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from tests.support.accounts import EMAIL, PASSWORD, api_token, post_form, sign_up

NEW_TOKEN_COOKIE = "__Host-ots_new_token"


async def test_sign_up_redirects_and_the_account_page_shows_the_token_once(client: AsyncTestClient) -> None:
    response = await sign_up(client)
    assert response.status_code == 303
    assert response.headers["location"] == "/account"
    token_cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(NEW_TOKEN_COOKIE))
    assert "HttpOnly" in token_cookie
    assert "Secure" in token_cookie
    assert "Max-Age=300" in token_cookie

    assert 'id="api-token"' not in (await client.head("/account")).text  # a HEAD consumes nothing
    first = await client.get("/account")
    token = api_token(first.text)
    assert token not in first.headers["set-cookie"]  # the waiting token is cleared
    again = await client.get("/account")  # a reload
    assert token not in again.text
    assert "Your API token is hidden" in again.text


async def test_posting_the_sign_up_form_again_while_signed_in_goes_to_the_dashboard(
    client: AsyncTestClient, redis: Redis
) -> None:
    assert (await sign_up(client)).status_code == 303
    again = await post_form(client, "/signup", {"email": EMAIL, "password": PASSWORD}, "/")
    assert again.status_code == 303
    assert again.headers["location"] == "/dashboard"
    assert "No new account was created" not in again.text
    assert not [key async for key in redis.scan_iter("ots:signin:*")]  # no failure counted anywhere


async def test_a_new_token_waits_only_for_the_session_that_made_it(client: AsyncTestClient) -> None:
    response = await sign_up(client)
    waiting = client.cookies.get(NEW_TOKEN_COOKIE)
    assert waiting
    token = waiting.partition(".")[0]
    assert token not in response.headers["location"]
    client.cookies.set(NEW_TOKEN_COOKIE, f"{token}.{'0' * 64}", domain="secrets.example.com")
    assert token not in (await client.get("/account")).text


async def test_rotating_the_token_redirects_and_a_reload_does_not_rotate_again(client: AsyncTestClient) -> None:
    assert (await sign_up(client)).status_code == 303
    first = api_token((await client.get("/account")).text)
    rotated = await post_form(client, "/account/token", {}, "/account")
    assert rotated.status_code == 303
    second = api_token((await client.get("/account")).text)
    assert second != first
    reloaded = await client.get("/account")
    assert "Your API token is hidden" in reloaded.text


async def test_deleting_the_account_redirects_to_a_page_that_says_so(client: AsyncTestClient) -> None:
    assert (await sign_up(client)).status_code == 303
    deleted = await post_form(client, "/account/delete", {"password": PASSWORD}, "/account")
    assert deleted.status_code == 303
    assert deleted.headers["location"] == "/account/deleted"
    page = await client.get("/account/deleted")
    assert page.status_code == 200
    assert "Your account is deleted" in page.text
    assert page.headers["cache-control"] == "no-store"


async def test_signing_in_from_an_account_page_leads_back_to_it(client: AsyncTestClient) -> None:
    assert (await sign_up(client)).status_code == 303
    await post_form(client, "/signout", {})
    asked = await client.get("/account/domains", follow_redirects=False)
    assert asked.headers["location"] == "/signin?next=%2Faccount%2Fdomains"
    page = await client.get(asked.headers["location"])
    assert '<input type="hidden" name="next" value="/account/domains">' in page.text
    signed_in = await post_form(
        client, "/signin", {"email": EMAIL, "password": PASSWORD, "next": "/account/domains"}, "/signin"
    )
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/account/domains"


@pytest.mark.parametrize(
    "next_path", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "/private/abc", "/account/confirm/t"]
)
async def test_sign_in_never_leads_off_the_account_pages(client: AsyncTestClient, next_path: str) -> None:
    assert (await sign_up(client)).status_code == 303
    await post_form(client, "/signout", {})
    assert next_path not in (await client.get("/signin", params={"next": next_path})).text
    signed_in = await post_form(client, "/signin", {"email": EMAIL, "password": PASSWORD, "next": next_path}, "/signin")
    assert signed_in.headers["location"] == "/dashboard"
