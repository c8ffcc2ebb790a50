"""At most once: however many callers race for a secret, exactly one gets it.

These tests call the app through `serve()`, in the test's own event loop, so that
`asyncio.gather` really interleaves the requests (Litestar's AsyncTestClient would run them
one after another).
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from redis.asyncio import Redis

from onetime.settings import Settings
from onetime.storage import client
from tests.support.api import UNKNOWN_SECRET, assert_error, assert_ok, serve

ROUNDS = 30


async def _share(http: httpx.AsyncClient, value: str, **params: str) -> dict:
    return assert_ok(await http.post("/api/v1/share", data={"secret": value, **params}))


def _winners(responses: list[httpx.Response]) -> list[httpx.Response]:
    return [response for response in responses if response.status_code == 200]


async def test_fifty_concurrent_reveals_give_exactly_one_value(settings: Settings, redis: Redis) -> None:
    async with serve(settings) as (_, http):
        created = await _share(http, "only once")
        key = created["secret_key"]
        responses = await asyncio.gather(*(http.post(f"/api/v1/secret/{key}") for _ in range(50)))
        (winner,) = _winners(responses)
        assert winner.json()["value"] == "only once"
        for response in responses:
            if response is not winner:
                assert_error(response, UNKNOWN_SECRET, 404, key)
        receipt = assert_ok(await http.get(f"/api/v1/private/{created['metadata_key']}"))
        assert receipt["state"] == "received"


async def test_concurrent_reveals_with_the_passphrase_give_exactly_one_value(settings: Settings, redis: Redis) -> None:
    async with serve(settings) as (_, http):
        key = (await _share(http, "guarded", passphrase="pw"))["secret_key"]
        responses = await asyncio.gather(
            *(http.post(f"/api/v1/secret/{key}", data={"passphrase": "pw"}) for _ in range(20))
        )
        (winner,) = _winners(responses)
        assert winner.json()["value"] == "guarded"


async def test_concurrent_reveals_over_many_secrets_give_one_value_each(settings: Settings, redis: Redis) -> None:
    async with serve(settings) as (_, http):
        secrets = [await _share(http, f"value {index}") for index in range(ROUNDS)]
        # Five secrets at a time, ten callers each: 50 requests in flight, under the Redis pool size.
        for start in range(0, ROUNDS, 5):
            batch = secrets[start : start + 5]
            calls = [http.post(f"/api/v1/secret/{created['secret_key']}") for created in batch for _ in range(10)]
            responses = await asyncio.gather(*calls)
            for offset, created in enumerate(batch):
                (winner,) = _winners(responses[offset * 10 : (offset + 1) * 10])
                assert winner.json() == {
                    "value": f"value {start + offset}",
                    "secret_key": created["secret_key"],
                    "share_domain": "https://secrets.example.com",
                }


async def test_reveal_racing_burn_has_exactly_one_winner(settings: Settings, redis: Redis) -> None:
    outcomes = set()
    async with serve(settings) as (_, http):
        for index in range(ROUNDS):
            created = await _share(http, f"contested {index}")
            reveals = [http.post(f"/api/v1/secret/{created['secret_key']}") for _ in range(3)]
            burns = [http.post(f"/api/v1/private/{created['metadata_key']}/burn") for _ in range(3)]
            # Interleave so that neither side always starts first.
            calls = [call for pair in zip(reveals, burns, strict=True) for call in pair]
            if index % 2:
                calls.reverse()
            responses = await asyncio.gather(*calls)
            (winner,) = _winners(responses)
            won_by_reveal = "value" in winner.json()
            if won_by_reveal:
                assert winner.json()["value"] == f"contested {index}"
            else:
                assert winner.json()["state"]["state"] == "burned"
            receipt = assert_ok(await http.get(f"/api/v1/private/{created['metadata_key']}"))
            assert receipt["state"] == ("received" if won_by_reveal else "burned")
            outcomes.add(receipt["state"])
    assert outcomes  # at least one round ran; either side may win any round


async def test_a_burst_beyond_the_redis_pool_size_is_served_not_refused(
    settings: Settings, redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A pool of 10 and a burst of 40: beyond the pool as 250 are beyond 200, with so little work
    # that a loaded machine cannot turn the wait for a free connection into a timeout.
    monkeypatch.setattr(client, "POOL_SIZE", 10)
    async with serve(settings) as (_, http):
        responses = await asyncio.gather(*(http.post("/api/v1/share", data={"secret": "x"}) for _ in range(40)))
        assert [response.status_code for response in responses] == [200] * 40
