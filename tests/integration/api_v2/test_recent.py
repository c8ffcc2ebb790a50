"""GET /api/v2/receipt/recent and /private/recent: the caller's receipts, HTTP Basic credentials only."""

from __future__ import annotations

import time

import pytest
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from onetime.settings import Settings
from tests.integration.api_v2.v2 import RECEIPT_RECORD_FIELDS, assert_error, assert_ok, conceal, receipt_key_of
from tests.support.api import create_account

ALIASES = ["receipt", "private"]


@pytest.fixture
async def alice(redis: Redis, settings: Settings) -> dict[str, str]:
    return await create_account(redis, settings, "alice@example.com")


async def _conceal_at(client: AsyncTestClient, headers: dict[str, str], when: float) -> dict:
    """Create a secret as if at `when`, so creation times differ without sleeping."""
    service = client.app.state.services.secret_service
    service.clock = lambda: when
    try:
        return await conceal(client, "x", headers=headers)
    finally:
        service.clock = time.time


@pytest.mark.parametrize("alias", ALIASES)
async def test_recent_without_credentials_is_a_401(client: AsyncTestClient, alias: str) -> None:
    response = await client.get(f"/api/v2/{alias}/recent")
    body = assert_error(response, 401, "AuthenticationRequired")
    assert body["error"] == "Authentication Required"
    assert body["message"].startswith("[AUTH_HEADER_MISSING]")
    assert isinstance(body["timestamp"], int)


@pytest.mark.parametrize("alias", ALIASES)
async def test_recent_lists_the_callers_receipts_newest_first(
    client: AsyncTestClient, alice: dict[str, str], alias: str
) -> None:
    now = time.time()
    made = [await _conceal_at(client, alice, now - 30 + step) for step in range(3)]
    await conceal(client, "someone else's")
    body = assert_ok(await client.get(f"/api/v2/{alias}/recent", headers=alice))
    assert list(body) == ["success", "custid", "count", "records", "details"]
    assert (body["success"], body["custid"], body["count"]) == (True, "alice@example.com", 3)
    assert [row["identifier"] for row in body["records"]] == [receipt_key_of(record) for record in reversed(made)]
    for row in body["records"]:
        assert list(row) == RECEIPT_RECORD_FIELDS
    details = body["details"]
    assert (details["type"], details["scope"], details["has_items"]) == ("list", None, True)
    assert details["pending_receipts"] == details["notreceived"] == body["records"]
    assert details["revealed_receipts"] == details["received"] == []
    assert details["since"] < details["now"]


async def test_recent_splits_revealed_from_pending(client: AsyncTestClient, alice: dict[str, str]) -> None:
    revealed = await conceal(client, "a", headers=alice)
    pending = await conceal(client, "b", headers=alice)
    key = revealed["secret"]["identifier"]
    assert_ok(await client.post(f"/api/v2/secret/{key}/reveal", json={"continue": True}))
    details = assert_ok(await client.get("/api/v2/receipt/recent", headers=alice))["details"]
    assert [row["identifier"] for row in details["received"]] == [receipt_key_of(revealed)]
    assert [row["identifier"] for row in details["notreceived"]] == [receipt_key_of(pending)]
    assert details["received"][0]["secret_identifier"] == ""


async def test_an_empty_recent_list(client: AsyncTestClient, alice: dict[str, str]) -> None:
    body = assert_ok(await client.get("/api/v2/receipt/recent", headers=alice))
    assert (body["count"], body["records"], body["details"]["has_items"]) == (0, [], False)


@pytest.mark.parametrize("scope", ["org", "domain"])
async def test_team_scopes_are_refused(client: AsyncTestClient, alice: dict[str, str], scope: str) -> None:
    response = await client.get(f"/api/v2/receipt/recent?scope={scope}", headers=alice)
    assert_error(response, 422, "forbidden", field="scope")
