"""POST /secret/:key: reveal once, passphrases, the brute-force lockout, and encryption at rest."""

from __future__ import annotations

import asyncio
import base64
import time

import httpx
import pytest
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from onetime.keys import secret_id
from onetime.settings import RequestLimit, Settings
from onetime.storage.keys import secret_name
from tests.conftest import with_settings
from tests.support.api import (
    BASE_URL,
    RATE_LIMITED,
    UNKNOWN_SECRET,
    assert_error,
    assert_ok,
    peer_client,
    serve,
)
from tests.support.hashing import CountingHasher

PASSPHRASE = "open sesame"
MASTER_A = b"A" * 32
MASTER_B = b"B" * 32


async def _share(client: AsyncTestClient, value: str = "hunter2", **params: str) -> dict:
    return assert_ok(await client.post("/api/v1/share", data={"secret": value, **params}))


async def test_reveal_answers_the_value_once(client: AsyncTestClient) -> None:
    created = await _share(client)
    key = created["secret_key"]
    body = assert_ok(await client.post(f"/api/v1/secret/{key}"))
    assert list(body) == ["value", "secret_key", "share_domain"]
    assert body == {"value": "hunter2", "secret_key": key, "share_domain": BASE_URL}


async def test_second_reveal_is_unknown_secret(client: AsyncTestClient) -> None:
    key = (await _share(client))["secret_key"]
    assert_ok(await client.post(f"/api/v1/secret/{key}"))
    assert_error(await client.post(f"/api/v1/secret/{key}"), UNKNOWN_SECRET, 404, key)


async def test_reveal_marks_the_receipt_received(client: AsyncTestClient) -> None:
    created = await _share(client)
    before = int(time.time())
    assert_ok(await client.post(f"/api/v1/secret/{created['secret_key']}"))
    receipt = assert_ok(await client.get(f"/api/v1/private/{created['metadata_key']}"))
    assert receipt["state"] == "received"
    assert before <= receipt["received"] == receipt["updated"] <= int(time.time())


async def test_never_created_key_is_unknown_secret(client: AsyncTestClient) -> None:
    key = "0" * 31
    assert_error(await client.post(f"/api/v1/secret/{key}"), UNKNOWN_SECRET, 404, key)


async def test_receipt_key_does_not_reveal_the_secret(client: AsyncTestClient) -> None:
    created = await _share(client)
    metadata_key = created["metadata_key"]
    assert_error(await client.post(f"/api/v1/secret/{metadata_key}"), UNKNOWN_SECRET, 404, metadata_key)
    assert assert_ok(await client.post(f"/api/v1/secret/{created['secret_key']}"))["value"] == "hunter2"


async def test_get_on_a_secret_is_not_a_reveal(client: AsyncTestClient) -> None:
    key = (await _share(client))["secret_key"]
    response = await client.get(f"/api/v1/secret/{key}")
    assert response.status_code == 404
    assert response.json()["error"] == "Not Found"
    assert response.headers["x-ots-intended-status"] == "405"
    assert assert_ok(await client.post(f"/api/v1/secret/{key}"))["value"] == "hunter2"


async def test_reveal_with_the_passphrase(client: AsyncTestClient) -> None:
    key = (await _share(client, passphrase=PASSPHRASE))["secret_key"]
    body = assert_ok(await client.post(f"/api/v1/secret/{key}", data={"passphrase": PASSPHRASE}))
    assert body["value"] == "hunter2"


async def test_reveal_without_the_passphrase_is_unknown_and_keeps_the_secret(client: AsyncTestClient) -> None:
    created = await _share(client, passphrase=PASSPHRASE)
    key = created["secret_key"]
    assert_error(await client.post(f"/api/v1/secret/{key}"), UNKNOWN_SECRET, 404, key)
    assert_error(await client.post(f"/api/v1/secret/{key}", data={"passphrase": ""}), UNKNOWN_SECRET, 404, key)
    receipt = assert_ok(await client.get(f"/api/v1/private/{created['metadata_key']}"))
    assert (receipt["state"], receipt["secret_key"]) == ("new", key)


async def test_wrong_passphrase_then_right_one(client: AsyncTestClient) -> None:
    key = (await _share(client, passphrase=PASSPHRASE))["secret_key"]
    wrong = await client.post(f"/api/v1/secret/{key}", data={"passphrase": "open sesame!"})
    assert_error(wrong, UNKNOWN_SECRET, 404, key)
    right = assert_ok(await client.post(f"/api/v1/secret/{key}", data={"passphrase": PASSPHRASE}))
    assert right["value"] == "hunter2"


async def test_passphrase_may_come_as_json_or_in_the_query_string(client: AsyncTestClient) -> None:
    first = (await _share(client, passphrase=PASSPHRASE))["secret_key"]
    assert assert_ok(await client.post(f"/api/v1/secret/{first}", json={"passphrase": PASSPHRASE}))["value"]
    second = (await _share(client, passphrase=PASSPHRASE))["secret_key"]
    assert assert_ok(await client.post(f"/api/v1/secret/{second}", params={"passphrase": PASSPHRASE}))["value"]


async def test_passphrase_on_a_secret_without_one_is_ignored(client: AsyncTestClient) -> None:
    key = (await _share(client))["secret_key"]
    assert assert_ok(await client.post(f"/api/v1/secret/{key}", data={"passphrase": "x"}))["value"] == "hunter2"


async def test_long_passphrase_over_72_bytes_must_match_in_full(client: AsyncTestClient) -> None:
    passphrase = "p" * 100
    key = (await _share(client, passphrase=passphrase))["secret_key"]
    near_miss = "p" * 99 + "q"
    assert_error(await client.post(f"/api/v1/secret/{key}", data={"passphrase": near_miss}), UNKNOWN_SECRET, 404, key)
    assert assert_ok(await client.post(f"/api/v1/secret/{key}", data={"passphrase": passphrase}))["value"]


async def test_reveal_rate_limit_refuses_reveals_past_the_limit(settings: Settings, redis: Redis) -> None:
    async with serve(with_settings(settings, limit_reveal=RequestLimit(2, 60))) as (app, http):
        keys = [assert_ok(await http.post("/api/v1/share", data={"secret": "x"}))["secret_key"] for _ in range(3)]
        assert_ok(await http.post(f"/api/v1/secret/{keys[0]}"))
        assert_error(await http.post(f"/api/v1/secret/{keys[0]}"), UNKNOWN_SECRET, 404, keys[0])
        assert_error(await http.post(f"/api/v1/secret/{keys[1]}"), RATE_LIMITED, 429)
        async with peer_client(app, "198.51.100.9") as other:
            assert assert_ok(await other.post(f"/api/v1/secret/{keys[1]}"))["value"] == "x"


# Brute force: five failures from one client, or twenty in all, lock the secret.


async def _fail(http: httpx.AsyncClient, key: str, times: int, headers: dict[str, str] | None = None) -> None:
    for attempt in range(times):
        response = await http.post(f"/api/v1/secret/{key}", data={"passphrase": f"guess {attempt}"}, headers=headers)
        assert_error(response, UNKNOWN_SECRET, 404, key)


async def test_four_failures_do_not_lock_the_client(client: AsyncTestClient) -> None:
    key = (await _share(client, passphrase=PASSPHRASE))["secret_key"]
    await _fail(client, key, 4)
    assert assert_ok(await client.post(f"/api/v1/secret/{key}", data={"passphrase": PASSPHRASE}))["value"]


async def test_five_failures_lock_that_client_out_even_with_the_right_passphrase(
    settings: Settings, redis: Redis
) -> None:
    async with serve(settings, peer="198.51.100.1") as (app, attacker):
        key = assert_ok(await attacker.post("/api/v1/share", data={"secret": "s", "passphrase": PASSPHRASE}))[
            "secret_key"
        ]
        await _fail(attacker, key, 5)
        locked = await attacker.post(f"/api/v1/secret/{key}", data={"passphrase": PASSPHRASE})
        assert_error(locked, RATE_LIMITED, 429)
        async with peer_client(app, "198.51.100.2") as someone_else:
            revealed = await someone_else.post(f"/api/v1/secret/{key}", data={"passphrase": PASSPHRASE})
            assert assert_ok(revealed)["value"] == "s"


async def test_concurrent_wrong_guesses_run_bcrypt_no_more_often_than_the_lockout_allows(
    settings: Settings, redis: Redis
) -> None:
    async with serve(settings, peer="198.51.100.1") as (app, attacker):
        key = assert_ok(await attacker.post("/api/v1/share", data={"secret": "s", "passphrase": PASSPHRASE}))[
            "secret_key"
        ]
        hasher = CountingHasher(app.state.services.secret_service.hasher)
        app.state.services.secret_service.hasher = hasher
        guesses = await asyncio.gather(
            *(attacker.post(f"/api/v1/secret/{key}", data={"passphrase": f"guess {n}"}) for n in range(16))
        )
        assert all(guess.status_code == 404 for guess in guesses)
        assert hasher.verified == 5  # the attempts are counted before bcrypt runs, not after
        assert_error(await attacker.post(f"/api/v1/secret/{key}", data={"passphrase": PASSPHRASE}), RATE_LIMITED, 429)


async def test_twenty_failures_in_all_lock_the_secret_for_everybody(settings: Settings, redis: Redis) -> None:
    async with serve(settings, peer="198.51.100.100") as (app, owner):
        key = assert_ok(await owner.post("/api/v1/share", data={"secret": "s", "passphrase": PASSPHRASE}))["secret_key"]
        for peer in range(5):  # four each: no single client reaches its own limit
            async with peer_client(app, f"198.51.100.{peer}") as http:
                await _fail(http, key, 4)
        locked = await owner.post(f"/api/v1/secret/{key}", data={"passphrase": PASSPHRASE})
        assert_error(locked, RATE_LIMITED, 429)


async def test_nineteen_failures_in_all_do_not_lock_the_secret(settings: Settings, redis: Redis) -> None:
    async with serve(settings, peer="198.51.100.100") as (app, owner):
        key = assert_ok(await owner.post("/api/v1/share", data={"secret": "s", "passphrase": PASSPHRASE}))["secret_key"]
        for peer, times in enumerate((4, 4, 4, 4, 3)):
            async with peer_client(app, f"198.51.100.{peer}") as http:
                await _fail(http, key, times)
        assert assert_ok(await owner.post(f"/api/v1/secret/{key}", data={"passphrase": PASSPHRASE}))["value"] == "s"


async def test_spoofed_forwarded_for_from_an_untrusted_peer_does_not_reset_the_count(
    client: AsyncTestClient,
) -> None:
    key = (await _share(client, passphrase=PASSPHRASE))["secret_key"]
    for attempt in range(5):
        await _fail(client, key, 1, headers={"X-Forwarded-For": f"192.0.2.{attempt}"})
    locked = await client.post(
        f"/api/v1/secret/{key}", data={"passphrase": PASSPHRASE}, headers={"X-Forwarded-For": "192.0.2.99"}
    )
    assert_error(locked, RATE_LIMITED, 429)


async def test_trusted_proxy_forwards_each_client_address(settings: Settings, redis: Redis) -> None:
    async with serve(settings, peer="127.0.0.1") as (_, proxy):
        key = assert_ok(await proxy.post("/api/v1/share", data={"secret": "s", "passphrase": PASSPHRASE}))["secret_key"]
        await _fail(proxy, key, 5, headers={"X-Forwarded-For": "198.51.100.1"})
        # The client prepends a made-up hop; the proxy appends the real address, which counts.
        spoofed = {"X-Forwarded-For": "192.0.2.1, 198.51.100.1"}
        locked = await proxy.post(f"/api/v1/secret/{key}", data={"passphrase": PASSPHRASE}, headers=spoofed)
        assert_error(locked, RATE_LIMITED, 429)
        other = await proxy.post(
            f"/api/v1/secret/{key}", data={"passphrase": PASSPHRASE}, headers={"X-Forwarded-For": "198.51.100.2"}
        )
        assert assert_ok(other)["value"] == "s"


async def test_untrusted_proxy_is_one_client_whatever_it_forwards(settings: Settings, redis: Redis) -> None:
    untrusting = with_settings(settings, trusted_proxies=())
    async with serve(untrusting, peer="127.0.0.1") as (_, proxy):
        key = assert_ok(await proxy.post("/api/v1/share", data={"secret": "s", "passphrase": PASSPHRASE}))["secret_key"]
        for attempt in range(5):
            await _fail(proxy, key, 1, headers={"X-Forwarded-For": f"198.51.100.{attempt}"})
        locked = await proxy.post(
            f"/api/v1/secret/{key}", data={"passphrase": PASSPHRASE}, headers={"X-Forwarded-For": "198.51.100.77"}
        )
        assert_error(locked, RATE_LIMITED, 429)


# Encryption at rest, through the whole app.


async def test_ciphertext_copied_under_another_key_does_not_reveal_the_other_value(
    client: AsyncTestClient, redis: Redis
) -> None:
    source = (await _share(client, "the source value"))["secret_key"]
    target = (await _share(client, "the target value"))["secret_key"]
    await redis.set(
        secret_name(secret_id(target)), await redis.get(secret_name(secret_id(source))) or b"", keepttl=True
    )
    response = await client.post(f"/api/v1/secret/{target}")
    assert_error(response, UNKNOWN_SECRET, 404, target)
    assert "the source value" not in response.text
    assert assert_ok(await client.post(f"/api/v1/secret/{source}"))["value"] == "the source value"


async def test_secret_sealed_under_a_rotated_out_master_still_reveals_while_listed(
    settings: Settings, redis: Redis
) -> None:
    async with serve(with_settings(settings, master_secret=MASTER_A)) as (_, http):
        key = assert_ok(await http.post("/api/v1/share", data={"secret": "old secret"}))["secret_key"]
    async with serve(with_settings(settings, master_secret=MASTER_B, previous_master_secrets=(MASTER_A,))) as (_, http):
        assert assert_ok(await http.post(f"/api/v1/secret/{key}"))["value"] == "old secret"


async def test_secret_sealed_under_a_dropped_master_does_not_reveal(settings: Settings, redis: Redis) -> None:
    async with serve(with_settings(settings, master_secret=MASTER_A)) as (_, http):
        key = assert_ok(await http.post("/api/v1/share", data={"secret": "old secret"}))["secret_key"]
    async with serve(with_settings(settings, master_secret=MASTER_B)) as (_, http):
        response = await http.post(f"/api/v1/secret/{key}")
        assert_error(response, UNKNOWN_SECRET, 404, key)
        assert "old secret" not in response.text


async def test_new_secrets_after_rotation_use_the_new_master(settings: Settings, redis: Redis) -> None:
    async with serve(with_settings(settings, master_secret=MASTER_B, previous_master_secrets=(MASTER_A,))) as (_, http):
        key = assert_ok(await http.post("/api/v1/share", data={"secret": "new secret"}))["secret_key"]
    async with serve(with_settings(settings, master_secret=MASTER_B)) as (_, http):
        assert assert_ok(await http.post(f"/api/v1/secret/{key}"))["value"] == "new secret"


@pytest.mark.parametrize("passphrase", [None, PASSPHRASE])
async def test_stored_record_holds_neither_value_nor_passphrase(
    client: AsyncTestClient, redis: Redis, passphrase: str | None
) -> None:
    value = "a very recognisable plaintext"
    params = {} if passphrase is None else {"passphrase": passphrase}
    await _share(client, value, **params)
    dumped = b""
    async for name in redis.scan_iter("ots:*"):
        dumped += name + (await redis.dump(name) or b"")
    for needle in (value, PASSPHRASE):
        assert needle.encode() not in dumped
        assert base64.b64encode(needle.encode()) not in dumped
