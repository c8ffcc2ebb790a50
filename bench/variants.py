"""Bench-only variants of the product app, to measure proposed changes before anyone makes them.

`bench.serve` serves `bench.variants:create_app` when BENCH_APP names it; BENCH_PATCHES lists the
patches (comma separated) applied, in each worker, before web.app.create_app() builds the app:

- seqdi:     Litestar resolves a batch of dependencies one after the other instead of spawning an
             anyio task group with a task per dependency (what one-provider-per-handler would give);
- nolog:     the access log (`ots.access`) is disabled;
- bcrypt1:   bcrypt runs on one thread per process, at nice 10, instead of asyncio's default
             executor (up to 6 threads per process at normal priority);
- reveal1rt: a reveal of a secret without passphrase is one Redis script (check + consume) instead
             of a pipeline (EXISTS, HGET p) followed by the consume script; passphrase secrets take
             the unchanged path. A prototype of a change to onetime/storage/ + onetime/secret_service.py.

None of this is used by `make bench`; see bench/experiments.py.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from litestar import Litestar


def _sequential_dependencies() -> None:
    from litestar._kwargs import kwargs_model  # noqa: PLC0415
    from litestar._kwargs.dependencies import resolve_dependency  # noqa: PLC0415
    from litestar._kwargs.kwargs_model import DependencyCleanupGroup  # noqa: PLC0415

    async def resolve_dependencies(self: Any, connection: Any, kwargs: dict[str, Any]) -> Any:  # noqa: ANN401
        cleanup_group = DependencyCleanupGroup()
        for batch in self.dependency_batches:
            for dependency in batch:
                await resolve_dependency(dependency, connection, kwargs, cleanup_group)
        return cleanup_group

    kwargs_model.KwargsModel.resolve_dependencies = resolve_dependencies  # type: ignore[method-assign]


def _no_access_log() -> None:
    logging.getLogger("ots.access").disabled = True


_REVEAL = """
local found = redis.call('HMGET', KEYS[1], 'c', 'p')
if not found[1] then return false end
if found[2] and found[2] ~= '' then return {0, found[2]} end
redis.call('DEL', KEYS[1], KEYS[3])
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('HSET', KEYS[2], 's', ARGV[2], 'u', ARGV[1], ARGV[3], ARGV[1])
end
return {1, found[1], redis.call('HGET', KEYS[2], 'd') or ''}
"""


def _one_round_trip_reveal() -> None:
    from onetime import keys  # noqa: PLC0415
    from onetime.errors import UnknownSecret  # noqa: PLC0415
    from onetime.receipts import Revealed  # noqa: PLC0415
    from onetime.secret_service import SecretService  # noqa: PLC0415
    from onetime.storage.keys import generated_name, receipt_name, secret_name  # noqa: PLC0415
    from onetime.storage.secret_records import RECEIVED  # noqa: PLC0415

    original = SecretService.reveal

    async def reveal(self: SecretService, secret_key: str, passphrase: str | None, client: str) -> Revealed:
        if not keys.is_key_shaped(secret_key):
            raise UnknownSecret(secret_key)
        script = getattr(self.records, "_bench_reveal", None)
        if script is None:
            script = self.records.client.register_script(_REVEAL)
            self.records._bench_reveal = script  # type: ignore[attr-defined]  # noqa: SLF001
        secret_id = keys.secret_id(secret_key)
        names = [secret_name(secret_id), receipt_name(secret_id), generated_name(secret_id)]
        reply = await script(keys=names, args=[self._now(), "received", RECEIVED])
        if not reply:
            raise UnknownSecret(secret_key)
        if int(reply[0]) == 0:  # a passphrase: the unchanged path verifies it, then consumes
            return await original(self, secret_key, passphrase, client)
        envelope, share_domain = reply[1], reply[2]
        share_domain = share_domain.decode() if isinstance(share_domain, bytes) else share_domain
        value = self.cipher.open(envelope, secret_key, None)
        return Revealed(value=value, secret_key=secret_key, link_origin=self._origin(share_domain))

    SecretService.reveal = reveal  # type: ignore[method-assign]


def _one_low_priority_bcrypt_thread() -> None:
    import asyncio  # noqa: PLC0415
    import threading  # noqa: PLC0415
    from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

    import bcrypt  # noqa: PLC0415

    from onetime import crypto  # noqa: PLC0415

    def lower_priority() -> None:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)  # Linux: niceness of this thread

    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bcrypt", initializer=lower_priority)

    async def verify(self: crypto.PassphraseHasher, passphrase: str, hashed: bytes) -> bool:
        del self
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(executor, bcrypt.checkpw, crypto._bcrypt_input(passphrase), hashed)  # noqa: SLF001

    crypto.PassphraseHasher.verify = verify  # type: ignore[method-assign]


PATCHES = {
    "seqdi": _sequential_dependencies,
    "nolog": _no_access_log,
    "reveal1rt": _one_round_trip_reveal,
    "bcrypt1": _one_low_priority_bcrypt_thread,
}


def create_app() -> Litestar:
    """Apply the patches named in BENCH_PATCHES, then build the product app."""
    from web.app import create_app as product_app  # noqa: PLC0415

    app = product_app()
    for name in filter(None, os.environ.get("BENCH_PATCHES", "").split(",")):
        PATCHES[name]()
    return app
