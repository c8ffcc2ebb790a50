"""The receipt's routes under /receipt and the deprecated /private: read, burn, and update."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from onetime.keys import secret_id
from onetime.settings import Settings
from onetime.storage.keys import secret_name
from tests.integration.api_v2.v2 import (
    RECEIPT_RECORD_FIELDS,
    RECEIPT_VIEW_EXTRAS,
    assert_error,
    assert_ok,
    conceal,
    receipt_key_of,
    secret_key_of,
)
from tests.support.api import create_account

ALIASES = ["receipt", "private"]
ORIGIN = "https://secrets.example.com"


@pytest.mark.parametrize("alias", ALIASES)
async def test_reading_a_receipt_shows_its_links_and_state(client: AsyncTestClient, alias: str) -> None:
    record = await conceal(client, "x", ttl=3600)
    secret_key, receipt_key = secret_key_of(record), receipt_key_of(record)
    body = assert_ok(await client.get(f"/api/v2/{alias}/{receipt_key}"))
    assert list(body) == ["record", "details"]
    receipt = body["record"]
    assert list(receipt) == RECEIPT_RECORD_FIELDS + RECEIPT_VIEW_EXTRAS
    assert receipt["secret_identifier"] == secret_key
    assert receipt["state"] == receipt["secret_state"] == "new"
    assert receipt["natural_expiration"] == "1 hour"
    assert receipt["expiration"] == int(receipt["created"]) + 3600
    assert receipt["share_path"] == f"secret/{secret_key}"
    assert receipt["receipt_path"] == receipt["metadata_path"] == f"private/{receipt_key}"
    assert receipt["burn_path"] == f"private/{receipt_key}/burn"
    assert receipt["share_url"] == f"{ORIGIN}/secret/{secret_key}"
    assert receipt["receipt_url"] == receipt["metadata_url"] == f"{ORIGIN}/private/{receipt_key}"
    assert receipt["burn_url"] == f"{ORIGIN}/private/{receipt_key}/burn"
    details = body["details"]
    assert details["type"] == "record"
    assert (details["show_secret"], details["show_secret_link"], details["show_receipt_link"]) == (True, True, True)
    assert details["secret_value"] is None
    assert 0 < details["secret_realttl"] <= 3600
    # The links it gives are pages this server serves.
    assert (await client.get(f"/{receipt['receipt_path']}")).status_code == 200
    assert (await client.get(f"/{receipt['share_path']}")).status_code == 200


async def test_a_receipt_read_withholds_the_secret_identifier_behind_a_passphrase(client: AsyncTestClient) -> None:
    record = await conceal(client, "x", passphrase="pw")
    body = assert_ok(await client.get(f"/api/v2/receipt/{receipt_key_of(record)}"))
    assert "secret_identifier" not in body["record"]
    assert body["details"]["show_secret"] is False
    assert body["details"]["has_passphrase"] is True


@pytest.mark.parametrize("alias", ALIASES)
async def test_an_unknown_receipt_is_a_404_that_does_not_echo_the_key(client: AsyncTestClient, alias: str) -> None:
    key = "a" * 31
    response = await client.get(f"/api/v2/{alias}/{key}")
    assert_error(response, 404, "RecordNotFound")
    assert key not in response.text


async def test_a_receipt_whose_secret_vanished_reads_as_orphaned(client: AsyncTestClient, redis: Redis) -> None:
    record = await conceal(client, "x")
    await redis.delete(secret_name(secret_id(secret_key_of(record))))
    receipt = assert_ok(await client.get(f"/api/v2/receipt/{receipt_key_of(record)}"))["record"]
    assert (receipt["state"], receipt["is_orphaned"], receipt["is_destroyed"]) == ("orphaned", True, True)
    assert receipt["secret_state"] is None
    assert receipt["share_path"] == "secret/"


@pytest.mark.parametrize("alias", ALIASES)
@pytest.mark.parametrize("confirm", [{"continue": True}, {"continue": "true"}], ids=["bool", "string"])
async def test_burn_with_continue_burns_and_answers_the_burned_receipt(
    client: AsyncTestClient, alias: str, confirm: dict
) -> None:
    record = await conceal(client, "x")
    body = assert_ok(await client.post(f"/api/v2/{alias}/{receipt_key_of(record)}/burn", json=confirm))
    assert body["success"] is True
    assert list(body) == ["success", "record", "details"]
    assert (body["record"]["state"], body["record"]["is_burned"], body["record"]["is_destroyed"]) == (
        "burned",
        True,
        True,
    )
    assert body["record"]["burned"] is not None
    assert body["details"]["title"] == "Secret burned"
    assert_error(await client.get(f"/api/v2/secret/{secret_key_of(record)}"), 404, "RecordNotFound")


@pytest.mark.parametrize("body", [{}, {"continue": False}, {"continue": "yes"}])
async def test_burn_without_continue_burns_nothing(client: AsyncTestClient, body: dict) -> None:
    record = await conceal(client, "x")
    answer = assert_ok(await client.post(f"/api/v2/receipt/{receipt_key_of(record)}/burn", json=body))
    assert answer["success"] is False
    assert answer["record"]["state"] == "new"
    assert_ok(await client.get(f"/api/v2/secret/{secret_key_of(record)}"))


async def test_burn_reads_a_form_body(client: AsyncTestClient) -> None:
    record = await conceal(client, "x", passphrase="pw")
    path = f"/api/v2/private/{receipt_key_of(record)}/burn"
    assert assert_ok(await client.post(path, data={"continue": "true", "passphrase": "pw"}))["success"] is True


async def test_burning_a_revealed_secret_says_it_did_not_and_shows_it_revealed(client: AsyncTestClient) -> None:
    record = await conceal(client, "x")
    assert_ok(await client.post(f"/api/v2/secret/{secret_key_of(record)}/reveal", json={"continue": True}))
    answer = assert_ok(await client.post(f"/api/v2/receipt/{receipt_key_of(record)}/burn", json={"continue": True}))
    assert answer["success"] is False
    assert answer["record"]["state"] == "revealed"


async def test_burn_twice_burns_once(client: AsyncTestClient) -> None:
    path = f"/api/v2/receipt/{receipt_key_of(await conceal(client, 'x'))}/burn"
    assert assert_ok(await client.post(path, json={"continue": True}))["success"] is True
    again = assert_ok(await client.post(path, json={"continue": True}))
    assert (again["success"], again["record"]["state"]) == (False, "burned")


async def test_burn_needs_the_passphrase_and_a_wrong_one_is_a_422(client: AsyncTestClient) -> None:
    record = await conceal(client, "x", passphrase="pw")
    path = f"/api/v2/receipt/{receipt_key_of(record)}/burn"
    assert_error(
        await client.post(path, json={"continue": True, "passphrase": "nope"}),
        422,
        "FormError",
        "Incorrect passphrase",
        field="passphrase",
    )
    assert_error(await client.post(path, json={"continue": True}), 422, "FormError", field="passphrase")
    assert assert_ok(await client.post(path, json={"continue": True, "passphrase": "pw"}))["success"] is True


async def test_burning_an_unknown_receipt_is_a_404(client: AsyncTestClient) -> None:
    response = await client.post(f"/api/v2/receipt/{'b' * 31}/burn", json={"continue": True})
    assert_error(response, 404, "RecordNotFound")


@pytest.fixture
async def alice(redis: Redis, settings: Settings) -> dict[str, str]:
    return await create_account(redis, settings, "alice@example.com")


@pytest.mark.parametrize("alias", ALIASES)
async def test_the_owner_may_patch_a_receipt_without_a_memo(
    client: AsyncTestClient, alice: dict[str, str], alias: str
) -> None:
    record = await conceal(client, "x", headers=alice)
    body = assert_ok(await client.patch(f"/api/v2/{alias}/{receipt_key_of(record)}", json={}, headers=alice))
    assert list(body) == ["record"]
    assert body["record"]["identifier"] == receipt_key_of(record)


async def test_a_memo_is_refused_because_this_server_keeps_none(client: AsyncTestClient, alice: dict[str, str]) -> None:
    record = await conceal(client, "x", headers=alice)
    response = await client.patch(f"/api/v2/receipt/{receipt_key_of(record)}", json={"memo": "note"}, headers=alice)
    assert_error(response, 422, "FormError", "This server does not keep memos on receipts", field="memo")


async def test_anyone_but_the_owner_may_not_patch_a_receipt(
    client: AsyncTestClient, alice: dict[str, str], redis: Redis, settings: Settings
) -> None:
    bob = await create_account(redis, settings, "bob@example.com")
    record = await conceal(client, "x", headers=alice)
    path = f"/api/v2/receipt/{receipt_key_of(record)}"
    for headers in ({}, bob):
        body = assert_error(
            await client.patch(path, json={"memo": "x"}, headers=headers),
            401,
            "Unauthorized",
            "Not authorized to update this receipt",
        )
        assert body["error"] == body["message"]
    anonymous_record = await conceal(client, "x")
    response = await client.patch(f"/api/v2/receipt/{receipt_key_of(anonymous_record)}", json={}, headers=alice)
    assert_error(response, 401, "Unauthorized")
