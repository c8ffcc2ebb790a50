"""A figure, not a limit: how long a passphrase reveal takes during a flood of wrong sign-ins.

Run with `-s` to see it. Sign-ins check passwords on their own bcrypt thread, so the reveal's one
verification does not queue behind them (it did when every bcrypt call shared one thread).
"""

from __future__ import annotations

import asyncio
import time
from contextlib import AsyncExitStack

import httpx
from redis.asyncio import Redis

from onetime.settings import Settings
from tests.conftest import with_settings
from tests.support.accounts import sign_in, sign_up_ok
from tests.support.api import assert_ok, peer_client, serve

PASSPHRASE = "open sesame"
FLOOD = 24


async def _timed_reveal(http: httpx.AsyncClient) -> float:
    key = assert_ok(await http.post("/api/v1/share", data={"secret": "s", "passphrase": PASSPHRASE}))["secret_key"]
    started = time.perf_counter()
    assert_ok(await http.post(f"/api/v1/secret/{key}", data={"passphrase": PASSPHRASE}))
    return time.perf_counter() - started


async def test_a_sign_in_flood_barely_delays_a_passphrase_reveal(settings: Settings, redis: Redis) -> None:
    settings = with_settings(settings, bcrypt_cost=11)  # about the production cost's work (12) / 2
    async with serve(settings, peer="203.0.113.1") as (app, owner), AsyncExitStack() as stack:
        await sign_up_ok(owner)
        quiet = await _timed_reveal(owner)
        # Each from its own address, at an account of its own, so that no limit cuts the flood short.
        guessers = [await stack.enter_async_context(peer_client(app, f"198.51.100.{n}")) for n in range(FLOOD)]
        flood = [
            asyncio.create_task(sign_in(http, f"user{n}@example.com", "wrong password here"))
            for n, http in enumerate(guessers)
        ]
        await asyncio.sleep(0.05)  # the flood is queued on the accounts' bcrypt thread
        flooded = await _timed_reveal(owner)
        answers = await asyncio.gather(*flood)
        print(
            f"\npassphrase reveal at bcrypt cost 11: {quiet * 1000:.0f} ms alone, "
            f"{flooded * 1000:.0f} ms during {FLOOD} parallel wrong sign-ins "
            f"({sum(a.status_code == 429 for a in answers)} of them refused as busy)"
        )
        assert all(answer.status_code in {422, 429} for answer in answers)
