"""POST /generate: the password rules, the parameters, and the one-time echo on the receipt."""

from __future__ import annotations

import string
import time

import pytest
from litestar.testing import AsyncTestClient

from tests.support.api import assert_error, assert_ok, metadata_fields

AMBIGUOUS = set("ilo1IO0")
SYMBOLS = set("!@#$%^&*()_-+=[]{}|:;\"'<>,.?/~`")
CLASSES = [set(string.ascii_uppercase), set(string.ascii_lowercase), set(string.digits), SYMBOLS]
GENERATE_FIELDS = metadata_fields("received", "delivery")
RECEIPT_FIELDS = [field for field in GENERATE_FIELDS if field != "value"]
RECEIPT_WITH_ECHO = GENERATE_FIELDS


def _assert_good_password(password: str, length: int) -> None:
    assert len(password) == length
    for chars in CLASSES:
        assert set(password) & (chars - AMBIGUOUS), f"{password!r} lacks a class"
    assert not set(password) & AMBIGUOUS
    assert set(password) <= set().union(*CLASSES)


async def test_generate_default_answers_a_12_character_password(client: AsyncTestClient) -> None:
    body = assert_ok(await client.post("/api/v1/generate"))
    assert list(body) == GENERATE_FIELDS
    _assert_good_password(body["value"], 12)
    assert body["state"] == "new"
    assert body["custid"] == "anon"
    assert body["ttl"] == 7 * 24 * 3600
    assert body["passphrase_required"] is False


async def test_generated_password_is_the_secret_value(client: AsyncTestClient) -> None:
    body = assert_ok(await client.post("/api/v1/generate"))
    revealed = assert_ok(await client.post(f"/api/v1/secret/{body['secret_key']}"))
    assert revealed["value"] == body["value"]


@pytest.mark.parametrize("length", [4, 13, 40, 128])
async def test_generate_honours_the_length(client: AsyncTestClient, length: int) -> None:
    body = assert_ok(await client.post("/api/v1/generate", data={"length": str(length)}))
    _assert_good_password(body["value"], length)


async def test_generate_length_over_128_is_refused(client: AsyncTestClient) -> None:
    response = await client.post("/api/v1/generate", data={"length": "129"})
    assert_error(response, "Generated password length must be no more than 128 characters", 400)


@pytest.mark.parametrize("length", ["", "long", "2"])
async def test_generate_unreadable_or_tiny_length_still_gives_a_good_password(
    client: AsyncTestClient, length: str
) -> None:
    body = assert_ok(await client.post("/api/v1/generate", data={"length": length}))
    _assert_good_password(body["value"], 12 if length in {"", "long"} else 4)


async def test_generated_passwords_never_use_ambiguous_characters(client: AsyncTestClient) -> None:
    seen: set[str] = set()
    for _ in range(20):
        seen |= set(assert_ok(await client.post("/api/v1/generate", data={"length": "128"}))["value"])
    assert not seen & AMBIGUOUS
    assert len(seen) > 60  # the whole remaining alphabet gets used


async def test_generate_applies_ttl_and_passphrase_and_ignores_secret(client: AsyncTestClient) -> None:
    body = assert_ok(
        await client.post("/api/v1/generate", data={"secret": "ignored", "ttl": "300", "passphrase": "open sesame"})
    )
    assert (body["ttl"], body["secret_ttl"], body["metadata_ttl"]) == (300, 300, 600)
    assert body["passphrase_required"] is True
    assert body["value"] != "ignored"
    key = body["secret_key"]
    assert_error(await client.post(f"/api/v1/secret/{key}"), "Unknown secret", 404, key)
    revealed = assert_ok(await client.post(f"/api/v1/secret/{key}", data={"passphrase": "open sesame"}))
    assert revealed["value"] == body["value"]


async def test_generate_applies_the_share_validations(client: AsyncTestClient) -> None:
    response = await client.post("/api/v1/generate", data={"recipient": "tom@example.com"})
    assert_error(response, "An account is required to send emails.", 400)
    response = await client.post("/api/v1/generate", data={"share_domain": "example.org"})
    assert_error(response, "Unknown domain: example.org", 400)


async def test_receipt_echoes_a_generated_value_once_within_60_seconds(client: AsyncTestClient) -> None:
    body = assert_ok(await client.post("/api/v1/generate"))
    first = assert_ok(await client.get(f"/api/v1/private/{body['metadata_key']}"))
    assert list(first) == RECEIPT_WITH_ECHO
    assert first["value"] == body["value"]
    second = assert_ok(await client.get(f"/api/v1/private/{body['metadata_key']}"))
    assert list(second) == RECEIPT_FIELDS
    assert "value" not in second


async def test_receipt_does_not_echo_after_60_seconds(client: AsyncTestClient) -> None:
    body = assert_ok(await client.post("/api/v1/generate"))
    service = client.app.state.services.secret_service
    service.clock = lambda: time.time() + 61
    try:
        receipt = assert_ok(await client.get(f"/api/v1/private/{body['metadata_key']}"))
    finally:
        service.clock = time.time
    assert list(receipt) == RECEIPT_FIELDS


async def test_receipt_does_not_echo_once_the_secret_is_revealed(client: AsyncTestClient) -> None:
    body = assert_ok(await client.post("/api/v1/generate"))
    assert_ok(await client.post(f"/api/v1/secret/{body['secret_key']}"))
    receipt = assert_ok(await client.get(f"/api/v1/private/{body['metadata_key']}"))
    assert receipt["state"] == "received"
    assert "value" not in receipt


async def test_receipt_never_echoes_a_typed_secret(client: AsyncTestClient) -> None:
    body = assert_ok(await client.post("/api/v1/share", data={"secret": "typed by hand"}))
    receipt = await client.get(f"/api/v1/private/{body['metadata_key']}")
    assert "value" not in assert_ok(receipt)
    assert "typed by hand" not in receipt.text
    assert "value" not in body
