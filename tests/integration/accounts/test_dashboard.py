"""The dashboard of recent secrets, burning from it, and creating secrets while signed in."""

from __future__ import annotations

import re

from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from onetime.keys import receipt_id
from tests.support.accounts import EMAIL, create_in_form, post_form, sign_up_ok
from tests.support.api import basic_auth
from tests.support.pages import HTMX, main_of

ENTRY = re.compile(r'<li class="entry" id="entry-([a-z0-9]{31})">')


def entries(html: str) -> list[str]:
    """Return the receipt keys a dashboard page lists, in order."""
    return ENTRY.findall(html)


def entry_of(html: str, metadata_key: str) -> str:
    """Return the markup of one dashboard entry."""
    start = html.index(f'id="entry-{metadata_key}"')
    return html[start : html.index("</li>", start)]


def badge(state: str, label: str) -> str:
    """Return the markup of a state badge: its icon from the sprite, then its word."""
    icon = f'<svg class="icon" aria-hidden="true" focusable="false"><use href="#i-{state}"/></svg>'
    return f'<span class="state state-{state}">{icon}{label}</span>'


async def share_as(client: AsyncTestClient, token: str, value: str, **params: str) -> dict[str, str]:
    """Create a secret through the API as the signed-up account."""
    response = await client.post("/api/v1/share", data={"secret": value, **params}, headers=basic_auth(EMAIL, token))
    assert response.status_code == 200, response.text
    metadata: dict[str, str] = response.json()
    return metadata


async def test_the_dashboard_lists_what_the_api_recent_lists_newest_first(client: AsyncTestClient) -> None:
    token = await sign_up_ok(client)
    first = await share_as(client, token, "one", ttl="3600")
    await create_in_form(client, "two, from the form")
    third = await share_as(client, token, "three", passphrase="pw")
    await client.post(f"/api/v1/secret/{first['secret_key']}")  # received

    recent = (await client.get("/api/v1/private/recent", headers=basic_auth(EMAIL, token))).json()
    html = (await client.get("/dashboard")).text
    assert entries(html) == [receipt["metadata_key"] for receipt in recent]
    assert "3 in all." in html

    received = entry_of(html, first["metadata_key"])
    assert badge("received", "Received") in received
    assert f'href="/private/{first["metadata_key"]}"' in received
    assert f'<time datetime="{iso(first["created"])}">' in received
    assert f'<time datetime="{iso(int(first["created"]) + 3600)}">' in received
    assert "dashboard_burn" not in received
    assert "/burn" not in received  # nothing left to burn
    waiting = entry_of(html, third["metadata_key"])
    assert badge("new", "New") in waiting
    assert f'action="/dashboard/{third["metadata_key"]}/burn"' in waiting
    assert "Recipient" not in waiting  # no recipient, no empty row saying so
    assert "Share domain" not in waiting  # this site's own links
    assert "<dt>Received</dt>" in received  # and when
    assert first["secret_key"] not in html  # the dashboard never carries a share link


def iso(timestamp: str | int) -> str:
    """Write a unix time as the dashboard's <time datetime> does."""
    from web.templating import iso_time  # noqa: PLC0415

    return iso_time(int(timestamp))


async def test_the_dashboard_is_paginated_past_fifty(client: AsyncTestClient) -> None:
    token = await sign_up_ok(client)
    made = [(await share_as(client, token, f"secret {n}"))["metadata_key"] for n in range(53)]
    first_page = (await client.get("/dashboard")).text
    assert len(entries(first_page)) == 50
    assert "Page 1 of 2" in first_page
    assert 'href="/dashboard?page=2" rel="next"' in first_page
    assert 'rel="prev"' not in first_page
    second_page = (await client.get("/dashboard?page=2")).text
    assert len(entries(second_page)) == 3
    assert 'href="/dashboard?page=1" rel="prev"' in second_page
    assert set(entries(first_page)) | set(entries(second_page)) == set(made)
    assert entries((await client.get("/dashboard?page=9")).text) == entries(second_page)  # past the end: the last


async def test_burning_from_the_dashboard_with_htmx_swaps_the_entry(client: AsyncTestClient) -> None:
    token = await sign_up_ok(client)
    made = await share_as(client, token, "burn me", passphrase="the owner needs no passphrase here")
    response = await post_form(
        client, f"/dashboard/{made['metadata_key']}/burn", {"confirm": "yes", "page": "1"}, "/dashboard"
    )
    assert response.status_code == 303  # without htmx: back to the list
    assert response.headers["location"] == "/dashboard?page=1"

    other = await share_as(client, token, "burn me too")
    token_field = re.search(r'name="_csrf_token" value="([^"]+)"', (await client.get("/dashboard")).text)
    assert token_field
    response = await client.post(
        f"/dashboard/{other['metadata_key']}/burn",
        data={"confirm": "yes", "page": "1", "_csrf_token": token_field.group(1)},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert response.headers["vary"] == "HX-Request"
    assert response.text.lstrip().startswith('<li class="entry"')
    assert badge("burned", "Burned") in response.text
    assert "is burned: its link no longer works" in response.text
    for burned in (made, other):
        gone = await client.post(f"/api/v1/secret/{burned['secret_key']}")
        assert gone.json()["message"] == "Unknown secret"


async def test_burning_without_javascript_asks_first(client: AsyncTestClient) -> None:
    token = await sign_up_ok(client)
    made = await share_as(client, token, "ask before burning")
    response = await post_form(client, f"/dashboard/{made['metadata_key']}/burn", {"page": "2"}, "/dashboard")
    assert response.status_code == 200
    assert "Burn this secret?" in response.text
    assert '<input type="hidden" name="confirm" value="yes">' in response.text
    assert 'href="/dashboard?page=2">Cancel</a>' in response.text
    receipt = (await client.get(f"/api/v1/private/{made['metadata_key']}")).json()
    assert receipt["state"] == "new"  # nothing burned yet


async def test_the_dashboard_cannot_burn_another_accounts_protected_secret(client: AsyncTestClient) -> None:
    foreign = (await client.post("/api/v1/share", data={"secret": "not yours", "passphrase": "pw"})).json()
    await sign_up_ok(client)
    response = await post_form(client, f"/dashboard/{foreign['metadata_key']}/burn", {"confirm": "yes"}, "/dashboard")
    assert response.status_code == 422
    assert "That passphrase is not right" in response.text
    assert (await client.get(f"/api/v1/private/{foreign['metadata_key']}")).json()["state"] == "new"


async def test_signed_in_creation_uses_the_account_and_its_plan(client: AsyncTestClient, redis: Redis) -> None:
    token = await sign_up_ok(client)
    home = (await client.get("/")).text
    assert 'data-max-bytes="10000"' in home
    assert '<option value="1209600"' in home  # 14 days: the basic plan's longest
    assert '<option value="2592000"' not in home
    assert 'id="recipient"' not in home  # this server sends no email

    response = await create_in_form(client, "x" * 5000, ttl="1209600")
    metadata_key = response.headers["location"].rsplit("/", 1)[1]
    receipt = (await client.get(f"/api/v1/private/{metadata_key}")).json()
    assert receipt["custid"] == EMAIL
    assert receipt["ttl"] == 1209600
    recent = (await client.get("/api/v1/private/recent", headers=basic_auth(EMAIL, token))).json()
    assert [entry["metadata_key"] for entry in recent] == [metadata_key]
    [member] = await redis.zrange("ots:recent:{alice@example.com}", 0, -1)
    assert member.startswith(receipt_id(metadata_key).encode())  # then the receipt key, sealed to the account
    assert metadata_key.encode() not in member


async def test_signed_out_creation_stays_anonymous(client: AsyncTestClient) -> None:
    home = (await client.get("/")).text
    assert 'data-max-bytes="1000"' in home
    response = await post_form(client, "/create", {"secret": "x" * 5000})
    assert response.status_code == 422
    assert "over the 1,000 bytes allowed without an account" in main_of(response.text)
