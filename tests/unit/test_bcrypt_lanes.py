"""bcrypt lanes: one thread each, and a bound on the calls waiting for it."""

from __future__ import annotations

import asyncio
import threading

import pytest

from onetime.crypto import BcryptLane, HasherBusy, PassphraseHasher, bcrypt_lane


async def test_a_full_lane_refuses_more_calls_at_once_and_takes_them_again_after() -> None:
    lane = BcryptLane("test-bound", max_waiting=2)
    gate = threading.Event()
    waiting = [asyncio.create_task(lane.run(gate.wait)) for _ in range(2)]
    await asyncio.sleep(0)  # both are now queued or running
    assert lane.waiting == 2
    with pytest.raises(HasherBusy):
        await lane.run(lambda: True)
    gate.set()
    assert await asyncio.gather(*waiting) == [True, True]
    assert lane.waiting == 0
    assert await lane.run(lambda: "room again") == "room again"


async def test_a_lane_without_a_bound_queues_everything() -> None:
    lane = BcryptLane("test-unbounded", max_waiting=None)
    assert await asyncio.gather(*(lane.run(lambda n=n: n) for n in range(50))) == list(range(50))


async def test_secrets_and_accounts_verify_on_different_threads() -> None:
    secrets = PassphraseHasher(4)
    accounts = PassphraseHasher(4, "accounts-test", max_waiting=4, hash_in_lane=True)
    assert bcrypt_lane(secrets.lane) is not bcrypt_lane(accounts.lane)
    hashed = await accounts.hash("plum tree under winter rain")
    assert await secrets.verify("plum tree under winter rain", hashed)
    assert await accounts.verify("plum tree under winter rain", hashed)
    assert not await accounts.verify("another password", hashed)
    names = {
        await bcrypt_lane(name).run(lambda: threading.current_thread().name) for name in (secrets.lane, accounts.lane)
    }
    assert len(names) == 2


async def test_a_hasher_whose_lane_takes_nothing_refuses_hashes_and_checks() -> None:
    full = PassphraseHasher(4, "test-full", max_waiting=0, hash_in_lane=True)
    with pytest.raises(HasherBusy):
        await full.hash("plum tree under winter rain")
    with pytest.raises(HasherBusy):
        await full.verify("plum tree under winter rain", b"$2b$04$" + b"a" * 53)
