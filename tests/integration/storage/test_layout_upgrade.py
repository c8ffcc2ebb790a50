"""A database written by the previous release (records named by their link keys) keeps working.

The records are written as that release wrote them, the app starts (and upgrades), and the old
links reveal, read and burn as before, while no key name or value holds a link key any more.
"""

from __future__ import annotations

import time

from redis.asyncio import Redis

from onetime import keys
from onetime.crypto import Cipher, PassphraseHasher
from onetime.settings import Settings
from onetime.storage.keys import LAYOUT, OUTBOX, earlier_recent_name, outbox_entry_name
from onetime.storage.upgrade import upgrade_layout
from tests.support.api import assert_ok, serve

ALICE = "alice@example.com"


async def write_first_layout(
    redis: Redis, settings: Settings, value: str, passphrase: str | None = None
) -> tuple[str, str]:
    """Store a secret, its receipt and index as layout 1 did; return its secret key and receipt key."""
    assert settings.master_secret is not None
    secret_key, metadata_key = keys.new_key(), keys.new_key()
    now = int(time.time())
    hashed = await PassphraseHasher(4).hash(passphrase) if passphrase else b""
    envelope = Cipher(settings.master_secret).seal(value, secret_key, passphrase)
    await redis.set(f"ots:secret:{{{secret_key}}}", bytes([len(hashed)]) + hashed + envelope, ex=3600)
    receipt = f"ots:receipt:{{{secret_key}}}"
    fields = {"o": ALICE, "t": "3600", "c": str(now), "u": str(now), "s": "new", "p": "1" if passphrase else ""}
    await redis.hset(receipt, mapping={code: text for code, text in fields.items() if text})
    await redis.expire(receipt, 7200)
    await redis.set(f"ots:metadata:{{{metadata_key}}}", secret_key, ex=7200)
    await redis.zadd(f"ots:recent:{{{ALICE}}}", {metadata_key: now})
    return secret_key, metadata_key


async def test_secrets_and_receipts_of_the_first_layout_keep_working(settings: Settings, redis: Redis) -> None:
    plain_key, plain_receipt = await write_first_layout(redis, settings, "written before the upgrade")
    guarded_key, guarded_receipt = await write_first_layout(redis, settings, "guarded before", "old passphrase")
    burned_key, burned_receipt = await write_first_layout(redis, settings, "burn me")
    await redis.set(f"ots:fails:{{{guarded_key}}}:203.0.113.7", 2, ex=600)
    await redis.zadd(OUTBOX, {plain_key: 0})
    await redis.hset(outbox_entry_name(plain_key), mapping={"to": "tom@example.net"})
    await redis.expire(outbox_entry_name(plain_key), 3600)
    old_links = [plain_key, plain_receipt, guarded_key, guarded_receipt, burned_key, burned_receipt]

    async with serve(settings) as (_, http):
        assert await redis.get(LAYOUT) == b"2"
        stored = [name async for name in redis.scan_iter("*")]
        stored += await redis.zrange(OUTBOX, 0, -1)
        stored += await redis.zrange(earlier_recent_name(ALICE), 0, -1)
        assert not [name for name in stored if any(link.encode() in name for link in old_links)]
        # The failed guesses moved with the secret.
        assert await redis.get(f"ots:fails:{{{keys.secret_id(guarded_key)}}}:203.0.113.7") == b"2"
        assert await redis.exists(outbox_entry_name(keys.secret_id(plain_key)))

        receipt = assert_ok(await http.get(f"/api/v1/private/{plain_receipt}"))
        assert (receipt["state"], receipt["secret_key"]) == ("new", plain_key)
        revealed = assert_ok(await http.post(f"/api/v1/secret/{plain_key}"))
        assert revealed["value"] == "written before the upgrade"
        assert assert_ok(await http.get(f"/api/v1/private/{plain_receipt}"))["state"] == "received"

        wrong = await http.post(f"/api/v1/secret/{guarded_key}", data={"passphrase": "wrong"})
        assert wrong.status_code == 404
        right = assert_ok(await http.post(f"/api/v1/secret/{guarded_key}", data={"passphrase": "old passphrase"}))
        assert right["value"] == "guarded before"

        burned = assert_ok(await http.post(f"/api/v1/private/{burned_receipt}/burn"))
        assert burned["state"]["state"] == "burned"
        assert (await http.post(f"/api/v1/secret/{burned_key}")).status_code == 404

        # The account's list of layout-1 receipts could not be sealed: they wait to be handed over.
        earlier = await redis.zrange(earlier_recent_name(ALICE), 0, -1)
        assert sorted(earlier) == sorted(
            keys.receipt_id(key).encode() for key in (plain_receipt, guarded_receipt, burned_receipt)
        )
        assert not await redis.exists(f"ots:recent:{{{ALICE}}}")

    assert await upgrade_layout(redis) == 0  # once upgraded, a start moves nothing


async def test_a_database_already_in_this_layout_is_left_alone(settings: Settings, redis: Redis) -> None:
    async with serve(settings) as (_, http):
        created = assert_ok(await http.post("/api/v1/share", data={"secret": "new layout"}))
    before = sorted([name async for name in redis.scan_iter("*")])
    await redis.delete(LAYOUT)  # as if the marker were lost: nothing of layout 1 is found, nothing moves
    assert await upgrade_layout(redis) == 0
    assert sorted([name async for name in redis.scan_iter("*")]) == before
    async with serve(settings) as (_, http):
        assert assert_ok(await http.post(f"/api/v1/secret/{created['secret_key']}"))["value"] == "new layout"
