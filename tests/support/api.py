"""Helpers for API tests: credentials, accounts, and an in-loop client with a chosen peer address.

Litestar's AsyncTestClient runs the app in a separate thread and answers one request at a time,
and it always reports the peer as "testclient". `serve()` runs the app's lifespan in the test's
own event loop instead and talks to it through httpx's ASGI transport, so `asyncio.gather` really
interleaves requests and a test can choose the peer address.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from litestar import Litestar
from redis.asyncio import Redis

from onetime.services import Services
from onetime.settings import Settings
from web.app import create_app

BASE_URL = "https://secrets.example.com"
METADATA_FIELD_ORDER = (
    "custid", "metadata_key", "secret_key", "ttl", "metadata_ttl", "secret_ttl", "metadata_url", "secret_url",
    "state", "updated", "created", "received", "recipient", "share_domain", "delivery", "value",
    "passphrase_required",
)  # fmt: skip
"""Every field a metadata object can carry, in the order of the contract (section 2)."""


def metadata_fields(*left_out: str) -> list[str]:
    """Return the metadata object's field names in the contract's order, without `left_out`."""
    unknown = set(left_out) - set(METADATA_FIELD_ORDER)
    assert not unknown, unknown
    return [name for name in METADATA_FIELD_ORDER if name not in left_out]


def basic_auth(custid: str, token: str) -> dict[str, str]:
    """Return the Authorization header for HTTP Basic credentials."""
    encoded = base64.b64encode(f"{custid}:{token}".encode()).decode()
    return {"Authorization": f"Basic {encoded}"}


async def create_account(redis: Redis, settings: Settings, email: str, plan: str = "basic") -> dict[str, str]:
    """Create an account through the domain service and return its Authorization header."""
    credentials = await Services.build(settings, redis).account_service.create(email, plan)
    return basic_auth(email, credentials.token)


def peer_client(app: Litestar, peer: str) -> httpx.AsyncClient:
    """Return an httpx client that calls `app` in this event loop as if from `peer`."""
    transport = httpx.ASGITransport(app=app, client=(peer, 50000))
    return httpx.AsyncClient(transport=transport, base_url=BASE_URL)


@asynccontextmanager
async def serve(settings: Settings, peer: str = "203.0.113.7") -> AsyncIterator[tuple[Litestar, httpx.AsyncClient]]:
    """Run the app's lifespan in the current event loop and yield it with a client from `peer`."""
    app = create_app(settings)
    async with app.lifespan(), peer_client(app, peer) as client:
        yield app, client


RATE_LIMITED = "Rate limit exceeded. Please try again later."
NOT_AUTHORIZED = "Not authorized"
UNKNOWN_SECRET = "Unknown secret"


def assert_error(response: httpx.Response, message: str, intended: int, secret_key: str | None = None) -> None:
    """Assert a v1 error: HTTP 404, a JSON body with the message, the intended status header."""
    expected: dict[str, str] = {"message": message}
    if secret_key is not None:
        expected["secret_key"] = secret_key
    assert response.status_code == 404, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == expected
    assert response.headers["x-ots-intended-status"] == str(intended)
    assert response.headers["cache-control"] == "no-store"


def assert_ok(response: httpx.Response) -> Any:
    """Assert a v1 success (HTTP 200, JSON, not cacheable) and return its body."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["cache-control"] == "no-store"
    assert "x-ots-intended-status" not in response.headers
    return response.json()
