"""The flows of the clients the contract names (§7), replayed with the requests they send and the
fields they read: Raycast, the Zendesk app, the VS Code extension, the website form, the Tkinter
client, the Ruby client, the Flask proxy, and the PowerShell and Go scripts."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from onetime.settings import Settings
from tests.integration.api_v2.v2 import assert_ok
from tests.support.api import create_account
from tests.support.dns_server import DnsTestServer
from tests.support.domains import verified_domain
from web.app import create_app

BASE = "https://secrets.example.com"
RAYCAST_TTLS = [60, 3600, 86400, 604800]


@pytest.fixture
async def alice(redis: Redis, settings: Settings) -> dict[str, str]:
    return await create_account(redis, settings, "alice@example.com")


def raycast_secret_id(body: dict[str, Any]) -> str:
    """Return the secret id as Raycast reads it: `record.receipt.secret_identifier ?? record.secret.key ?? ...`."""
    record = body["record"]
    found = record["receipt"].get("secret_identifier") or record["secret"].get("key") or record["secret"]["identifier"]
    assert isinstance(found, str)
    return found


def raycast_rows(body: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the rows of a recent list as Raycast reads them: `records[]`, else `details.received/notreceived`."""
    rows: list[dict[str, Any]] = body.get("records") or body["details"]["received"] + body["details"]["notreceived"]
    return rows


def raycast_error(body: dict[str, Any]) -> str:
    """Return the error text as Raycast reads it: `message ?? error`."""
    text: str = body.get("message") or body["error"]
    return text


@pytest.mark.parametrize("authenticated", [True, False], ids=["basic", "anonymous"])
async def test_raycast_conceal_then_recent_then_receipt_then_burn(
    client: AsyncTestClient, alice: dict[str, str], authenticated: bool
) -> None:
    headers = alice if authenticated else {}
    payload = {"secret": {"secret": "from raycast", "ttl": RAYCAST_TTLS[1], "passphrase": "eight chars"}}
    created = assert_ok(await client.post("/api/v2/secret/conceal", json=payload, headers=headers))
    assert created["success"] is True
    secret_id = raycast_secret_id(created)
    link = f"{BASE}/secret/{secret_id}"
    assert (await client.get(link.removeprefix(BASE))).status_code == 200

    if not authenticated:
        return  # Raycast lists and burns only with credentials.
    listed = assert_ok(await client.get("/api/v2/private/recent", headers=alice))
    assert listed["success"] is True
    (row,) = raycast_rows(listed)
    receipt_key = row.get("key") or row.get("identifier") or row["metadata_key"]
    assert row["state"] == "new"
    assert row["is_burned"] is False
    assert (row.get("is_received") or row.get("is_revealed")) is False
    assert (row.get("metadata_ttl") or row.get("receipt_ttl")) == 3600
    assert row["secret_identifier"] == secret_id
    assert (row.get("secret_shortid") or row["shortid"]) == secret_id[:8]
    assert row["has_passphrase"] is True
    assert isinstance(row["created"], float | int | str)

    receipt = assert_ok(await client.get(f"/api/v2/private/{receipt_key}", headers=alice))
    assert receipt["record"]["identifier"] == receipt_key

    burned = assert_ok(
        await client.post(
            f"/api/v2/private/{receipt_key}/burn", json={"continue": "true", "passphrase": "eight chars"}, headers=alice
        )
    )
    assert burned["success"] is True
    relisted = raycast_rows(assert_ok(await client.get("/api/v2/private/recent", headers=alice)))
    assert [(entry["identifier"], entry["is_burned"]) for entry in relisted] == [(receipt_key, True)]


async def test_raycast_reads_the_error_text_of_a_refusal(client: AsyncTestClient) -> None:
    response = await client.post("/api/v2/secret/conceal", json={"secret": {"secret": ""}})
    assert response.status_code == 422
    assert raycast_error(response.json()) == "You did not provide anything to share"


async def test_zendesk_conceal_only_with_basic_auth_and_a_share_domain(
    settings: Settings, redis: Redis, dns: DnsTestServer
) -> None:
    settings = dataclasses.replace(settings, dns_resolver=dns.resolver)
    alice = await create_account(redis, settings, "alice@example.com")
    await verified_domain(redis, settings, dns, email="alice@example.com", name="secrets.acme.example")
    async with AsyncTestClient(create_app(settings), base_url=BASE) as client:
        body = {"secret": {"secret": "ticket 4711 password", "ttl": 86400, "share_domain": "secrets.acme.example"}}
        created = assert_ok(await client.post("/api/v2/secret/conceal", json=body, headers=alice))
        assert created["success"] is True
        assert created["record"]["share_domain"] == "secrets.acme.example"
        receipt = assert_ok(await client.get(f"/api/v2/receipt/{created['record']['receipt']['key']}"))
        assert receipt["record"]["share_url"].startswith("https://secrets.acme.example/secret/")
        # The deployment's own host as share_domain means no custom domain, as upstream treats its default host.
        body["secret"]["share_domain"] = "secrets.example.com"
        plain = assert_ok(await client.post("/api/v2/secret/conceal", json=body, headers=alice))
        assert plain["record"]["share_domain"] is None


async def test_vs_code_extension_anonymous_conceal(client: AsyncTestClient) -> None:
    body = assert_ok(await client.post("/api/v2/secret/conceal", json={"secret": {"secret": "from vs code"}}))
    assert body["success"] is True
    link_path = f"/secret/{body['record']['secret']['identifier']}"
    assert (await client.get(link_path)).status_code == 200


async def test_website_form_sends_a_null_passphrase(client: AsyncTestClient) -> None:
    payload = {"secret": {"secret": "from the website", "ttl": 3600, "passphrase": None}}
    body = assert_ok(await client.post("/api/v2/secret/conceal", json=payload))
    assert body["success"] is True
    key = body["record"]["secret"]["key"]
    assert body["record"]["secret"]["has_passphrase"] is False
    revealed = assert_ok(await client.post(f"/api/v2/secret/{key}/reveal", json={"continue": True}))
    assert revealed["record"]["secret_value"] == "from the website"


async def test_tkinter_client_flow(client: AsyncTestClient, alice: dict[str, str]) -> None:
    assert assert_ok(await client.get("/api/v2/status"))["status"] == "nominal"
    assert assert_ok(await client.get("/api/v2/version", headers=alice))["success"] is True
    created = assert_ok(
        await client.post("/api/v2/secret/conceal", json={"secret": {"secret": "tk", "ttl": 600}}, headers=alice)
    )
    record = created["record"]
    assert record["secret"]["key"]
    assert {"key", "identifier", "shortid"} <= set(record["receipt"])
    assert "share_domain" in record
    receipt = assert_ok(await client.get(f"/api/v2/receipt/{record['receipt']['key']}", headers=alice))["record"]
    assert receipt["share_url"].endswith(receipt["share_path"])
    assert receipt["secret_state"] == "new"
    assert receipt["is_burned"] is False
    # Without continue nothing burns and success says so.
    path = f"/api/v2/receipt/{record['receipt']['key']}/burn"
    assert assert_ok(await client.post(path, json={}, headers=alice))["success"] is False
    assert assert_ok(await client.post(path, json={"continue": "true"}, headers=alice))["success"] is True
    # Its authenticated probe reads `records`.
    assert "records" in assert_ok(await client.get("/api/v2/receipt/recent", headers=alice))
    # Its error handling reads error, field, error_type and request_id.
    refused = (await client.post("/api/v2/secret/conceal", json={"secret": {}}, headers=alice)).json()
    assert {"error", "field", "error_type", "request_id"} <= set(refused)


async def test_ruby_client_flow(client: AsyncTestClient) -> None:
    headers = {"X-Onetime-Client": "ruby: 3.3.0/0.6.0"}
    assert assert_ok(await client.get("/api/v2/status", headers=headers))["success"] is True
    concealed = assert_ok(
        await client.post("/api/v2/secret/conceal", json={"secret": {"secret": "ruby", "ttl": 3600}}, headers=headers)
    )
    generated = assert_ok(await client.post("/api/v2/secret/generate", json={"secret": {}}, headers=headers))
    assert generated["details"]["kind"] == "generate"
    key = concealed["record"]["secret"]["key"]
    # The Ruby client posts only the passphrase: upstream reveals only with `continue`, and so does this server.
    described = assert_ok(await client.post(f"/api/v2/secret/{key}/reveal", json={"passphrase": ""}, headers=headers))
    assert described["details"]["show_secret"] is False
    receipt = assert_ok(await client.get(f"/api/v2/receipt/{concealed['record']['receipt']['key']}", headers=headers))
    assert receipt["record"]["state"] == "new"


async def test_flask_proxy_reveals_through_the_guest_route(client: AsyncTestClient) -> None:
    key = assert_ok(await client.post("/api/v2/secret/conceal", json={"secret": {"secret": "proxied"}}))["record"][
        "secret"
    ]["key"]
    raw = b'{"continue": true}'
    response = await client.post(
        f"/api/v2/guest/secret/{key}/reveal", content=raw, headers={"content-type": "application/json"}
    )
    assert assert_ok(response)["record"]["secret_value"] == "proxied"


@pytest.mark.parametrize("authenticated", [True, False], ids=["basic", "anonymous"])
async def test_powershell_and_go_scripts_read_the_secret_key(
    client: AsyncTestClient, alice: dict[str, str], authenticated: bool
) -> None:
    body = assert_ok(
        await client.post(
            "/api/v2/secret/conceal",
            json={"secret": {"secret": "scripted", "ttl": 3600}},
            headers=alice if authenticated else {},
        )
    )
    key = body["record"]["secret"]["key"]
    assert (
        assert_ok(await client.post(f"/api/v2/secret/{key}/reveal", json={"continue": True}))["record"]["secret_value"]
        == "scripted"
    )
