"""How parameters arrive (form, JSON, multipart, no content type, query string), malformed input,
key shapes, and the error conventions every /api/v1 answer shares."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from onetime.keys import secret_id
from onetime.settings import Settings
from onetime.storage.keys import receipt_name
from tests.conftest import with_settings
from tests.support.api import UNKNOWN_SECRET, assert_error, assert_ok, create_account, serve


async def _reveal(client: AsyncTestClient, created: dict, passphrase: str | None = None) -> str:
    data = None if passphrase is None else {"passphrase": passphrase}
    return assert_ok(await client.post(f"/api/v1/secret/{created['secret_key']}", data=data))["value"]


# Where parameters come from.


async def test_form_encoded_body(client: AsyncTestClient) -> None:
    created = assert_ok(await client.post("/api/v1/share", data={"secret": "form value", "ttl": "600"}))
    assert created["ttl"] == 600
    assert await _reveal(client, created) == "form value"


async def test_json_body_with_numbers(client: AsyncTestClient) -> None:
    response = await client.post("/api/v1/share", json={"secret": "json value", "ttl": 600, "passphrase": "pw"})
    created = assert_ok(response)
    assert (created["ttl"], created["passphrase_required"]) == (600, True)
    assert await _reveal(client, created, "pw") == "json value"


async def test_json_body_with_a_recipient_list(settings: Settings, redis: Redis) -> None:
    alice = await create_account(redis, settings, "alice@example.com")
    mail = {"smtp_url": "smtp://127.0.0.1:2525", "mail_from": "noreply@example.com"}
    async with serve(with_settings(settings, **mail)) as (_, http):
        response = await http.post(
            "/api/v1/share", headers=alice, json={"secret": "x", "recipient": ["tom@example.com", "a@b.co"]}
        )
        assert assert_ok(response)["recipient"] == ["to*****@e*****.com", "a*****@b*****.co"]


async def test_json_null_is_a_missing_parameter(client: AsyncTestClient) -> None:
    created = assert_ok(await client.post("/api/v1/share", json={"secret": "x", "ttl": None, "passphrase": None}))
    assert (created["ttl"], created["passphrase_required"]) == (7 * 24 * 3600, False)


async def test_multipart_body(client: AsyncTestClient) -> None:
    response = await client.post("/api/v1/share", files={"secret": (None, "multipart value"), "ttl": (None, "600")})
    created = assert_ok(response)
    assert created["ttl"] == 600
    assert await _reveal(client, created) == "multipart value"


async def test_body_without_content_type_is_read_as_a_form(client: AsyncTestClient) -> None:
    request = client.build_request("POST", "/api/v1/share", content=b"secret=bare+value%21&ttl=600")
    assert "content-type" not in request.headers
    created = assert_ok(await client.send(request))
    assert created["ttl"] == 600
    assert await _reveal(client, created) == "bare value!"


async def test_parameters_in_the_query_string(client: AsyncTestClient) -> None:
    created = assert_ok(await client.post("/api/v1/share", params={"secret": "query value", "ttl": "600"}))
    assert created["ttl"] == 600
    assert await _reveal(client, created) == "query value"


async def test_query_string_and_body_merge_and_the_body_wins(client: AsyncTestClient) -> None:
    response = await client.post("/api/v1/share", params={"secret": "from query", "ttl": "600"}, data={"secret": "b"})
    created = assert_ok(response)
    assert created["ttl"] == 600
    assert await _reveal(client, created) == "b"


async def test_generate_reads_length_from_json(client: AsyncTestClient) -> None:
    assert len(assert_ok(await client.post("/api/v1/generate", json={"length": 30}))["value"]) == 30


# Malformed input: a clear message, never a crash.


@pytest.mark.parametrize(
    ("content", "content_type", "message"),
    [
        (b"{not json", "application/json", "The request body is not valid JSON"),
        (b'["secret"]', "application/json", "The request body must be a JSON object"),
        (b'"secret"', "application/json", "The request body must be a JSON object"),
        (b'{"secret": {"nested": 1}}', "application/json", "Parameter secret must be a string"),
        (b'{"secret": "\\ud800"}', "application/json", "The request body is not valid JSON"),  # lone surrogate
        (b"secret=\xff\xfe", "application/x-www-form-urlencoded", "The request body is not valid UTF-8"),
        (b"secret=%ff%fe", "application/x-www-form-urlencoded", "The request body is not valid UTF-8"),
        ("&".join(f"f{i}=x" for i in range(100)).encode(), "", "The request body has too many fields"),
    ],
)
async def test_unreadable_body_is_a_clear_error(
    client: AsyncTestClient, content: bytes, content_type: str, message: str
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    assert_error(await client.post("/api/v1/share", content=content, headers=headers), message, 400)


async def test_unreadable_query_string_is_a_clear_error(client: AsyncTestClient) -> None:
    response = await client.post("/api/v1/share?secret=%ff")
    assert_error(response, "The query string is not valid UTF-8", 400)


async def test_body_over_the_size_cap_is_refused_as_json(client: AsyncTestClient, settings: Settings) -> None:
    oversized = b"secret=" + b"x" * settings.max_body_bytes
    response = await client.post(
        "/api/v1/share", content=oversized, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert_error(response, "The request body is too large", 413)


# Keys that cannot be keys are unknown, without a word to Redis.

BAD_KEYS = ["abc", "a" * 19, "a" * 65, "A" * 31, "abc-defghijklmnopqrstuvwxyz1234", "a" * 30 + "_", "€" * 31]


def _key_calls(key: str) -> list[tuple[str, str]]:
    calls = [("POST", f"/api/v1/secret/{key}")]
    for base in ("private", "metadata", "receipt"):
        calls += [
            ("GET", f"/api/v1/{base}/{key}"),
            ("POST", f"/api/v1/{base}/{key}"),
            ("POST", f"/api/v1/{base}/{key}/burn"),
        ]
    return calls


@pytest.mark.parametrize("key", BAD_KEYS)
async def test_malformed_key_is_unknown_secret_without_touching_storage(
    client: AsyncTestClient, redis: Redis, key: str
) -> None:
    await redis.config_resetstat()
    for method, path in _key_calls(key):
        assert_error(await client.request(method, path), UNKNOWN_SECRET, 404, key)
    stats = await redis.info("commandstats")
    # zrangebyscore: the notification and webhook workers look for due work meanwhile, in the background.
    background = {"zrangebyscore"}
    assert {name.removeprefix("cmdstat_") for name in stats} <= {"config", "config|resetstat", "info", *background}


async def test_secret_url_with_a_query_string_still_reveals(client: AsyncTestClient) -> None:
    created = assert_ok(await client.post("/api/v1/share", data={"secret": "x"}))
    assert assert_ok(await client.post(f"/api/v1/secret/{created['secret_key']}?utm_source=mail"))["value"] == "x"


# The conventions every answer shares.

ERRORS = [
    ("GET", "/api/v1/authcheck", {}),
    ("GET", "/api/v1/private/recent", {}),
    ("POST", "/api/v1/share", {}),
    ("POST", "/api/v1/share", {"data": {"secret": "x" * 1001}}),
    ("POST", "/api/v1/generate", {"data": {"length": "500"}}),
    ("POST", f"/api/v1/secret/{'z' * 31}", {}),
    ("GET", f"/api/v1/private/{'z' * 31}", {}),
    ("POST", f"/api/v1/private/{'z' * 31}/burn", {}),
    ("POST", "/api/v1/share", {"headers": {"Authorization": "Basic Og=="}}),
    ("POST", "/api/v1/share", {"content": b"[1]", "headers": {"Content-Type": "application/json"}}),
]


@pytest.mark.parametrize(("method", "path", "options"), ERRORS)
async def test_every_error_is_a_404_with_a_json_message_and_the_intended_status(
    client: AsyncTestClient, method: str, path: str, options: dict
) -> None:
    response = await client.request(method, path, **options)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert set(response.json()) <= {"message", "secret_key"}
    assert response.json()["message"]
    assert response.headers["x-ots-intended-status"] in {"400", "401", "404", "413", "429", "503"}
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1"),
        ("GET", "/api/v1/"),
        ("GET", "/api/v1/nothing-here"),
        ("POST", f"/api/v1/secret/{'z' * 31}/extra"),
        ("GET", "/api/v3/status"),  # v2 is served now; a version this server does not have
    ],
)
async def test_unknown_route_is_a_json_not_found(client: AsyncTestClient, method: str, path: str) -> None:
    response = await client.request(method, path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"error": "Not Found"}
    assert response.headers["x-ots-intended-status"] == "404"
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/status"),
        ("POST", "/api/v1/authcheck"),
        ("GET", "/api/v1/share"),
        ("PUT", "/api/v1/share"),
        ("GET", "/api/v1/generate"),
        ("DELETE", f"/api/v1/secret/{'z' * 31}"),
        ("GET", f"/api/v1/private/{'z' * 31}/burn"),
        ("DELETE", f"/api/v1/private/{'z' * 31}"),
        ("TRACE", "/api/v1/status"),
        ("PATCH", "/api/v1/private/recent"),
    ],
)
async def test_unknown_method_is_a_v1_error_with_intended_status_405(
    client: AsyncTestClient, method: str, path: str
) -> None:
    response = await client.request(method, path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"message": "Method not allowed", "error": "Not Found"}
    assert response.headers["x-ots-intended-status"] == "405"
    assert response.headers["cache-control"] == "no-store"


async def test_successful_answers_are_not_cacheable(client: AsyncTestClient) -> None:
    created = assert_ok(await client.post("/api/v1/share", data={"secret": "x"}))
    answers = [
        await client.get("/api/v1/status"),
        await client.post("/api/v1/generate"),
        await client.get(f"/api/v1/private/{created['metadata_key']}"),
        await client.post(f"/api/v1/secret/{created['secret_key']}"),
    ]
    for response in answers:
        assert_ok(response)  # checks Cache-Control: no-store


async def test_an_unexpected_failure_still_answers_json(client: AsyncTestClient, redis: Redis) -> None:
    created = assert_ok(await client.post("/api/v1/share", data={"secret": "x"}))
    await redis.hset(receipt_name(secret_id(created["secret_key"])), "t", "not a number")  # a corrupt record
    response = await client.get(f"/api/v1/private/{created['metadata_key']}")
    assert_error(response, "Something went wrong on our side", 500)
    assert created["secret_key"] not in response.text
