"""Helpers of the v2 contract tests: what every v2 success and error looks like, and a quick create."""

from __future__ import annotations

from typing import Any

import httpx
from litestar.testing import AsyncTestClient

Client = AsyncTestClient | httpx.AsyncClient

SECRET_RECORD_FIELDS = [
    "identifier", "key", "shortid", "state", "lifespan", "secret_ttl", "has_passphrase", "verification",
    "created", "updated", "is_previewed", "is_revealed", "is_viewed", "is_received",
]  # fmt: skip
RECEIPT_RECORD_FIELDS = [
    "identifier", "key", "shortid", "custid", "owner_id", "state", "secret_shortid", "secret_identifier",
    "secret_ttl", "metadata_ttl", "receipt_ttl", "lifespan", "share_domain", "created", "updated", "shared",
    "previewed", "revealed", "burned", "viewed", "received", "recipients", "recipient_name", "memo",
    "show_recipients", "is_previewed", "is_viewed", "is_received", "is_revealed", "is_burned", "is_expired",
    "is_orphaned", "is_destroyed", "has_passphrase", "kind", "source",
]  # fmt: skip
RECEIPT_VIEW_EXTRAS = [
    "secret_state", "natural_expiration", "expiration", "expiration_in_seconds", "share_path", "burn_path",
    "receipt_path", "metadata_path", "share_url", "receipt_url", "metadata_url", "burn_url",
]  # fmt: skip


def assert_ok(response: httpx.Response) -> Any:
    """Assert a v2 success (200, JSON, not cacheable, with a request id) and return its body."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["cache-control"] == "no-store"
    assert len(response.headers["x-request-id"]) == 32
    return response.json()


def assert_error(
    response: httpx.Response, status: int, error_type: str, message: str | None = None, field: str | None = None
) -> dict[str, Any]:
    """Assert a v2 error: status, class, text (`message` repeats `error` but on 401 and 500) and request id."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["cache-control"] == "no-store"
    body: dict[str, Any] = response.json()
    assert body["error_type"] == error_type
    assert body["message"] == body["error"] or status in {401, 500}  # their own upstream shapes
    if message is not None:
        assert message in (body["error"], body["message"]), body
    assert body.get("field") == field
    assert body["request_id"] == response.headers["x-request-id"]
    return body


async def conceal(
    client: Client, value: str = "hunter2", headers: dict[str, str] | None = None, **fields: object
) -> dict[str, Any]:
    """Create a secret through v2 with a JSON body and return the answer's `record`."""
    body = {"secret": {"secret": value, **fields}}
    created: dict[str, Any] = assert_ok(await client.post("/api/v2/secret/conceal", json=body, headers=headers))
    assert created["success"] is True
    record: dict[str, Any] = created["record"]
    return record


def secret_key_of(record: dict[str, Any]) -> str:
    """Return the secret identifier of a creation's record."""
    key: str = record["secret"]["identifier"]
    return key


def receipt_key_of(record: dict[str, Any]) -> str:
    """Return the receipt identifier of a creation's record."""
    key: str = record["receipt"]["identifier"]
    return key
