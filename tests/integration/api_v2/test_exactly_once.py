"""At most once through v2, and across faces: however many callers race, one gets the secret.

These tests call the app through `serve()`, in the test's own event loop, so `asyncio.gather`
really interleaves the requests.
"""

from __future__ import annotations

import asyncio

import httpx
from redis.asyncio import Redis

from onetime.settings import Settings
from tests.integration.api_v2.v2 import assert_error, assert_ok, conceal, receipt_key_of, secret_key_of
from tests.support.api import serve

ROUNDS = 20


def _winners(responses: list[httpx.Response]) -> list[httpx.Response]:
    return [response for response in responses if response.status_code == 200]


async def test_fifty_concurrent_reveals_give_exactly_one_200(settings: Settings, redis: Redis) -> None:
    async with serve(settings) as (_, http):
        record = await conceal(http, "only once")
        key = secret_key_of(record)
        responses = await asyncio.gather(
            *(http.post(f"/api/v2/secret/{key}/reveal", json={"continue": True}) for _ in range(50))
        )
        (winner,) = _winners(responses)
        assert winner.json()["record"]["secret_value"] == "only once"
        for response in responses:
            if response is not winner:
                assert_error(response, 404, "RecordNotFound")
                assert "only once" not in response.text
        receipt = assert_ok(await http.get(f"/api/v2/receipt/{receipt_key_of(record)}"))
        assert receipt["record"]["state"] == "revealed"


async def test_fifty_concurrent_reveals_with_a_passphrase_give_exactly_one_200(
    settings: Settings, redis: Redis
) -> None:
    async with serve(settings) as (_, http):
        key = secret_key_of(await conceal(http, "guarded", passphrase="pw"))
        body = {"continue": True, "passphrase": "pw"}
        responses = await asyncio.gather(*(http.post(f"/api/v2/secret/{key}/reveal", json=body) for _ in range(50)))
        (winner,) = _winners(responses)
        assert winner.json()["record"]["secret_value"] == "guarded"


async def test_reveals_racing_across_v1_v2_and_the_page_have_one_winner(settings: Settings, redis: Redis) -> None:
    async with serve(settings) as (_, http):
        for index in range(ROUNDS):
            key = secret_key_of(await conceal(http, f"contested {index}"))
            calls = [
                http.post(f"/api/v2/secret/{key}/reveal", json={"continue": True}),
                http.post(f"/api/v1/secret/{key}"),
                http.post(f"/api/v2/guest/secret/{key}/reveal", json={"continue": "true"}),
                http.post(f"/api/v1/secret/{key}"),
            ]
            if index % 2:
                calls.reverse()
            responses = await asyncio.gather(*calls)
            (winner,) = _winners(responses)
            assert f"contested {index}" in winner.text


async def test_reveal_racing_burn_has_exactly_one_winner(settings: Settings, redis: Redis) -> None:
    async with serve(settings) as (_, http):
        for index in range(ROUNDS):
            record = await conceal(http, f"contested {index}")
            reveals = [
                http.post(f"/api/v2/secret/{secret_key_of(record)}/reveal", json={"continue": True}) for _ in range(3)
            ]
            burns = [
                http.post(f"/api/v2/receipt/{receipt_key_of(record)}/burn", json={"continue": True}) for _ in range(3)
            ]
            calls = [call for pair in zip(reveals, burns, strict=True) for call in pair]
            if index % 2:
                calls.reverse()
            responses = await asyncio.gather(*calls)
            revealed = [
                response for response in responses if response.status_code == 200 and "secret_value" in response.text
            ]
            burned = [
                response for response in responses if response.status_code == 200 and response.json().get("success")
            ]
            assert len(revealed) + len(burned) == 1
            state = assert_ok(await http.get(f"/api/v2/receipt/{receipt_key_of(record)}"))["record"]["state"]
            assert state == ("revealed" if revealed else "burned")
