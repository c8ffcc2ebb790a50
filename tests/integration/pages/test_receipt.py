"""The receipt page: share link, QR code, state, the generated password once, and burning."""

import json
import re

import pytest
import qrcode
import qrcode.constants
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from onetime.keys import secret_id
from onetime.storage.keys import receipt_name, secret_name
from onetime.storage.secret_records import CREATED
from tests.support.pages import HTMX, csrf_token, main_of, share, share_link

_MODULE = re.compile(r"M(\d+),(\d+)H")


def qr_modules(html: str) -> set[tuple[int, int]]:
    """Return the dark modules of the QR code drawn in a page, as (x, y) pairs."""
    path = re.search(r'<svg[^>]*class="qr-code".*?<path d="([^"]+)"', html, re.DOTALL)
    assert path, "the page has no QR code"
    return {(int(x), int(y)) for x, y in _MODULE.findall(path.group(1))}


def expected_modules(link: str) -> set[tuple[int, int]]:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(link)
    code.make(fit=True)
    return {(x, y) for y, row in enumerate(code.get_matrix()) for x, dark in enumerate(row) if dark}


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
async def test_receipt_shows_the_share_link_and_what_became_of_the_secret(
    client: AsyncTestClient, headers: dict[str, str]
) -> None:
    metadata = await share(client, "hunter2-value", ttl="3600")
    response = await client.get(f"/private/{metadata['metadata_key']}", headers=headers)
    assert response.status_code == 200
    html = response.text
    assert ("<html" in html) is not bool(headers)
    assert share_link(html) == metadata["secret_url"]
    assert 'data-copy="share-link"' in html
    assert "Not opened yet" in html
    assert "in 1 hour" in html
    assert "Requires a passphrase" not in html
    assert "private receipt" in html
    assert "hunter2-value" not in html
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["vary"] == "HX-Request"


async def test_the_qr_code_encodes_the_share_link(client: AsyncTestClient) -> None:
    metadata = await share(client)
    html = (await client.get(f"/private/{metadata['metadata_key']}")).text
    assert qr_modules(html) == expected_modules(metadata["secret_url"])
    assert qr_modules(html) != expected_modules(metadata["secret_url"] + "x")
    assert 'role="img" aria-label="QR code of the share link"' in html


async def test_receipt_says_when_a_passphrase_is_required(client: AsyncTestClient) -> None:
    metadata = await share(client, passphrase="open sesame")
    html = (await client.get(f"/private/{metadata['metadata_key']}")).text
    assert "Requires a passphrase" in html
    assert "open sesame" not in html


async def test_receipt_follows_the_secret_from_viewed_to_received(client: AsyncTestClient) -> None:
    metadata = await share(client)
    await client.get(f"/secret/{metadata['secret_key']}")
    viewed = (await client.get(f"/private/{metadata['metadata_key']}")).text
    assert "Opened, not revealed yet" in viewed
    await client.post(f"/api/v1/secret/{metadata['secret_key']}")
    received = (await client.get(f"/private/{metadata['metadata_key']}")).text
    assert re.search(r'Received <time datetime="[0-9T:-]+Z">[0-9: -]+ UTC</time>', received)
    assert 'id="share-link"' not in received
    assert "qr-code" not in received
    assert "Burn this secret" not in received


async def test_receipt_of_a_secret_that_expired_unread_says_so(client: AsyncTestClient, redis: Redis) -> None:
    metadata = await share(client, ttl="3600")
    created = int(metadata["created"])
    await redis.delete(secret_name(secret_id(metadata["secret_key"])))
    await redis.hset(receipt_name(secret_id(metadata["secret_key"])), CREATED, str(created - 3600))
    html = (await client.get(f"/private/{metadata['metadata_key']}")).text
    assert re.search(r"Expired <time datetime=\"[0-9T:-]+Z\">[0-9: -]+ UTC</time>, never revealed", html)
    assert 'id="share-link"' not in html


async def test_receipt_of_a_secret_lost_early_says_it_is_no_longer_available(
    client: AsyncTestClient, redis: Redis
) -> None:
    metadata = await share(client, ttl="3600")
    await redis.delete(secret_name(secret_id(metadata["secret_key"])))
    html = (await client.get(f"/private/{metadata['metadata_key']}")).text
    assert "No longer available" in html
    assert "Burn this secret" not in html


@pytest.mark.parametrize("key", ["a" * 31, "not-a-key", "A" * 31])
async def test_an_unknown_receipt_is_the_friendly_404(client: AsyncTestClient, key: str) -> None:
    response = await client.get(f"/private/{key}")
    assert response.status_code == 404
    assert "This secret is gone, or was never here" in response.text
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
async def test_burn_asks_for_confirmation_first(client: AsyncTestClient, headers: dict[str, str]) -> None:
    metadata = await share(client, passphrase="open sesame")
    response = await client.get(f"/private/{metadata['metadata_key']}/burn", headers=headers)
    assert response.status_code == 200
    assert ("<html" in response.text) is not bool(headers)
    assert f'<form method="post" action="/private/{metadata["metadata_key"]}/burn"' in response.text
    assert 'id="passphrase" name="passphrase"' in response.text
    assert response.headers["cache-control"] == "no-store"
    # Asking changes nothing.
    assert (await client.get(f"/api/v1/private/{metadata['metadata_key']}")).json()["state"] == "new"


async def test_burn_without_javascript_redirects_to_the_burned_receipt(client: AsyncTestClient) -> None:
    metadata = await share(client)
    path = f"/private/{metadata['metadata_key']}"
    token = await csrf_token(client, f"{path}/burn")
    response = await client.post(f"{path}/burn", data={"_csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"{path}?done=burned"
    receipt = (await client.get(path)).text
    assert "Burned <time" in receipt
    assert (await client.get(f"/secret/{metadata['secret_key']}")).status_code == 404


async def test_burn_with_htmx_loads_the_receipt_into_main(client: AsyncTestClient) -> None:
    metadata = await share(client)
    path = f"/private/{metadata['metadata_key']}"
    token = await csrf_token(client, f"{path}/burn")
    response = await client.post(f"{path}/burn", data={"_csrf_token": token}, headers=HTMX, follow_redirects=False)
    assert response.status_code == 200
    assert json.loads(response.headers["hx-location"])["path"] == f"{path}?done=burned"
    assert (await client.get(f"/api/v1/private/{metadata['metadata_key']}")).json()["state"] == "burned"


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
async def test_burn_with_a_wrong_passphrase_says_so_and_keeps_the_secret(
    client: AsyncTestClient, headers: dict[str, str]
) -> None:
    metadata = await share(client, "kept", passphrase="open sesame")
    path = f"/private/{metadata['metadata_key']}/burn"
    token = await csrf_token(client, path)
    response = await client.post(path, data={"passphrase": "wrong", "_csrf_token": token}, headers=headers)
    assert response.status_code == 422
    assert '<p class="field-error" id="passphrase-error">That passphrase is not right.' in response.text
    assert 'value="wrong"' not in response.text
    right = await client.post(path, data={"passphrase": "open sesame", "_csrf_token": token}, follow_redirects=False)
    assert right.status_code in {200, 303}
    assert (await client.get(f"/api/v1/private/{metadata['metadata_key']}")).json()["state"] == "burned"


async def test_burn_page_of_a_secret_already_gone_goes_back_to_the_receipt(client: AsyncTestClient) -> None:
    metadata = await share(client)
    await client.post(f"/api/v1/secret/{metadata['secret_key']}")
    path = f"/private/{metadata['metadata_key']}"
    response = await client.get(f"{path}/burn", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == path


async def test_burning_a_secret_already_revealed_is_the_friendly_404(client: AsyncTestClient) -> None:
    metadata = await share(client)
    path = f"/private/{metadata['metadata_key']}"
    token = await csrf_token(client, f"{path}/burn")
    await client.post(f"/api/v1/secret/{metadata['secret_key']}")
    response = await client.post(f"{path}/burn", data={"_csrf_token": token})
    assert response.status_code == 404
    assert "This secret is gone" in main_of(response.text)
