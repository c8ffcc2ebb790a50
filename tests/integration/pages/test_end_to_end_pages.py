"""End-to-end secrets through the HTML face in process: the record flag, the receipt, the guarded reveal."""

import re

import pytest
from litestar.testing import AsyncTestClient

from onetime import e2e_format
from tests.support.pages import HTMX, csrf_token

PASSPHRASE_KEY = e2e_format.LinkKey.new(passphrase=True)


async def create_end_to_end(client: AsyncTestClient, ciphertext: str) -> str:
    """Post a ciphertext as the browser's script does; return the receipt key."""
    token = await csrf_token(client, "/")
    fields = {"_csrf_token": token, "e2e": "v1", "secret": ciphertext}
    response = await client.post("/create", data=fields, follow_redirects=False)
    assert response.status_code == 303
    return response.headers["location"].rsplit("/", 1)[1]


async def test_the_receipt_says_end_to_end_and_never_draws_a_link_without_its_key(client: AsyncTestClient) -> None:
    ciphertext = e2e_format.seal("flagged", PASSPHRASE_KEY, "words", iterations=e2e_format.MIN_ITERATIONS)
    metadata_key = await create_end_to_end(client, ciphertext)
    html = (await client.get(f"/private/{metadata_key}")).text
    assert f"End-to-end, {len(ciphertext):,} bytes" in html
    assert "it is no longer available here" in html
    assert 'id="share-link" class="mono" readonly value=""' in html
    assert "qr-code" not in html  # no QR code of an incomplete link
    assert "Not known to this server" in html
    link = re.search(r'data-e2e-link="([^"]+)"', html)
    assert link is not None
    assert re.fullmatch(r"https?://[^/]+/secret/[a-z0-9]{31}", link.group(1))  # the server's part, no "#"
    receipt = (await client.get(f"/api/v1/private/{metadata_key}")).json()
    assert receipt["passphrase_required"] is False  # the server checks no passphrase for it


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
async def test_a_reveal_without_the_scripts_field_is_refused_and_consumes_nothing(
    client: AsyncTestClient, headers: dict[str, str]
) -> None:
    ciphertext = e2e_format.seal("guarded", e2e_format.LinkKey.new(passphrase=False))
    metadata_key = await create_end_to_end(client, ciphertext)
    secret_key = (await client.get(f"/api/v1/private/{metadata_key}")).json()["secret_key"]
    path = f"/secret/{secret_key}"
    page = (await client.get(path)).text
    assert "data-e2e-reveal" in page
    assert "Only a\n    browser with JavaScript turned on" in page
    token = await csrf_token(client, path)
    refused = await client.post(path, data={"_csrf_token": token}, headers=headers)
    assert refused.status_code == 409
    assert refused.headers["cache-control"] == "no-store"
    assert ciphertext not in refused.text
    revealed = await client.post(path, data={"_csrf_token": token, "e2e": "v1"}, headers=headers)
    assert revealed.status_code == 200
    assert f'data-ciphertext="{ciphertext}"' in revealed.text
    assert (await client.post(path, data={"_csrf_token": token, "e2e": "v1"})).status_code == 404


async def test_a_server_side_secret_is_unchanged(client: AsyncTestClient) -> None:
    token = await csrf_token(client, "/")
    response = await client.post("/create", data={"_csrf_token": token, "secret": "plain"}, follow_redirects=False)
    html = (await client.get(response.headers["location"])).text
    assert "On this server" in html
    assert "data-e2e-receipt" not in html
    assert 'class="qr-code"' in html
