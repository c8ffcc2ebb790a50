"""The passphrase lockout is the service's: v1, v2 and the page count failures against the same secret."""

from __future__ import annotations

from redis.asyncio import Redis

from onetime.settings import Settings
from tests.integration.api_v2.v2 import assert_error, assert_ok, conceal, receipt_key_of, secret_key_of
from tests.support.api import serve


async def test_five_wrong_passphrases_lock_the_client_out_whatever_face_they_came_through(
    settings: Settings, redis: Redis
) -> None:
    async with serve(settings) as (_, http):
        key = secret_key_of(await conceal(http, "locked", passphrase="right"))
        for _ in range(3):
            await http.post(f"/api/v1/secret/{key}", data={"passphrase": "wrong"})
        for _ in range(2):
            wrong = await http.post(f"/api/v2/secret/{key}/reveal", json={"continue": True, "passphrase": "wrong"})
            assert_error(wrong, 422, "FormError", "Incorrect passphrase", field="passphrase")
        locked = await http.post(f"/api/v2/secret/{key}/reveal", json={"continue": True, "passphrase": "right"})
        body = assert_error(locked, 429, "LimitExceeded")
        assert int(locked.headers["retry-after"]) == body["retry_after"] >= 1800
        # Another client address is not locked out by this one's guesses.
        async with serve(settings, peer="198.51.100.9") as (_, other):
            answer = await other.post(f"/api/v2/secret/{key}/reveal", json={"continue": True, "passphrase": "right"})
            assert assert_ok(answer)["record"]["secret_value"] == "locked"


async def test_wrong_burn_passphrases_count_too(settings: Settings, redis: Redis) -> None:
    async with serve(settings) as (_, http):
        record = await conceal(http, "x", passphrase="right")
        path = f"/api/v2/receipt/{receipt_key_of(record)}/burn"
        for _ in range(5):
            assert_error(
                await http.post(path, json={"continue": True, "passphrase": "wrong"}),
                422,
                "FormError",
                field="passphrase",
            )
        assert_error(await http.post(path, json={"continue": True, "passphrase": "right"}), 429, "LimitExceeded")
