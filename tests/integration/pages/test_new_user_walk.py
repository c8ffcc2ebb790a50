"""What a new user tripped over on the secret pages (issue 15): each mistake fixed stays fixed."""

from __future__ import annotations

import re

from litestar.testing import AsyncTestClient

from tests.support.pages import HTMX, csrf_token, share

TOO_LARGE = "é" * 501  # 1002 bytes, over the anonymous plan's 1000
KEEP_BOX = 'name="keep_passphrase" value="1" checked'


def field_error(html: str, field: str = "passphrase") -> str:
    found = re.search(rf'<p class="field-error" id="{field}-error">([^<]+)</p>', html)
    assert found, "no message under the field"
    return found.group(1)


async def test_after_a_form_error_the_next_submit_cannot_drop_the_passphrase_unasked(
    client: AsyncTestClient,
) -> None:
    token = await csrf_token(client)
    first = await client.post(
        "/create", data={"secret": TOO_LARGE, "passphrase": "pass-phrase-typed", "_csrf_token": token}
    )
    assert first.status_code == 422
    assert "pass-phrase-typed" not in first.text
    assert KEEP_BOX in first.text
    assert "type it\n      again" in first.text

    # The browser sends the form back as drawn: the box ticked, the passphrase empty.
    again = await client.post(
        "/create", data={"secret": "short now", "keep_passphrase": "1", "_csrf_token": token}, follow_redirects=False
    )
    assert again.status_code == 422
    assert 'id="passphrase-error">Type the passphrase again' in again.text
    assert KEEP_BOX in again.text
    assert ">\nshort now</textarea>" in again.text

    retyped = await client.post(
        "/create",
        data={"secret": "short now", "keep_passphrase": "1", "passphrase": "pass-phrase-typed", "_csrf_token": token},
    )
    assert retyped.status_code == 200
    assert "<dd>Requires a passphrase</dd>" in retyped.text


async def test_unticking_the_box_shares_without_a_passphrase_on_purpose(client: AsyncTestClient) -> None:
    token = await csrf_token(client)
    response = await client.post(
        "/create", data={"secret": "no passphrase wanted", "_csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303


async def test_a_form_never_posted_with_a_passphrase_does_not_offer_the_box(client: AsyncTestClient) -> None:
    token = await csrf_token(client)
    response = await client.post("/create", data={"secret": TOO_LARGE, "_csrf_token": token}, headers=HTMX)
    assert response.status_code == 422
    assert "keep_passphrase" not in response.text


async def test_generate_without_javascript_never_throws_a_typed_secret_away(client: AsyncTestClient) -> None:
    token = await csrf_token(client)
    response = await client.post(
        "/generate", data={"secret": "my typed secret", "_csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 422
    assert 'id="secret-error">You typed a secret, and a generated password would replace it.' in response.text
    assert ">\nmy typed secret</textarea>" in response.text
    generated = await client.post("/generate", data={"secret": "", "_csrf_token": token}, follow_redirects=False)
    assert generated.status_code == 303


async def test_a_wrong_passphrase_says_how_many_tries_are_left_and_the_lock_its_real_wait(
    client: AsyncTestClient,
) -> None:
    metadata = await share(client, "kept-value", passphrase="open sesame")
    path = f"/secret/{metadata['secret_key']}"
    token = await csrf_token(client, path)
    messages = []
    for _ in range(5):
        response = await client.post(path, data={"passphrase": "guess", "_csrf_token": token})
        assert response.status_code == 422
        messages.append(field_error(response.text))
    assert messages[0] == "That passphrase is not right. Check it and try again: 4 tries left."
    assert messages[3] == "That passphrase is not right. Check it and try again: 1 try left."
    assert messages[4] == "That passphrase is not right. No tries are left: try again in 30 minutes."
    locked = await client.post(path, data={"passphrase": "open sesame", "_csrf_token": token})
    assert locked.status_code == 429
    assert "Too many wrong passphrases. Try again in 30 minutes." in locked.text
    assert "a few minutes" not in locked.text


async def test_a_wrong_passphrase_on_burn_says_how_many_tries_are_left(client: AsyncTestClient) -> None:
    metadata = await share(client, "kept-value", passphrase="open sesame")
    path = f"/private/{metadata['metadata_key']}/burn"
    token = await csrf_token(client, path)
    response = await client.post(path, data={"passphrase": "guess", "_csrf_token": token})
    assert response.status_code == 422
    assert field_error(response.text) == "That passphrase is not right. Check it and try again: 4 tries left."


async def test_burning_says_it_worked_and_the_receipt_of_a_gone_secret_asks_nothing_more(
    client: AsyncTestClient,
) -> None:
    metadata = await share(client, "to burn")
    path = f"/private/{metadata['metadata_key']}"
    live = (await client.get(path)).text
    assert "share only the link above" in live
    token = await csrf_token(client, f"{path}/burn")
    burned = await client.post(f"{path}/burn", data={"_csrf_token": token}, follow_redirects=False)
    assert burned.status_code == 303
    assert burned.headers["location"] == f"{path}?done=burned"
    receipt = (await client.get(burned.headers["location"])).text
    assert "You burned the secret: its link no longer works" in receipt
    assert "share only the link above" not in receipt
    assert "You burned the secret" not in (await client.get(path)).text  # said once, after the burn


async def test_the_receipt_of_a_received_secret_does_not_ask_to_share_the_link(client: AsyncTestClient) -> None:
    metadata = await share(client, "to read")
    await client.post(f"/api/v1/secret/{metadata['secret_key']}")
    receipt = (await client.get(f"/private/{metadata['metadata_key']}")).text
    assert "Received" in receipt
    assert "share only the link above" not in receipt
    assert "You burned the secret" not in (await client.get(f"/private/{metadata['metadata_key']}?done=burned")).text


async def test_a_secret_of_only_spaces_and_line_breaks_makes_no_link(client: AsyncTestClient) -> None:
    token = await csrf_token(client)
    response = await client.post(
        "/create", data={"secret": "  \r\n\t \r\n", "_csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 422
    assert 'id="secret-error">The secret is only spaces and line breaks.' in response.text


async def test_the_creators_receipt_shows_failed_passphrase_guesses(client: AsyncTestClient) -> None:
    metadata = await share(client, "kept-value", passphrase="open sesame")
    receipt_path = f"/private/{metadata['metadata_key']}"
    assert "<dt>Wrong guesses</dt>\n    <dd>None in the last 10" in (await client.get(receipt_path)).text
    path = f"/secret/{metadata['secret_key']}"
    token = await csrf_token(client, path)
    for _ in range(3):
        await client.post(path, data={"passphrase": "guess", "_csrf_token": token})
    receipt = (await client.get(receipt_path)).text
    assert "<dt>Wrong guesses</dt>\n    <dd>3 in the last 10 minutes: someone is trying" in receipt
