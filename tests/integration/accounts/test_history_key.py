"""An account's list of receipts opens with its own credentials, and survives what it should."""

from __future__ import annotations

from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from onetime import keys
from onetime.services import Services
from onetime.settings import Settings
from onetime.storage.customers import Customer, Customers
from onetime.storage.keys import earlier_recent_name, recent_name
from tests.support.accounts import (
    EMAIL,
    PASSWORD,
    api_token,
    create_in_form,
    post_form,
    sign_in,
    sign_out,
    sign_up_ok,
)
from tests.support.api import assert_ok, basic_auth


def receipt_key_of(response_location: str) -> str:
    return response_location.rsplit("/", 1)[1]


async def listed(client: AsyncTestClient, token: str) -> list[str]:
    """Return the receipt keys the API lists for the account with this token."""
    return [
        entry["metadata_key"]
        for entry in assert_ok(await client.get("/api/v1/private/recent", headers=basic_auth(EMAIL, token)))
    ]


async def test_the_browser_and_the_token_list_the_same_receipts(client: AsyncTestClient) -> None:
    token = await sign_up_ok(client)
    in_form = receipt_key_of((await create_in_form(client, "made in the form")).headers["location"])
    by_api = assert_ok(await client.post("/api/v1/share", data={"secret": "by api"}, headers=basic_auth(EMAIL, token)))
    assert sorted(await listed(client, token)) == sorted([by_api["metadata_key"], in_form])
    dashboard = (await client.get("/dashboard")).text
    assert in_form in dashboard
    assert by_api["metadata_key"] in dashboard


async def test_signing_in_again_opens_the_list_with_the_password(client: AsyncTestClient) -> None:
    await sign_up_ok(client)
    made = receipt_key_of((await create_in_form(client, "before signing out")).headers["location"])
    await sign_out(client)
    assert (await sign_in(client)).status_code == 303
    assert made in (await client.get("/dashboard")).text


async def test_a_token_rotated_in_the_browser_keeps_the_list(client: AsyncTestClient) -> None:
    old = await sign_up_ok(client)
    made = receipt_key_of((await create_in_form(client, "kept across rotation")).headers["location"])
    assert (await post_form(client, "/account/token", {}, "/account")).status_code == 303
    new = api_token((await client.get("/account")).text)
    assert new != old
    assert await listed(client, new) == [made]


async def test_a_token_rotated_without_the_password_starts_a_new_list(
    client: AsyncTestClient, redis: Redis, settings: Settings
) -> None:
    await sign_up_ok(client)
    made = receipt_key_of((await create_in_form(client, "from the old history")).headers["location"])
    new = await Services.build(settings, redis).account_service.rotate_token(EMAIL)  # as `ots account token`
    assert await listed(client, new) == []
    # The receipt itself stays reachable by its link, and is kept to be handed over on deletion.
    assert assert_ok(await client.get(f"/api/v1/private/{made}"))["state"] == "new"
    assert not await redis.exists(recent_name(EMAIL))
    assert await redis.zcard(earlier_recent_name(EMAIL)) == 1
    later = assert_ok(
        await client.post("/api/v1/share", data={"secret": "new history"}, headers=basic_auth(EMAIL, new))
    )
    assert await listed(client, new) == [later["metadata_key"]]

    response = await post_form(client, "/account/delete", {"password": PASSWORD}, "/account")
    assert response.status_code == 303
    assert assert_ok(await client.get(f"/api/v1/private/{made}"))["custid"] == "anon"  # handed over all the same


async def test_an_account_older_than_history_keys_gets_one_from_its_token(
    client: AsyncTestClient, redis: Redis
) -> None:
    token = keys.new_key()
    await Customers(redis).create(EMAIL, Customer(created=0, plan="basic", token_digest=keys.token_digest(token)))
    made = assert_ok(await client.post("/api/v1/share", data={"secret": "x"}, headers=basic_auth(EMAIL, token)))
    assert await listed(client, token) == [made["metadata_key"]]
    stored = await Customers(redis).get(EMAIL)
    assert stored is not None
    assert stored.history is not None
    assert stored.history.by_token is not None
