"""Preload secrets straight through the secret service (no HTTP), as fast as one process allows.

Run as `python -m bench.preload --count N --out FILE [--passphrase PW] [--value-bytes B]` with the
server's OTS_SECRET and OTS_REDIS_URL in the environment: each line of FILE is
`<secret_key> <metadata_key>`. The orchestrator starts two of these at once (one per core).

Passphrase secrets: bcrypt at the production cost takes ~0.25 s a hash, so one real hash (cost
OTS_BCRYPT_COST, default 12) is made per process and reused for every secret it creates; the
envelope is still sealed with the passphrase by the service, so reveals do the full work.

`clone_secrets` is the fast path for the 1M scaling tier: it creates one secret through the
service, DUMPs the keys it wrote, and RESTOREs copies under fresh keys inside a Lua loop.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import secrets
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import uvloop
from redis import Redis as SyncRedis

from onetime import keys
from onetime.accounts.caller import Caller
from onetime.crypto import PassphraseHasher
from onetime.errors import StorageUnavailable
from onetime.keys import RECORD_ID_LENGTH
from onetime.new_secret import NewSecret
from onetime.plans import Plan
from onetime.receipts import Receipt
from onetime.secret_service import SecretService
from onetime.services import Services
from onetime.settings import Settings
from onetime.storage.client import connect

CONCURRENCY = 48  # creates in flight per process
RETRIES = 5
BENCH_TTL = "86400"


@dataclass(frozen=True, slots=True)
class ReusedHash:
    """A PassphraseHasher that hashes once and hands the same bcrypt hash to every secret."""

    real: PassphraseHasher
    hashed: bytes

    async def hash(self, passphrase: str) -> bytes:
        """Return the precomputed hash (made from the same passphrase)."""
        del passphrase
        return self.hashed

    async def verify(self, passphrase: str, hashed: bytes) -> bool:
        """Verify for real."""
        return await self.real.verify(passphrase, hashed)


async def build_service(
    redis_url: str, passphrase: str | None = None, env: Mapping[str, str] | None = None
) -> SecretService:
    """Return a SecretService on the bench Redis with the server's master secret (OTS_SECRET of `env`)."""
    settings = replace(Settings.from_env(env), rate_limits=False)
    master = settings.master_secret
    if master is None:
        raise SystemExit("bench.preload: OTS_SECRET must be set (the server's master secret)")
    hasher = PassphraseHasher(settings.bcrypt_cost)
    used: Any = hasher
    if passphrase:
        used = ReusedHash(hasher, await hasher.hash(passphrase))
    return Services.build(settings, connect(redis_url), hasher=used).secret_service


def bench_caller(service: SecretService, value_bytes: int) -> Caller:
    """Return an anonymous caller whose plan accepts `value_bytes` (no recent-list entry)."""
    anonymous = Caller.anonymous(service.settings)
    if value_bytes <= anonymous.plan.max_size:
        return anonymous
    plan: Plan = replace(anonymous.plan, max_size=max(value_bytes, anonymous.plan.max_size))
    return replace(anonymous, plan=plan)


async def create_many(
    service: SecretService, count: int, *, value_bytes: int = 100, passphrase: str | None = None
) -> list[Receipt]:
    """Create `count` secrets through the service, CONCURRENCY at a time."""
    caller = bench_caller(service, value_bytes)
    request = NewSecret(value="x" * value_bytes, ttl=BENCH_TTL, passphrase=passphrase)
    receipts: list[Receipt] = []

    async def create() -> Receipt:
        for attempt in range(RETRIES):
            try:
                return await service.create(caller, "bench", request)
            except StorageUnavailable:  # a command timeout on a busy machine: try again
                if attempt == RETRIES - 1:
                    raise
                await asyncio.sleep(0.2 * (attempt + 1))
        raise AssertionError  # unreachable

    async def worker(share: int) -> None:
        for _ in range(share):
            receipts.append(await create())  # noqa: PERF401

    shares = [count // CONCURRENCY + (1 if i < count % CONCURRENCY else 0) for i in range(CONCURRENCY)]
    await asyncio.gather(*(worker(share) for share in shares if share))
    return receipts


_CLONE = """
local prefix_s, prefix_m, first, count = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
for i = first, first + count - 1 do
  local n = string.format('%011d', i)
  local s, m = prefix_s .. n, prefix_m .. n
  for t = 5, #ARGV, 5 do
    local tag = ARGV[t + 1] == 's' and s or m
    redis.call('RESTORE', ARGV[t] .. tag .. ARGV[t + 2], ARGV[t + 4], ARGV[t + 3])
  end
end
return count
"""


_NUMBER_DIGITS = 11
"""The copy's number in its record id (`%011d` in _CLONE); a random prefix makes up the rest."""


def _random_prefix() -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
    return "".join(secrets.choice(alphabet) for _ in range(RECORD_ID_LENGTH - _NUMBER_DIGITS))


async def clone_secrets(  # noqa: PLR0913 - keyword-only knobs
    redis_base: str, db: int, count: int, env: Mapping[str, str], *, scratch_db: int = 15, batch: int = 5000
) -> int:
    """Add `count` secrets to `db`: copies of one secret made through the service.

    The copies are byte-for-byte the records the service writes (same key lengths, same value
    sizes, same TTLs) under fresh record ids of the ids' length (storage names records by a digest
    of their keys, `onetime.keys.secret_id` and `receipt_id`); their values still belong to the
    template, which does not matter for memory or for the keyspace size. Returns the keys per secret.
    """
    scratch_url = f"{redis_base}/{scratch_db}"
    sync = SyncRedis.from_url(scratch_url)
    sync.flushdb()
    service = await build_service(scratch_url, env=env)
    (template,) = await create_many(service, 1)
    await service.records.client.aclose()
    parts: list[bytes | str] = []
    for name in sync.scan_iter(count=1000):
        text = name.decode()
        tags = ((keys.secret_id(template.secret_key), "s"), (keys.receipt_id(template.metadata_key), "m"))
        for tag, label in tags:
            marker = "{" + tag + "}"
            if marker in text:
                before, after = text.split(marker)
                payload = sync.dump(name)
                pttl = sync.pttl(name)
                parts += [before + "{", label, "}" + after, payload, str(max(pttl, 1))]  # type: ignore[list-item]
                break
        else:
            print(f"bench.preload: template key {text[:20]}... has neither tag; not cloned", file=sys.stderr)
    sync.flushdb()
    target = SyncRedis.from_url(f"{redis_base}/{db}")
    clone = target.register_script(_CLONE)
    prefix_s, prefix_m = _random_prefix(), _random_prefix()
    done = 0
    while done < count:
        size = min(batch, count - done)
        clone(args=[prefix_s, prefix_m, done, size, *parts])
        done += size
    return len(parts) // 5


async def _main(args: argparse.Namespace) -> None:
    url = os.environ["OTS_REDIS_URL"]
    service = await build_service(url, args.passphrase)
    started = time.perf_counter()
    receipts = await create_many(service, args.count, value_bytes=args.value_bytes, passphrase=args.passphrase)
    elapsed = time.perf_counter() - started
    await service.records.client.aclose()
    if args.out:
        lines = "".join(f"{r.secret_key} {r.metadata_key}\n" for r in receipts)
        Path(args.out).write_text(lines)  # noqa: ASYNC240
    print(f"preloaded {len(receipts)} in {elapsed:.1f}s ({len(receipts) / elapsed:.0f}/s)", file=sys.stderr)


def main() -> None:
    """Parse the arguments and preload."""
    parser = argparse.ArgumentParser(prog="bench.preload")
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--out")
    parser.add_argument("--passphrase")
    parser.add_argument("--value-bytes", type=int, default=100)
    uvloop.run(_main(parser.parse_args()))


def random_master_secret() -> str:
    """Return a fresh base64 master secret for a bench run."""
    return base64.b64encode(os.urandom(32)).decode()


if __name__ == "__main__":
    main()
