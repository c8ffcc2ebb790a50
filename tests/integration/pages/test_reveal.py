"""The recipient's page: GET only looks (and marks viewed), POST reveals once."""

import pytest
from litestar.testing import AsyncTestClient

from tests.support.pages import HTMX, csrf_token, form_token, main_of, share


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
async def test_opening_the_link_offers_to_reveal_and_consumes_nothing(
    client: AsyncTestClient, headers: dict[str, str]
) -> None:
    metadata = await share(client, "hunter2-value")
    response = await client.get(f"/secret/{metadata['secret_key']}", headers=headers)
    assert response.status_code == 200
    assert ("<html" in response.text) is not bool(headers)
    assert "You have a secret" in response.text
    assert f'<form method="post" action="/secret/{metadata["secret_key"]}"' in response.text
    assert 'name="passphrase"' not in response.text
    assert "hunter2-value" not in response.text
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["vary"] == "HX-Request"
    receipt = (await client.get(f"/api/v1/private/{metadata['metadata_key']}")).json()
    assert receipt["state"] == "viewed"
    assert (await client.post(f"/api/v1/secret/{metadata['secret_key']}")).json()["value"] == "hunter2-value"


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
async def test_reveal_shows_the_value_once_then_the_secret_is_gone(
    client: AsyncTestClient, headers: dict[str, str]
) -> None:
    metadata = await share(client, "hunter2-value")
    path = f"/secret/{metadata['secret_key']}"
    token = await csrf_token(client, path)
    response = await client.post(path, data={"_csrf_token": token}, headers=headers)
    assert response.status_code == 200
    assert ("<html" in response.text) is not bool(headers)
    assert ">\nhunter2-value</textarea>" in response.text
    assert "shown once and is now deleted" in response.text
    assert 'data-copy="secret-value"' in response.text
    assert response.headers["cache-control"] == "no-store"
    again = await client.post(path, data={"_csrf_token": token}, headers=headers)
    assert again.status_code == 404
    assert "hunter2-value" not in again.text
    assert (await client.get(path)).status_code == 404


async def test_a_revealed_value_is_escaped_and_keeps_its_leading_line_break(client: AsyncTestClient) -> None:
    metadata = await share(client, "\n<script>alert(1)</script>\n  indented")
    path = f"/secret/{metadata['secret_key']}"
    response = await client.post(path, data={"_csrf_token": await csrf_token(client, path)})
    assert ">\n\n&lt;script&gt;alert(1)&lt;/script&gt;\n  indented</textarea>" in response.text
    assert "<script>alert(1)" not in response.text


async def test_a_secret_with_a_passphrase_asks_for_it(client: AsyncTestClient) -> None:
    metadata = await share(client, passphrase="open sesame")
    html = (await client.get(f"/secret/{metadata['secret_key']}")).text
    assert 'type="password" id="passphrase" name="passphrase"' in html
    assert " required>" in html


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
async def test_a_wrong_passphrase_is_said_inline_and_the_secret_survives(
    client: AsyncTestClient, headers: dict[str, str]
) -> None:
    metadata = await share(client, "kept-value", passphrase="open sesame")
    path = f"/secret/{metadata['secret_key']}"
    token = await csrf_token(client, path)
    wrong = await client.post(path, data={"passphrase": "guess", "_csrf_token": token}, headers=headers)
    assert wrong.status_code == 422
    assert '<p class="field-error" id="passphrase-error">That passphrase is not right.' in wrong.text
    assert 'aria-invalid="true"' in wrong.text
    assert "kept-value" not in wrong.text
    assert 'value="guess"' not in wrong.text
    assert form_token(wrong.text) == token
    right = await client.post(path, data={"passphrase": "open sesame", "_csrf_token": token})
    assert right.status_code == 200
    assert ">\nkept-value</textarea>" in right.text


async def test_the_passphrase_lockout_of_the_api_applies_to_the_page(client: AsyncTestClient) -> None:
    metadata = await share(client, "kept-value", passphrase="open sesame")
    path = f"/secret/{metadata['secret_key']}"
    token = await csrf_token(client, path)
    for _ in range(5):
        response = await client.post(path, data={"passphrase": "guess", "_csrf_token": token})
        assert response.status_code == 422
    locked = await client.post(path, data={"passphrase": "open sesame", "_csrf_token": token})
    assert locked.status_code == 429
    assert "Too many wrong passphrases. Try again in 30 minutes." in locked.text
    assert "kept-value" not in locked.text


@pytest.mark.parametrize("key", ["a" * 31, "bad key!", "x"])
async def test_an_unknown_secret_is_the_friendly_404_that_does_not_say_why(client: AsyncTestClient, key: str) -> None:
    response = await client.get(f"/secret/{key}")
    assert response.status_code == 404
    main = main_of(response.text)
    assert "This secret is gone, or was never here" in main
    assert response.headers["cache-control"] == "no-store"


async def test_consumed_expired_and_unknown_secrets_look_the_same(client: AsyncTestClient) -> None:
    consumed = await share(client)
    await client.post(f"/api/v1/secret/{consumed['secret_key']}")
    burned = await share(client)
    await client.post(f"/api/v1/private/{burned['metadata_key']}/burn")
    pages = {main_of((await client.get(f"/secret/{key}")).text) for key in (consumed["secret_key"], "b" * 31)}
    pages.add(main_of((await client.get(f"/secret/{burned['secret_key']}")).text))
    assert len(pages) == 1


async def test_an_htmx_reveal_of_a_gone_secret_swaps_the_whole_404_page_in(client: AsyncTestClient) -> None:
    metadata = await share(client)
    path = f"/secret/{metadata['secret_key']}"
    token = await csrf_token(client, path)
    await client.post(f"/api/v1/secret/{metadata['secret_key']}")
    response = await client.post(path, data={"_csrf_token": token}, headers=HTMX)
    assert response.status_code == 404
    assert response.headers["hx-retarget"] == "body"
    assert response.headers["hx-reswap"] == "innerHTML"
    assert "<html" in response.text
    assert response.headers["vary"] == "HX-Request"
