"""Helpers for tests of accounts in the browser: sign up, in and out through the real pages."""

from __future__ import annotations

import re
from html import unescape

import httpx
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from tests.support.pages import csrf_token

PASSWORD = "plum tree under winter rain"
EMAIL = "alice@example.com"
SECURE_COOKIE = "__Host-ots_session"
"""The session cookie's name when the deployment's links are https (the test settings' are)."""
_API_TOKEN = re.compile(r'id="api-token"[^>]*value="([^"]+)"')

Client = AsyncTestClient | httpx.AsyncClient


def api_token(html: str) -> str:
    """Return the API token an account page shows (right after sign-up or rotation)."""
    found = _API_TOKEN.search(html)
    assert found, "the page shows no API token"
    return unescape(found.group(1))


async def post_form(client: Client, path: str, data: dict[str, str], page: str = "/") -> httpx.Response:
    """Post a form as the browser does: with the CSRF token of a page loaded first."""
    token = await csrf_token(client, page)  # type: ignore[arg-type]
    return await client.post(path, data={**data, "_csrf_token": token}, follow_redirects=False)


async def create_in_form(client: Client, value: str, **fields: str) -> httpx.Response:
    """Create a secret with the home page's form (as whoever the client is signed in as)."""
    response = await post_form(client, "/create", {"secret": value, **fields})
    assert response.status_code == 303, response.text
    return response


async def sign_up(client: Client, email: str = EMAIL, password: str = PASSWORD) -> httpx.Response:
    """Post the sign-up form."""
    return await post_form(client, "/signup", {"email": email, "password": password})


async def sign_up_ok(client: Client, email: str = EMAIL, password: str = PASSWORD) -> str:
    """Sign up, check it led to the account page, and return the API token that page shows once."""
    response = await sign_up(client, email, password)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/account"
    return api_token((await client.get("/account")).text)


async def sign_in(client: Client, email: str = EMAIL, password: str = PASSWORD) -> httpx.Response:
    """Post the sign-in form."""
    return await post_form(client, "/signin", {"email": email, "password": password})


async def sign_out(client: Client) -> httpx.Response:
    """Post the sign-out button of the header."""
    return await post_form(client, "/signout", {})


def session_cookie(client: Client) -> str | None:
    """Return the session id the client's cookie jar holds, if any."""
    return client.cookies.get(SECURE_COOKIE)


async def session_keys(redis: Redis) -> list[bytes]:
    """Return the Redis keys of every browser session."""
    return [key async for key in redis.scan_iter("ots:session:*")]


def signed_in_as(html: str) -> str | None:
    """Return the email the header shows as signed in, or None when it offers to sign in."""
    found = re.search(r'class="account-email"[^>]*>([^<]+)<', html)
    return unescape(found.group(1)) if found else None
