"""POST /share and its /create alias: the answer, TTL and size rules, and every validation error."""

from __future__ import annotations

import time

import pytest
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from onetime.keys import is_key_shaped
from onetime.settings import RequestLimit, Settings
from tests.conftest import with_settings
from tests.support.api import BASE_URL, RATE_LIMITED, assert_error, assert_ok, create_account, metadata_fields, serve

DAY = 24 * 3600
CREATE_FIELDS = metadata_fields("received", "delivery", "value")
MAIL = {"smtp_url": "smtp://127.0.0.1:2525", "mail_from": "noreply@example.com"}


@pytest.fixture
async def alice(redis: Redis, settings: Settings) -> dict[str, str]:
    return await create_account(redis, settings, "alice@example.com")


async def _share(client: AsyncTestClient, **params: object) -> dict:
    headers = params.pop("headers", None)
    return assert_ok(await client.post("/api/v1/share", data=params, headers=headers))


async def test_minimal_share_answers_a_new_receipt(client: AsyncTestClient) -> None:
    before = int(time.time())
    body = await _share(client, secret="hunter2")
    assert list(body) == CREATE_FIELDS
    assert body["custid"] == "anon"
    assert is_key_shaped(body["metadata_key"])
    assert len(body["metadata_key"]) == len(body["secret_key"]) == 31
    assert body["metadata_key"] != body["secret_key"]
    assert body["ttl"] == body["secret_ttl"] == 7 * DAY
    assert body["metadata_ttl"] == 14 * DAY
    assert body["metadata_url"] == f"{BASE_URL}/private/{body['metadata_key']}"
    assert body["secret_url"] == f"{BASE_URL}/secret/{body['secret_key']}"
    assert body["state"] == "new"
    assert before <= body["created"] == body["updated"] <= int(time.time())
    assert body["recipient"] == []
    assert body["share_domain"] == ""
    assert body["passphrase_required"] is False


async def test_share_numbers_are_json_integers(client: AsyncTestClient) -> None:
    body = await _share(client, secret="hunter2", ttl="3600")
    for name in ("ttl", "metadata_ttl", "secret_ttl", "created", "updated"):
        assert type(body[name]) is int


async def test_full_share_applies_every_parameter(settings: Settings, redis: Redis, alice: dict[str, str]) -> None:
    async with serve(with_settings(settings, **MAIL)) as (_, http):
        response = await http.post(
            "/api/v1/share",
            headers=alice,
            data={"secret": "hunter2", "ttl": "3600", "passphrase": "open sesame", "recipient": "tom@example.com"},
        )
        body = assert_ok(response)
        # `delivery` is additive: only a receipt with a recipient has it, just before passphrase_required.
        assert list(body) == [*CREATE_FIELDS[:-1], "delivery", "passphrase_required"]
        assert body["delivery"] == {"state": "queued", "attempts": 0}
        assert body["custid"] == "alice@example.com"
        assert (body["ttl"], body["secret_ttl"], body["metadata_ttl"]) == (3600, 3600, 7200)
        assert body["recipient"] == ["to*****@e*****.com"]
        assert body["passphrase_required"] is True
        assert "tom@example.com" not in response.text
        revealed = assert_ok(
            await http.post(f"/api/v1/secret/{body['secret_key']}", data={"passphrase": "open sesame"})
        )
        assert revealed["value"] == "hunter2"


async def test_recipient_array_form_is_accepted(settings: Settings, redis: Redis, alice: dict[str, str]) -> None:
    async with serve(with_settings(settings, **MAIL)) as (_, http):
        response = await http.post(
            "/api/v1/share",
            # Brackets unescaped, the way `curl -d` sends them.
            headers={**alice, "Content-Type": "application/x-www-form-urlencoded"},
            content="secret=x&recipient[]=tom@example.com&recipient[]=john.smith@mail.example.org",
        )
        assert assert_ok(response)["recipient"] == ["to*****@e*****.com", "jo*****@m*****.org"]


async def test_create_is_an_alias_of_share(client: AsyncTestClient) -> None:
    body = assert_ok(await client.post("/api/v1/create", data={"secret": "via create", "ttl": "600"}))
    assert list(body) == CREATE_FIELDS
    assert body["ttl"] == 600
    revealed = assert_ok(await client.post(f"/api/v1/secret/{body['secret_key']}"))
    assert revealed["value"] == "via create"


async def test_unicode_value_round_trips(client: AsyncTestClient) -> None:
    value = "pässwörd パスワード 🔑\nsecond line\ttab"
    body = await _share(client, secret=value)
    assert assert_ok(await client.post(f"/api/v1/secret/{body['secret_key']}"))["value"] == value


async def test_leading_and_trailing_whitespace_is_kept(client: AsyncTestClient) -> None:
    body = await _share(client, secret="  spaced  \n")
    assert assert_ok(await client.post(f"/api/v1/secret/{body['secret_key']}"))["value"] == "  spaced  \n"


async def test_anonymous_value_of_1000_bytes_is_accepted_whole(client: AsyncTestClient) -> None:
    value = "x" * 1000
    body = await _share(client, secret=value)
    assert assert_ok(await client.post(f"/api/v1/secret/{body['secret_key']}"))["value"] == value


async def test_anonymous_value_of_1001_bytes_is_refused(client: AsyncTestClient) -> None:
    response = await client.post("/api/v1/share", data={"secret": "x" * 1001})
    assert_error(response, "Secret value exceeds the maximum size of 1000 bytes", 400)


async def test_size_is_counted_in_utf8_bytes(client: AsyncTestClient) -> None:
    assert_ok(await client.post("/api/v1/share", data={"secret": "€" * 333}))  # 999 bytes
    response = await client.post("/api/v1/share", data={"secret": "€" * 334})  # 334 characters, 1002 bytes
    assert_error(response, "Secret value exceeds the maximum size of 1000 bytes", 400)


async def test_basic_account_may_share_10000_bytes(client: AsyncTestClient, alice: dict[str, str]) -> None:
    value = "y" * 10_000
    body = await _share(client, secret=value, headers=alice)
    assert assert_ok(await client.post(f"/api/v1/secret/{body['secret_key']}"))["value"] == value
    response = await client.post("/api/v1/share", data={"secret": value + "y"}, headers=alice)
    assert_error(response, "Secret value exceeds the maximum size of 10000 bytes", 400)


@pytest.mark.parametrize(
    ("ttl", "applied"),
    [
        (None, 7 * DAY),
        ("", 60),
        ("   ", 60),
        ("soon", 60),
        ("59", 60),
        ("0", 60),
        ("-3600", 60),
        ("60", 60),
        ("3600", 3600),
        ("3600.5", 3600),
        ("604800", 7 * DAY),
        ("604801", 7 * DAY),
        ("99999999999999999999", 7 * DAY),
    ],
)
async def test_anonymous_ttl_is_never_an_error(client: AsyncTestClient, ttl: str | None, applied: int) -> None:
    params = {"secret": "x"} if ttl is None else {"secret": "x", "ttl": ttl}
    body = await _share(client, **params)
    assert (body["ttl"], body["secret_ttl"], body["metadata_ttl"]) == (applied, applied, 2 * applied)


@pytest.mark.parametrize(("ttl", "applied"), [(None, 7 * DAY), (str(14 * DAY), 14 * DAY), (str(30 * DAY), 14 * DAY)])
async def test_basic_account_ttl_is_clamped_to_14_days(
    client: AsyncTestClient, alice: dict[str, str], ttl: str | None, applied: int
) -> None:
    params = {"secret": "x"} if ttl is None else {"secret": "x", "ttl": ttl}
    assert (await _share(client, headers=alice, **params))["ttl"] == applied


async def test_identity_account_may_keep_a_secret_30_days(
    client: AsyncTestClient, redis: Redis, settings: Settings
) -> None:
    headers = await create_account(redis, settings, "ida@example.com", plan="identity")
    assert (await _share(client, headers=headers, secret="x", ttl=str(60 * DAY)))["ttl"] == 30 * DAY


# Validation errors, each on its own, then in the contract's order.


async def test_rate_limit_refuses_creations_past_the_limit(settings: Settings, redis: Redis) -> None:
    async with serve(with_settings(settings, limit_create=RequestLimit(2, 60))) as (_, http):
        assert_ok(await http.post("/api/v1/share", data={"secret": "one"}))
        assert_ok(await http.post("/api/v1/generate"))
        assert_error(await http.post("/api/v1/share", data={"secret": "three"}), RATE_LIMITED, 429)
        assert_error(await http.post("/api/v1/create", data={"secret": "four"}), RATE_LIMITED, 429)


async def test_rate_limit_counts_each_client_separately(settings: Settings, redis: Redis) -> None:
    limited = with_settings(settings, limit_create=RequestLimit(1, 60))
    async with serve(limited, peer="198.51.100.1") as (_, first), serve(limited, peer="198.51.100.2") as (_, second):
        assert_ok(await first.post("/api/v1/share", data={"secret": "one"}))
        assert_error(await first.post("/api/v1/share", data={"secret": "two"}), RATE_LIMITED, 429)
        assert_ok(await second.post("/api/v1/share", data={"secret": "one"}))


async def test_rate_limits_off_lets_every_creation_through(settings: Settings, redis: Redis) -> None:
    async with serve(with_settings(settings, limit_create=RequestLimit(1, 60), rate_limits=False)) as (_, http):
        for _ in range(3):
            assert_ok(await http.post("/api/v1/share", data={"secret": "x"}))


async def test_rate_limit_is_checked_first(settings: Settings, redis: Redis) -> None:
    async with serve(with_settings(settings, limit_create=RequestLimit(1, 60))) as (_, http):
        assert_ok(await http.post("/api/v1/share", data={"secret": "one"}))
        everything_wrong = {"recipient": "tom@example.com", "share_domain": "example.org", "secret": ""}
        assert_error(await http.post("/api/v1/share", data=everything_wrong), RATE_LIMITED, 429)


async def test_anonymous_recipient_needs_an_account(client: AsyncTestClient) -> None:
    response = await client.post("/api/v1/share", data={"secret": "x", "recipient": "tom@example.com"})
    assert_error(response, "An account is required to send emails.", 400)


async def test_invalid_recipient_is_named(client: AsyncTestClient, alice: dict[str, str]) -> None:
    response = await client.post("/api/v1/share", data={"secret": "x", "recipient": "not-an-address"}, headers=alice)
    assert_error(response, "Undeliverable email address: not-an-address", 400)


async def test_recipient_without_mail_configured_is_refused_clearly(
    client: AsyncTestClient, alice: dict[str, str]
) -> None:
    response = await client.post("/api/v1/share", data={"secret": "x", "recipient": "tom@example.com"}, headers=alice)
    assert_error(response, "Email delivery is not configured on this server", 400)


async def test_unverified_share_domain_is_unknown(client: AsyncTestClient, alice: dict[str, str]) -> None:
    response = await client.post("/api/v1/share", data={"secret": "x", "share_domain": "example.org"}, headers=alice)
    assert_error(response, "Unknown domain: example.org", 400)
    response = await client.post("/api/v1/share", data={"secret": "x", "share_domain": "example.org"})
    assert_error(response, "Unknown domain: example.org", 400)


async def test_blank_share_domain_means_none(client: AsyncTestClient) -> None:
    assert (await _share(client, secret="x", share_domain="  "))["share_domain"] == ""


async def test_passphrase_shorter_than_the_minimum_is_refused(settings: Settings, redis: Redis) -> None:
    async with serve(with_settings(settings, passphrase_min_length=8)) as (_, http):
        response = await http.post("/api/v1/share", data={"secret": "x", "passphrase": "1234567"})
        assert_error(response, "Passphrase must be at least 8 characters long", 400)
        assert_ok(await http.post("/api/v1/share", data={"secret": "x", "passphrase": "12345678"}))


async def test_passphrase_longer_than_the_maximum_is_refused(client: AsyncTestClient) -> None:
    response = await client.post("/api/v1/share", data={"secret": "x", "passphrase": "p" * 129})
    assert_error(response, "Passphrase must be no more than 128 characters long", 400)


async def test_passphrase_length_counts_characters_not_bytes(client: AsyncTestClient) -> None:
    body = await _share(client, secret="x", passphrase="é" * 128)
    assert body["passphrase_required"] is True


async def test_configured_maximum_passphrase_length_applies(settings: Settings, redis: Redis) -> None:
    async with serve(with_settings(settings, passphrase_max_length=10)) as (_, http):
        response = await http.post("/api/v1/share", data={"secret": "x", "passphrase": "p" * 11})
        assert_error(response, "Passphrase must be no more than 10 characters long", 400)


async def test_required_passphrase_must_be_given(settings: Settings, redis: Redis) -> None:
    async with serve(with_settings(settings, passphrase_required=True)) as (_, http):
        assert_error(
            await http.post("/api/v1/share", data={"secret": "x"}), "A passphrase is required for all secrets", 400
        )
        assert_error(
            await http.post("/api/v1/share", data={"secret": "x", "passphrase": ""}),
            "A passphrase is required for all secrets",
            400,
        )
        assert_ok(await http.post("/api/v1/share", data={"secret": "x", "passphrase": "given"}))


@pytest.mark.parametrize("params", [{}, {"secret": ""}, {"ttl": "3600"}])
async def test_empty_or_missing_secret_is_refused(client: AsyncTestClient, params: dict[str, str]) -> None:
    assert_error(await client.post("/api/v1/share", data=params), "You did not provide anything to share", 400)


async def test_recipient_is_checked_before_share_domain(client: AsyncTestClient) -> None:
    response = await client.post(
        "/api/v1/share", data={"secret": "", "recipient": "not-an-address", "share_domain": "example.org"}
    )
    assert_error(response, "An account is required to send emails.", 400)


async def test_share_domain_is_checked_before_passphrase(settings: Settings, redis: Redis) -> None:
    async with serve(with_settings(settings, passphrase_required=True)) as (_, http):
        response = await http.post("/api/v1/share", data={"secret": "", "share_domain": "example.org"})
        assert_error(response, "Unknown domain: example.org", 400)


async def test_passphrase_is_checked_before_the_secret(settings: Settings, redis: Redis) -> None:
    async with serve(with_settings(settings, passphrase_min_length=8)) as (_, http):
        response = await http.post("/api/v1/share", data={"secret": "", "passphrase": "short"})
        assert_error(response, "Passphrase must be at least 8 characters long", 400)
        response = await http.post("/api/v1/share", data={"secret": "x" * 1001, "passphrase": "short"})
        assert_error(response, "Passphrase must be at least 8 characters long", 400)


async def test_refused_share_stores_nothing(client: AsyncTestClient, redis: Redis) -> None:
    await client.post("/api/v1/share", data={"secret": "x" * 1001})
    await client.post("/api/v1/share", data={"secret": "x", "share_domain": "example.org"})
    assert [key async for key in redis.scan_iter("ots:secret:*")] == []
    assert [key async for key in redis.scan_iter("ots:metadata:*")] == []
