"""Pages drawn once per process (web.rendering.PageCache): each answer still carries its own values."""

from __future__ import annotations

import re

from litestar.testing import AsyncTestClient

from tests.support.accounts import EMAIL, sign_up_ok
from tests.support.pages import HTMX, form_token, share

_MARKER = re.compile(r"ots[0-9a-f]{32}")


async def test_each_visitor_of_the_kept_home_page_gets_the_token_of_their_own_cookie(client: AsyncTestClient) -> None:
    tokens = []
    for _ in range(3):
        client.cookies.clear()
        page = (await client.get("/")).text
        tokens.append(form_token(page))
        created = await client.post(
            "/create", data={"secret": "kept page", "_csrf_token": tokens[-1]}, follow_redirects=False
        )
        assert created.status_code == 303, created.text
    assert len(set(tokens)) == 3


async def test_each_reveal_page_names_its_own_secret_and_asks_for_its_own_passphrase(client: AsyncTestClient) -> None:
    plain = [(await share(client, f"plain {n}"))["secret_key"] for n in range(2)]
    guarded = (await share(client, "guarded", passphrase="open sesame"))["secret_key"]
    pages = {key: (await client.get(f"/secret/{key}")).text for key in [*plain, guarded]}
    for key, page in pages.items():
        assert f'action="/secret/{key}"' in page
        assert f'hx-post="/secret/{key}"' in page
        assert all(other not in page for other in pages if other != key)
        assert ('name="passphrase"' in page) == (key == guarded)
    partial = (await client.get(f"/secret/{plain[1]}", headers=HTMX)).text
    assert "<html" not in partial
    assert f'action="/secret/{plain[1]}"' in partial


async def test_a_kept_page_shows_no_marker(client: AsyncTestClient) -> None:
    key = (await share(client))["secret_key"]
    pages = [
        (await client.get(path, headers=headers)).text for path in ("/", f"/secret/{key}") for headers in ({}, HTMX)
    ]
    markers = client.app.state["page_cache"].markers.values()
    assert len(markers) == 3  # the CSRF token's, the secret key's, and the language picker's way back (its path)
    for page in pages:
        assert not _MARKER.search(page)
        assert all(marker not in page for marker in markers)


async def test_a_signed_in_header_is_never_kept_nor_served_from_the_anonymous_page(client: AsyncTestClient) -> None:
    anonymous = (await client.get("/")).text
    assert "Sign in" in anonymous
    await sign_up_ok(client)
    signed_in = (await client.get("/")).text
    assert EMAIL in signed_in
    assert "Sign in" not in signed_in
    client.cookies.clear()
    again = (await client.get("/")).text
    assert EMAIL not in again
    assert "Sign in" in again
