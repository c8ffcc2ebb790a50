"""Bring a database written by an older release to this key layout, once, before serving.

Layout 1 named secrets, receipts and their counters by the link keys themselves, and listed an
account's receipts by their plain keys. Layout 2 (this one) names them by digests
(`keys.secret_id`, `keys.receipt_id`); see `onetime.storage.keys`. Every record of layout 1 is
moved under its new name with its remaining lifetime, so secrets and receipts keep working until
they expire; the envelopes are unchanged (the secret key was always an input of their key).

An account's list of layout-1 receipts cannot be sealed to its history key: the server holds no
credential of the account at start. Those entries move to the earlier index as receipt ids, so
the receipts stay reachable by their links and are still handed over if the account is deleted,
but the account's list starts at the upgrade. One process upgrades; the others wait for it.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable

from onetime import keys, sealed
from onetime.errors import StorageUnavailable
from onetime.storage.client import RedisClient, storage_errors, text
from onetime.storage.keys import (
    LAYOUT,
    OUTBOX,
    RECENT_KEEP_SECONDS,
    earlier_recent_name,
    metadata_name,
    outbox_entry_name,
)

log = logging.getLogger(__name__)

LAYOUT_VERSION = b"2"
UPGRADE_LOCK = "ots:layout:upgrading"
LOCK_SECONDS = 600
"""How long one process may hold the upgrade before another takes over."""
_WAIT_STEP = 0.2

# Keys named by a secret key in layout 1: ots:<kind>:{<secret key>}[:<client>].
_SECRET_NAMED = re.compile(r"^ots:(secret|receipt|generated|fails|lock):\{([a-z0-9]{31})\}(.*)$")
_RECEIPT_NAMED = re.compile(r"^ots:metadata:\{([a-z0-9]{31})\}$")
_RECENT = re.compile(r"^ots:recent:\{([^}]*)\}$")


def _is_link_key(text_value: str) -> bool:
    return len(text_value) == keys.KEY_LENGTH and keys.is_key_shaped(text_value)


async def upgrade_layout(client: RedisClient, *, sleep: Callable[[float], object] = asyncio.sleep) -> int:
    """Move every record of layout 1 to layout 2; return how many keys moved (0 when up to date)."""
    if await _version(client) == LAYOUT_VERSION:
        return 0
    while not await _lock(client):
        if await _version(client) == LAYOUT_VERSION:
            return 0
        await sleep(_WAIT_STEP)  # type: ignore[misc]
    try:
        moved = await _move_everything(client)
        await _set_version(client)
    finally:
        await _unlock(client)
    if moved:
        log.warning("upgraded the database to key layout 2: %d keys moved", moved)
    return moved


async def upgrade_when_reachable(client: RedisClient, *, retry_seconds: float = 5.0) -> int:
    """Upgrade as `upgrade_layout`, trying again while Redis does not answer (it was down at start)."""
    while True:
        try:
            return await upgrade_layout(client)
        except StorageUnavailable:
            await asyncio.sleep(retry_seconds)


@storage_errors
async def _version(client: RedisClient) -> bytes | None:
    value = await client.get(LAYOUT)
    return value.encode() if isinstance(value, str) else value


@storage_errors
async def _lock(client: RedisClient) -> bool:
    return bool(await client.set(UPGRADE_LOCK, "1", nx=True, ex=LOCK_SECONDS))


@storage_errors
async def _unlock(client: RedisClient) -> None:
    await client.delete(UPGRADE_LOCK)


@storage_errors
async def _set_version(client: RedisClient) -> None:
    await client.set(LAYOUT, LAYOUT_VERSION)


@storage_errors
async def _move_everything(client: RedisClient) -> int:
    moved = 0
    names = [text(name) async for name in client.scan_iter(match="ots:*", count=1000)]
    for name in names:
        if found := _SECRET_NAMED.match(name):
            kind, secret_key, rest = found.groups()
            moved += await _move(client, name, f"ots:{kind}:{{{keys.secret_id(secret_key)}}}{rest}")
        elif found := _RECEIPT_NAMED.match(name):
            moved += await _move_receipt_index(client, name, found.group(1))
        elif found := _RECENT.match(name):
            moved += await _move_recent(client, found.group(1))
    moved += await _move_outbox(client)
    return moved


async def _move(client: RedisClient, old: str, new: str) -> int:
    """Move one key under a new name with its remaining lifetime (DUMP/RESTORE: slots may differ)."""
    dumped = await client.dump(old)
    pttl = int(await client.pttl(old))
    if dumped is None or pttl == -2:  # noqa: PLR2004 - Redis: the key is gone
        return 0
    if not await client.exists(new):
        await client.restore(new, max(pttl, 0), dumped)
    await client.delete(old)
    return 1


async def _move_receipt_index(client: RedisClient, old: str, metadata_key: str) -> int:
    value = await client.get(old)
    pttl = int(await client.pttl(old))
    if value is None or pttl <= 0:
        return 0
    secret_key = text(value)
    receipt_id = keys.receipt_id(metadata_key)
    sealed_key = sealed.seal_secret_key(metadata_key, receipt_id, secret_key)
    await client.set(metadata_name(receipt_id), keys.secret_id(secret_key).encode() + sealed_key, px=pttl)
    await client.delete(old)
    return 1


async def _move_recent(client: RedisClient, owner: str) -> int:
    name = f"ots:recent:{{{owner}}}"
    plain = [
        (text(member), float(score)) for member, score in await _scored(client, name) if _is_link_key(text(member))
    ]
    if not plain:
        return 0
    earlier = {keys.receipt_id(member): score for member, score in plain}
    await client.zadd(earlier_recent_name(owner), earlier)
    await client.expire(earlier_recent_name(owner), RECENT_KEEP_SECONDS)
    await client.zrem(name, *(member for member, _ in plain))
    return 1


async def _move_outbox(client: RedisClient) -> int:
    moved = 0
    for member, score in await _scored(client, OUTBOX):
        mail_id = text(member)
        if not _is_link_key(mail_id):
            continue  # a confirmation's id, or already a secret id
        new_id = keys.secret_id(mail_id)
        if await client.exists(outbox_entry_name(mail_id)):
            await client.rename(outbox_entry_name(mail_id), outbox_entry_name(new_id))
        await client.zadd(OUTBOX, {new_id: score})
        await client.zrem(OUTBOX, mail_id)
        moved += 1
    return moved


async def _scored(client: RedisClient, name: str) -> list[tuple[bytes, float]]:
    """Return a sorted set's members with their scores."""
    found: list[tuple[bytes, float]] = await client.zrange(name, 0, -1, withscores=True)  # type: ignore[assignment]
    return found
