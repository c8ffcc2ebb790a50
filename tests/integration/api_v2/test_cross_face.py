"""One secret service behind three faces: a secret made through any face opens through the others."""

from __future__ import annotations

import re

from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from onetime.settings import Settings
from tests.integration.api_v2.v2 import assert_error, assert_ok, conceal, receipt_key_of, secret_key_of
from tests.support.accounts import create_in_form
from tests.support.api import create_account
from tests.support.pages import csrf_token, share

_RECEIPT_PATH = re.compile(r"/private/([a-z0-9]{31})$")


async def _reveal_in_page(client: AsyncTestClient, secret_key: str, passphrase: str | None = None) -> str:
    path = f"/secret/{secret_key}"
    form = {"_csrf_token": await csrf_token(client, path)}
    if passphrase is not None:
        form["passphrase"] = passphrase
    response = await client.post(path, data=form)
    assert response.status_code == 200, response.text
    return response.text


async def test_a_v1_secret_reveals_through_v2(client: AsyncTestClient) -> None:
    metadata = await share(client, "made in v1", passphrase="pw")
    shown = assert_ok(await client.get(f"/api/v2/receipt/{metadata['metadata_key']}"))["record"]
    assert shown["state"] == "new"
    body = {"continue": True, "passphrase": "pw"}
    revealed = assert_ok(await client.post(f"/api/v2/secret/{metadata['secret_key']}/reveal", json=body))
    assert revealed["record"]["secret_value"] == "made in v1"
    receipt = (await client.get(f"/api/v1/private/{metadata['metadata_key']}")).json()
    assert receipt["state"] == "received"


async def test_a_v2_secret_reveals_through_v1(client: AsyncTestClient) -> None:
    record = await conceal(client, "made in v2", passphrase="pw")
    response = await client.post(f"/api/v1/secret/{secret_key_of(record)}", data={"passphrase": "pw"})
    assert response.json()["value"] == "made in v2"
    assert assert_ok(await client.get(f"/api/v2/receipt/{receipt_key_of(record)}"))["record"]["state"] == "revealed"


async def test_a_v2_secret_reveals_in_the_page_once(client: AsyncTestClient) -> None:
    record = await conceal(client, "made in v2 for a browser")
    html = await _reveal_in_page(client, secret_key_of(record))
    assert "made in v2 for a browser" in html
    again = await client.post(f"/api/v2/secret/{secret_key_of(record)}/reveal", json={"continue": True})
    assert_error(again, 404, "RecordNotFound")


async def test_a_secret_made_in_the_page_reveals_through_v2(client: AsyncTestClient) -> None:
    response = await create_in_form(client, "made in the page", passphrase="pw")
    found = _RECEIPT_PATH.search(response.headers["location"])
    assert found, response.headers["location"]
    receipt = assert_ok(await client.get(f"/api/v2/receipt/{found.group(1)}"))["record"]
    secret_key = receipt["share_url"].rsplit("/", 1)[1]
    body = {"continue": True, "passphrase": "pw"}
    revealed = assert_ok(await client.post(f"/api/v2/secret/{secret_key}/reveal", json=body))
    assert revealed["record"]["secret_value"] == "made in the page"


async def test_a_v2_burn_shows_in_v1_and_on_the_receipt_page(client: AsyncTestClient) -> None:
    record = await conceal(client, "x")
    assert_ok(await client.post(f"/api/v2/private/{receipt_key_of(record)}/burn", json={"continue": True}))
    assert (await client.get(f"/api/v1/private/{receipt_key_of(record)}")).json()["state"] == "burned"
    assert (await client.get(f"/private/{receipt_key_of(record)}")).status_code == 200
    assert (await client.get(f"/secret/{secret_key_of(record)}")).status_code == 404


async def test_v1_and_v2_list_the_same_recent_receipts(
    client: AsyncTestClient, redis: Redis, settings: Settings
) -> None:
    alice = await create_account(redis, settings, "alice@example.com")
    made_in_v1 = (await client.post("/api/v1/share", data={"secret": "a"}, headers=alice)).json()["metadata_key"]
    made_in_v2 = receipt_key_of(await conceal(client, "b", headers=alice))
    v1 = [row["metadata_key"] for row in (await client.get("/api/v1/private/recent", headers=alice)).json()]
    v2 = [row["identifier"] for row in assert_ok(await client.get("/api/v2/receipt/recent", headers=alice))["records"]]
    assert set(v1) == set(v2) == {made_in_v1, made_in_v2}
