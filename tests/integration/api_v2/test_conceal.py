"""POST /api/v2/secret/conceal: nested JSON and form bodies, the record shape, and its refusals."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from onetime.settings import Settings
from tests.integration.api_v2.v2 import (
    RECEIPT_RECORD_FIELDS,
    SECRET_RECORD_FIELDS,
    assert_error,
    assert_ok,
    conceal,
)
from tests.support.api import create_account


async def test_conceal_with_a_json_body_answers_the_v2_envelope(client: AsyncTestClient) -> None:
    response = await client.post("/api/v2/secret/conceal", json={"secret": {"secret": "hunter2", "ttl": 3600}})
    body = assert_ok(response)
    assert list(body) == ["success", "record", "details"]
    assert body["success"] is True
    record = body["record"]
    assert list(record) == ["receipt", "metadata", "secret", "share_domain"]
    assert record["metadata"] == record["receipt"]
    assert list(record["receipt"]) == RECEIPT_RECORD_FIELDS
    assert list(record["secret"]) == SECRET_RECORD_FIELDS
    secret, receipt = record["secret"], record["receipt"]
    assert secret["identifier"] == secret["key"] == receipt["secret_identifier"]
    assert receipt["identifier"] == receipt["key"] != secret["key"]
    assert receipt["shortid"] == receipt["key"][:8]
    assert receipt["secret_shortid"] == secret["shortid"] == secret["key"][:8]
    assert (secret["state"], receipt["state"]) == ("new", "new")
    assert secret["lifespan"] == secret["secret_ttl"] == 3600
    assert receipt["secret_ttl"] == receipt["metadata_ttl"] == receipt["receipt_ttl"] == receipt["lifespan"] == 3600
    assert isinstance(receipt["created"], float)
    assert secret["has_passphrase"] is False
    assert receipt["kind"] == "conceal"
    assert (receipt["custid"], receipt["owner_id"], record["share_domain"]) == (None, None, None)
    assert body["details"] == {"kind": "conceal", "recipient": [], "recipient_safe": []}
    assert "hunter2" not in response.text


async def test_conceal_with_nested_form_fields_reads_like_json(client: AsyncTestClient) -> None:
    form = {"secret[secret]": "from a form", "secret[ttl]": "600", "secret[passphrase]": "open sesame"}
    body = assert_ok(await client.post("/api/v2/secret/conceal", data=form))
    secret = body["record"]["secret"]
    assert (secret["secret_ttl"], secret["has_passphrase"]) == (600, True)
    key = secret["identifier"]
    revealed = assert_ok(
        await client.post(f"/api/v2/secret/{key}/reveal", data={"passphrase": "open sesame", "continue": "true"})
    )
    assert revealed["record"]["secret_value"] == "from a form"


async def test_conceal_with_a_multipart_form_reads_the_nested_fields(client: AsyncTestClient) -> None:
    files = {"secret[secret]": (None, "multipart value"), "secret[ttl]": (None, "120")}
    body = assert_ok(await client.post("/api/v2/secret/conceal", files=files))
    assert body["record"]["secret"]["lifespan"] == 120


async def test_json_sent_with_a_form_content_type_is_read_as_json(client: AsyncTestClient) -> None:
    raw = b'{"secret": {"secret": "curl -d", "ttl": 300}}'
    headers = {"content-type": "application/x-www-form-urlencoded"}
    body = assert_ok(await client.post("/api/v2/secret/conceal", content=raw, headers=headers))
    assert body["record"]["secret"]["lifespan"] == 300


@pytest.mark.parametrize(
    ("ttl", "applied"),
    [(None, 7 * 24 * 3600), (5, 60), ("3600", 3600), ("junk", 60), (10**9, 7 * 24 * 3600), (90.7, 90)],
)
async def test_conceal_clamps_the_ttl_into_the_plan_silently(
    client: AsyncTestClient, ttl: object, applied: int
) -> None:
    fields = {} if ttl is None else {"ttl": ttl}
    record = await conceal(client, "x", **fields)
    assert record["secret"]["lifespan"] == applied


async def test_an_account_may_keep_a_secret_longer(client: AsyncTestClient, redis: Redis, settings: Settings) -> None:
    alice = await create_account(redis, settings, "alice@example.com")
    record = await conceal(client, "x", headers=alice, ttl=30 * 24 * 3600)
    assert record["secret"]["lifespan"] == 14 * 24 * 3600


@pytest.mark.parametrize("body", [{}, {"secret": {}}, {"secret": {"secret": ""}}])
async def test_an_empty_conceal_is_refused_as_missing(client: AsyncTestClient, body: dict) -> None:
    response = await client.post("/api/v2/secret/conceal", json=body)
    error = assert_error(response, 422, "missing", "You did not provide anything to share", field="secret")
    assert list(error) == ["error", "error_type", "message", "field", "request_id"]


async def test_a_flat_body_is_an_incorrect_payload(client: AsyncTestClient) -> None:
    response = await client.post("/api/v2/secret/conceal", json={"secret": "x", "ttl": 300})
    body = assert_error(response, 422, "FormError", field="secret")
    assert body["error"].startswith("Incorrect payload format")


async def test_a_value_over_the_plan_size_is_refused(client: AsyncTestClient) -> None:
    response = await client.post("/api/v2/secret/conceal", json={"secret": {"secret": "x" * 1001}})
    assert_error(response, 422, "FormError", "Secret value exceeds the maximum size of 1000 bytes", field="secret")
    assert_ok(await client.post("/api/v2/secret/conceal", json={"secret": {"secret": "é" * 500}}))


async def test_an_anonymous_recipient_is_refused(client: AsyncTestClient) -> None:
    response = await client.post("/api/v2/secret/conceal", json={"secret": {"secret": "x", "recipient": "a@b.co"}})
    assert_error(response, 422, "FormError", "An account is required to send emails.")


async def test_an_unknown_share_domain_is_refused(client: AsyncTestClient, redis: Redis, settings: Settings) -> None:
    alice = await create_account(redis, settings, "alice@example.com")
    body = {"secret": {"secret": "x", "share_domain": "not-mine.example.org"}}
    response = await client.post("/api/v2/secret/conceal", json=body, headers=alice)
    assert_error(response, 422, "FormError", "Unknown domain: not-mine.example.org", field="share_domain")


@pytest.mark.parametrize(
    ("raw", "content_type", "message"),
    [
        (b'{"secret": ', "application/json", "The request body is not valid JSON"),
        (b"[1, 2]", "application/json", "The request body must be a JSON object"),
        (b"secret[secret]=x&secret=y", "application/x-www-form-urlencoded", None),
        (b"secret[secret]=\xff", "application/x-www-form-urlencoded", "The request is not valid UTF-8"),
    ],
)
async def test_an_unreadable_body_is_a_400(
    client: AsyncTestClient, raw: bytes, content_type: str, message: str
) -> None:
    response = await client.post("/api/v2/secret/conceal", content=raw, headers={"content-type": content_type})
    assert_error(response, 400, "BadRequest", message)


async def test_a_passphrase_key_with_an_empty_value_means_none(client: AsyncTestClient) -> None:
    record = await conceal(client, "x", passphrase="")
    assert record["secret"]["has_passphrase"] is False


@pytest.mark.parametrize(
    "raw",
    [
        b"=&=null&secret[secret]=kept",
        b"[x]=1&secret[secret]=kept",
        b"a[][b]=1&secret[secret]=kept",
        b"secret[secret]=kept&[]=2",
    ],
)
async def test_form_fields_without_a_name_are_ignored(client: AsyncTestClient, raw: bytes) -> None:
    headers = {"content-type": "application/x-www-form-urlencoded"}
    assert_ok(await client.post("/api/v2/secret/conceal", content=raw, headers=headers))


async def test_a_mistyped_nested_field_is_named(client: AsyncTestClient) -> None:
    response = await client.post("/api/v2/secret/conceal", json={"secret": {"secret": "x", "passphrase": 1234}})
    body = assert_error(response, 422, "FormError", field="passphrase")
    assert "1234" not in response.text
    assert body["error"].startswith("Incorrect payload format")
