"""The secret's routes: GET /secret/:id (never reveals), POST /secret/:id/reveal, and the two status routes."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from tests.integration.api_v2.v2 import (
    SECRET_RECORD_FIELDS,
    assert_error,
    assert_ok,
    conceal,
    receipt_key_of,
    secret_key_of,
)


async def test_reading_a_secret_describes_it_and_consumes_nothing(client: AsyncTestClient) -> None:
    key = secret_key_of(await conceal(client, "still here", ttl=600))
    body = assert_ok(await client.get(f"/api/v2/secret/{key}"))
    assert list(body) == ["record", "details"]
    assert list(body["record"]) == SECRET_RECORD_FIELDS
    assert (body["record"]["state"], body["record"]["lifespan"]) == ("new", 600)
    assert body["details"] == {
        "continue": False,
        "is_owner": False,
        "show_secret": False,
        "correct_passphrase": True,
        "display_lines": 4,
        "one_liner": None,
    }
    revealed = assert_ok(await client.post(f"/api/v2/secret/{key}/reveal", json={"continue": True}))
    assert revealed["record"]["secret_value"] == "still here"


@pytest.mark.parametrize("query", ["?continue=true", "?continue=true&passphrase=pw"])
async def test_a_get_with_continue_never_reveals(client: AsyncTestClient, query: str) -> None:
    key = secret_key_of(await conceal(client, "not by GET"))
    response = await client.get(f"/api/v2/secret/{key}{query}")
    body = assert_ok(response)
    assert "secret_value" not in body["record"]
    assert body["details"]["show_secret"] is False
    assert "not by GET" not in response.text
    assert (
        assert_ok(await client.post(f"/api/v2/secret/{key}/reveal", json={"continue": "true"}))["record"][
            "secret_value"
        ]
        == "not by GET"
    )


async def test_reveal_gives_the_value_once_then_the_secret_is_unknown(client: AsyncTestClient) -> None:
    record = await conceal(client, "line one\nline two")
    key = secret_key_of(record)
    response = await client.post(f"/api/v2/secret/{key}/reveal", json={"continue": True})
    body = assert_ok(response)
    assert list(body["record"]) == [*SECRET_RECORD_FIELDS, "secret_value"]
    assert body["record"]["secret_value"] == "line one\nline two"
    assert (body["record"]["state"], body["record"]["is_revealed"], body["record"]["is_received"]) == (
        "revealed",
        True,
        True,
    )
    assert body["details"]["show_secret"] is True
    assert body["details"]["correct_passphrase"] is True
    assert body["details"]["one_liner"] is False
    assert body["details"]["display_lines"] == 5
    again = await client.post(f"/api/v2/secret/{key}/reveal", json={"continue": True})
    body = assert_error(again, 404, "RecordNotFound", "Unknown secret")
    assert key not in again.text
    assert_error(await client.get(f"/api/v2/secret/{key}"), 404, "RecordNotFound")
    receipt = assert_ok(await client.get(f"/api/v2/receipt/{receipt_key_of(record)}"))["record"]
    assert (receipt["state"], receipt["is_revealed"], receipt["is_received"], receipt["is_destroyed"]) == (
        "revealed",
        True,
        True,
        True,
    )


async def test_reveal_without_continue_only_describes_the_secret(client: AsyncTestClient) -> None:
    key = secret_key_of(await conceal(client, "wait", passphrase="pw"))
    body = assert_ok(await client.post(f"/api/v2/secret/{key}/reveal", json={"passphrase": "wrong"}))
    assert body["details"]["show_secret"] is False
    assert body["details"]["continue"] is False
    assert "secret_value" not in body["record"]
    confirmed = {"passphrase": "pw", "continue": True}
    assert (
        assert_ok(await client.post(f"/api/v2/secret/{key}/reveal", json=confirmed))["record"]["secret_value"] == "wait"
    )


async def test_reveal_reads_a_form_body(client: AsyncTestClient) -> None:
    key = secret_key_of(await conceal(client, "form reveal", passphrase="pw"))
    body = assert_ok(await client.post(f"/api/v2/secret/{key}/reveal", data={"passphrase": "pw", "continue": "true"}))
    assert body["record"]["secret_value"] == "form reveal"
    assert body["record"]["has_passphrase"] is True


@pytest.mark.parametrize("passphrase", [None, "wrong"])
async def test_a_wrong_or_missing_passphrase_is_a_422_and_the_secret_survives(
    client: AsyncTestClient, passphrase: str | None
) -> None:
    key = secret_key_of(await conceal(client, "guarded", passphrase="right"))
    body = {"continue": True} if passphrase is None else {"continue": True, "passphrase": passphrase}
    response = await client.post(f"/api/v2/secret/{key}/reveal", json=body)
    assert_error(response, 422, "FormError", "Incorrect passphrase", field="passphrase")
    right = {"continue": True, "passphrase": "right"}
    assert (
        assert_ok(await client.post(f"/api/v2/secret/{key}/reveal", json=right))["record"]["secret_value"] == "guarded"
    )


async def test_a_passphrase_in_the_query_string_is_never_read(client: AsyncTestClient) -> None:
    key = secret_key_of(await conceal(client, "guarded", passphrase="right"))
    response = await client.post(f"/api/v2/secret/{key}/reveal?passphrase=right&continue=true")
    body = assert_ok(response)
    assert body["details"]["show_secret"] is False


@pytest.mark.parametrize("key", ["short", "UPPERCASE" * 4, "a" * 65, "abc-def_" * 4])
async def test_keys_that_cannot_be_keys_are_unknown(client: AsyncTestClient, key: str) -> None:
    assert_error(await client.get(f"/api/v2/secret/{key}"), 404, "RecordNotFound")
    assert_error(await client.post(f"/api/v2/secret/{key}/reveal", json={"continue": True}), 404, "RecordNotFound")
    assert assert_ok(await client.get(f"/api/v2/secret/{key}/status")) == {"record": {"state": "unknown"}}


async def test_secret_status_describes_a_live_secret_with_its_remaining_time(client: AsyncTestClient) -> None:
    key = secret_key_of(await conceal(client, "x", ttl=900))
    body = assert_ok(await client.get(f"/api/v2/secret/{key}/status"))
    assert list(body["record"]) == SECRET_RECORD_FIELDS
    assert body["record"]["state"] == "new"
    assert 0 < body["details"]["current_expiration"] <= 900


async def test_secret_status_says_unknown_once_the_secret_is_gone(client: AsyncTestClient) -> None:
    key = secret_key_of(await conceal(client, "x"))
    assert_ok(await client.post(f"/api/v2/secret/{key}/reveal", json={"continue": True}))
    assert assert_ok(await client.get(f"/api/v2/secret/{key}/status")) == {"record": {"state": "unknown"}}


@pytest.mark.parametrize("as_list", [False, True], ids=["comma-string", "json-array"])
async def test_the_status_list_describes_live_secrets_and_leaves_out_the_rest(
    client: AsyncTestClient, as_list: bool
) -> None:
    live = [secret_key_of(await conceal(client, f"v{index}")) for index in range(3)]
    gone = secret_key_of(await conceal(client, "gone"))
    assert_ok(await client.post(f"/api/v2/secret/{gone}/reveal", json={"continue": True}))
    asked = [live[0], gone, "nonsense", live[1], live[2], live[0]]
    identifiers: object = asked if as_list else ",".join(asked)
    body = assert_ok(await client.post("/api/v2/secret/status", json={"identifiers": identifiers}))
    assert body["count"] == 3
    assert [record["identifier"] for record in body["records"]] == live


async def test_the_status_list_reads_a_form_and_refuses_too_many_identifiers(client: AsyncTestClient) -> None:
    key = secret_key_of(await conceal(client, "x"))
    assert assert_ok(await client.post("/api/v2/secret/status", data={"identifiers": key}))["count"] == 1
    assert assert_ok(await client.post("/api/v2/secret/status"))["count"] == 0
    too_many = ",".join(f"{index:031d}" for index in range(101))
    response = await client.post("/api/v2/secret/status", json={"identifiers": too_many})
    assert_error(response, 422, "FormError", "At most 100 identifiers at once", field="identifiers")


async def test_the_recipient_opening_the_page_shows_as_previewed(client: AsyncTestClient) -> None:
    record = await conceal(client, "x")
    assert (await client.get(f"/secret/{secret_key_of(record)}")).status_code == 200
    secret = assert_ok(await client.get(f"/api/v2/secret/{secret_key_of(record)}"))["record"]
    assert (secret["state"], secret["is_previewed"], secret["is_viewed"]) == ("new", True, True)
    receipt = assert_ok(await client.get(f"/api/v2/receipt/{receipt_key_of(record)}"))["record"]
    assert (receipt["state"], receipt["is_previewed"], receipt["is_viewed"]) == ("new", True, True)
    assert receipt["previewed"] == receipt["viewed"] is not None
