"""The account page: the plan, the API token (rotation refuses the old one at once), deletion."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from onetime.settings import Settings
from tests.support.accounts import (
    EMAIL,
    PASSWORD,
    api_token,
    create_in_form,
    post_form,
    session_cookie,
    session_keys,
    sign_in,
    sign_up_ok,
    signed_in_as,
)
from tests.support.api import basic_auth, peer_client, serve

NOT_AUTHORIZED = {"message": "Not authorized"}


async def test_the_account_page_shows_the_plan_and_the_curl_line(client: AsyncTestClient) -> None:
    await sign_up_ok(client)
    html = (await client.get("/account")).text
    assert "Basic: secrets of up to 10,000 bytes" in html
    assert "kept for up to 14 days" in html
    assert (
        "curl -u alice@example.com:YOUR_API_TOKEN -d &#39;secret=hello&amp;ttl=3600&#39; "
        "https://secrets.example.com/api/v1/share"
    ) in html


async def test_the_curl_line_right_after_sign_up_carries_the_token(client: AsyncTestClient) -> None:
    response = await post_form(client, "/signup", {"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 303
    page = (await client.get(response.headers["location"])).text
    token = api_token(page)
    assert f"curl -u alice@example.com:{token} -d" in page


async def test_rotating_the_token_refuses_the_old_one_at_once(client: AsyncTestClient) -> None:
    old = await sign_up_ok(client)
    response = await post_form(client, "/account/token", {}, "/account")
    assert response.status_code == 303  # a reload of the page that shows the token never rotates again
    assert response.headers["location"] == "/account"
    assert old not in response.headers["location"]
    page = await client.get("/account")
    assert page.headers["cache-control"] == "no-store"
    new = api_token(page.text)
    assert new != old
    assert f"alice@example.com:{new}" in page.text

    refused = await client.get("/api/v1/authcheck", headers=basic_auth(EMAIL, old))
    assert refused.status_code == 404
    assert refused.json() == NOT_AUTHORIZED
    assert refused.headers["x-ots-intended-status"] == "401"
    assert (await client.get("/api/v1/authcheck", headers=basic_auth(EMAIL, new))).status_code == 200
    assert new not in (await client.get("/account")).text  # shown that once only


async def test_rotating_the_token_needs_the_csrf_token(client: AsyncTestClient) -> None:
    token = await sign_up_ok(client)
    response = await client.post("/account/token", follow_redirects=False)
    assert response.status_code == 403
    assert (await client.get("/api/v1/authcheck", headers=basic_auth(EMAIL, token))).status_code == 200


async def test_deleting_needs_the_password(client: AsyncTestClient, redis: Redis) -> None:
    token = await sign_up_ok(client)
    response = await post_form(client, "/account/delete", {"password": "not my password"}, "/account")
    assert response.status_code == 422
    assert 'id="password-error">That is not your password. Type the password you sign in with.' in response.text
    assert "email" not in response.text.split('id="password-error">')[1].split("</p>")[0]
    assert 'id="password"' in response.text
    assert "not my password" not in response.text
    assert await redis.exists("ots:customer:{alice@example.com}") == 1
    assert (await client.get("/api/v1/authcheck", headers=basic_auth(EMAIL, token))).status_code == 200


async def everything_in(redis: Redis) -> dict[str, Any]:
    """Return every key of the database with its value, whatever its type."""
    found: dict[str, Any] = {}
    async for raw in redis.scan_iter("*"):
        key = raw.decode()
        kind = (await redis.type(key)).decode()
        if kind == "hash":
            found[key] = await redis.hgetall(key)
        elif kind == "string":
            found[key] = await redis.get(key)
        elif kind == "set":
            found[key] = await redis.smembers(key)
        elif kind == "zset":
            found[key] = await redis.zrange(key, 0, -1)
        else:
            found[key] = kind
    return found


async def test_deleting_the_account_leaves_nothing_that_names_it(settings: Settings, redis: Redis) -> None:
    async with serve(settings) as (app, browser), peer_client(app, "203.0.113.8") as other_browser:
        token = await sign_up_ok(browser)
        await sign_in(other_browser)
        created = []
        for value in ("first", "second"):
            response = await browser.post(
                "/api/v1/share", data={"secret": value, "passphrase": "pw"}, headers=basic_auth(EMAIL, token)
            )
            created.append(response.json())
        await create_in_form(browser, "made in the browser form")
        await sign_in(browser, EMAIL, "one wrong attempt")  # a failure counter named after the account
        assert len(await session_keys(redis)) == 2
        assert len(await redis.zrange("ots:recent:{alice@example.com}", 0, -1)) == 3
        assert "alice" in repr(await everything_in(redis))

        response = await post_form(browser, "/account/delete", {"password": PASSWORD}, "/account")
        assert response.status_code == 303
        assert response.headers["location"] == "/account/deleted"
        assert "Your account is deleted" in (await browser.get("/account/deleted")).text
        assert signed_in_as(response.text) is None
        assert "Max-Age=0" in response.headers["set-cookie"]

        left = await everything_in(redis)
        assert "alice" not in repr(left).lower()
        assert await session_keys(redis) == []
        assert (await other_browser.get("/dashboard", follow_redirects=False)).status_code == 303

        assert (await browser.get("/api/v1/authcheck", headers=basic_auth(EMAIL, token))).status_code == 404
        # The secrets already shared still reach their recipients, and their receipts name nobody.
        receipt = (await browser.get(f"/api/v1/private/{created[0]['metadata_key']}")).json()
        assert receipt["custid"] == "anon"
        revealed = await browser.post(f"/api/v1/secret/{created[0]['secret_key']}", data={"passphrase": "pw"})
        assert revealed.json()["value"] == "first"


async def test_an_account_can_be_made_again_after_deletion(client: AsyncTestClient) -> None:
    await sign_up_ok(client)
    await post_form(client, "/account/delete", {"password": PASSWORD}, "/account")
    assert session_cookie(client) is None
    token = await sign_up_ok(client, EMAIL, "a brand new long password")
    assert (await client.get("/api/v1/authcheck", headers=basic_auth(EMAIL, token))).status_code == 200
    assert re.search(r"Basic: secrets of up to", (await client.get("/account")).text)
