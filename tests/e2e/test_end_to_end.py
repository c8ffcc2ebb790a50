"""End-to-end secrets in a real browser: created, revealed, refused, and shown on receipts.

The key lives in the link's fragment: every request the browsers make is captured and none may
carry the key, the plaintext or the passphrase. `test_end_to_end_outside.py` has `ots send`/
`ots receive`, the Redis scan and the HTTP answers.
"""

from __future__ import annotations

import base64
import io
import re
import secrets
from collections.abc import Callable

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Page, expect

from onetime import e2e_format
from tests.e2e.conftest import Contexts
from tests.e2e.test_accounts_flows import link_in, mail_to, sign_up
from tests.e2e.test_pages_in_browser import run_axe
from tests.support.end_to_end import (
    E2E_CHOICE,
    RECEIPT_URL,
    Deployment,
    Requests,
    create_end_to_end,
    deployment,
    fragment_of,
)
from tests.support.smtp_server import SmtpSink

__all__ = ["deployment"]  # the module's server (a fixture)
GONE = "This secret is gone, or was never here"
Screenshot = Callable[[Page, str], None]


def decode_qr(page: Page) -> list[str]:
    svg = page.locator("[data-e2e-qr] svg.qr-code")
    expect(svg).to_be_visible()
    picture = Image.open(io.BytesIO(svg.screenshot(caret="initial")))
    decoded = zxingcpp.read_barcodes(picture.convert("L"))
    assert all(code.format == zxingcpp.BarcodeFormat.QRCode for code in decoded)
    return [code.text for code in decoded]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_secret_travels_end_to_end_and_no_request_carries_its_key_or_text(
    deployment: Deployment, people: Contexts, scheme: str
) -> None:
    value = f"end to end {secrets.token_hex(8)}\nsecond line"
    creator = people.new_page(color_scheme=scheme)
    creator_requests = Requests(creator)
    link = create_end_to_end(creator, deployment, value)
    expect(creator.get_by_text(re.compile(r"End-to-end, [\d,]+ bytes"))).to_be_visible()
    expect(creator.locator("[data-e2e-missing]")).to_be_hidden()
    assert decode_qr(creator) == [link]

    recipient = people.new_page(color_scheme=scheme)
    recipient_requests = Requests(recipient)
    recipient.goto(link)
    expect(recipient.get_by_role("heading", level=1)).to_have_text("You have a secret")
    expect(recipient.get_by_label("Passphrase")).to_be_hidden()
    recipient.get_by_role("button", name="Reveal the secret").click()
    expect(recipient.locator("#secret-value")).to_have_value(value)
    expect(recipient.get_by_text("Decrypted in your browser")).to_be_visible()
    assert "#" not in recipient.url  # the key left the address bar once it had done its work

    fragment = fragment_of(link)
    raw_key = e2e_format.parse_fragment(fragment).key
    for captured in (creator_requests, recipient_requests):
        captured.assert_none_carries(fragment, value, "end to end", base64.b64encode(raw_key).decode())
    assert any(url.endswith("/create") for url in creator_requests.posted())
    assert len(recipient_requests.posted()) == 1

    creator.reload()
    expect(creator.get_by_text(re.compile(r"Received \d{4}-\d\d-\d\d"))).to_be_visible()
    recipient.reload()
    expect(recipient.get_by_role("heading", level=1)).to_have_text(GONE)


def test_a_passphrase_stays_in_the_browsers_and_a_wrong_one_can_be_tried_again(
    deployment: Deployment, people: Contexts
) -> None:
    value = f"behind a passphrase {secrets.token_hex(8)}"
    passphrase = f"open sesame {secrets.token_hex(4)}"
    creator = people.new_page(color_scheme="dark")
    creator_requests = Requests(creator)
    link = create_end_to_end(creator, deployment, value, passphrase=passphrase)
    assert e2e_format.parse_fragment(fragment_of(link)).passphrase is True
    expect(creator.get_by_text("Not known to this server")).to_be_visible()

    recipient = people.new_page(color_scheme="dark")
    recipient_requests = Requests(recipient)
    recipient.goto(link)
    recipient.get_by_label("Passphrase").fill("a wrong guess")
    recipient.get_by_role("button", name="Reveal the secret").click()
    status = recipient.locator("[data-e2e-status]")
    expect(status).to_contain_text("The passphrase is wrong, or the key in the link was altered")
    expect(status).to_contain_text("deleted from the server")
    recipient.get_by_label("Passphrase").fill(passphrase)
    recipient.get_by_role("button", name="Decrypt").click()
    expect(recipient.locator("#secret-value")).to_have_value(value)
    assert len(recipient_requests.posted()) == 1  # the second try happened in the page alone

    for captured in (creator_requests, recipient_requests):
        captured.assert_none_carries(fragment_of(link), value, passphrase, "a wrong guess")


def test_a_damaged_or_missing_key_is_refused_before_anything_is_consumed(
    deployment: Deployment, people: Contexts
) -> None:
    creator = people.new_page()
    link = create_end_to_end(creator, deployment, "keep me whole")
    base, fragment = link.split("#", 1)
    swapped = fragment[:20] + ("A" if fragment[20] != "A" else "B") + fragment[21:]

    recipient = people.new_page()
    requests = Requests(recipient)
    for address, message in [
        (f"{base}#{swapped}", "The key at the end of this link (after '#') is damaged"),
        (f"{base}#{fragment[:-3]}", "The key at the end of this link (after '#') is damaged"),
        (base, "This link is missing its key: the part after '#' was cut off"),
    ]:
        recipient.goto("about:blank")
        recipient.goto(address)
        expect(recipient.get_by_role("alert")).to_contain_text(message)
        expect(recipient.get_by_role("alert")).to_contain_text("Nothing has been revealed or deleted")
        expect(recipient.get_by_role("button", name="Reveal the secret")).to_be_hidden()
    assert requests.posted() == []
    creator.reload()
    expect(creator.get_by_text("Opened, not revealed yet")).to_be_visible()  # still there, unconsumed

    # A well-formed key of another secret passes the check, so the secret is consumed: said plainly.
    other_key = e2e_format.LinkKey.new(passphrase=False).fragment()
    recipient.goto("about:blank")
    recipient.goto(f"{base}#{other_key}")
    recipient.get_by_role("button", name="Reveal the secret").click()
    expect(recipient.locator("[data-e2e-status]")).to_contain_text(
        "The key in this link does not open this secret, so it cannot be shown"
    )
    expect(recipient.locator("#secret-value")).to_be_hidden()
    creator.reload()
    expect(creator.get_by_text(re.compile(r"Received \d{4}-\d\d-\d\d"))).to_be_visible()


def test_the_full_link_is_only_in_the_creating_tab(deployment: Deployment, people: Contexts) -> None:
    creator = people.new_page()
    create_end_to_end(creator, deployment, "only here")
    receipt_url = creator.url
    elsewhere = people.new_page()
    elsewhere.goto(receipt_url)
    expect(elsewhere.get_by_text("it is no longer available here")).to_be_visible()
    expect(elsewhere.locator("#share-link")).to_be_hidden()
    expect(elsewhere.locator("[data-e2e-qr]")).to_be_hidden()
    no_script = people.new_page(javascript=False)
    no_script.goto(receipt_url)
    expect(no_script.get_by_text("it is no longer available here")).to_be_visible()
    expect(no_script.get_by_text(re.compile(r"End-to-end, [\d,]+ bytes"))).to_be_visible()


def test_without_javascript_the_page_says_the_server_encrypts_and_works_as_before(
    deployment: Deployment, people: Contexts
) -> None:
    page = people.new_page(javascript=False)
    page.goto(deployment.server.url("/"))
    expect(page.locator("#encryption-mode")).to_contain_text("Encrypted on the server")
    expect(page.get_by_label(E2E_CHOICE)).to_be_hidden()
    page.get_by_label("Secret", exact=True).fill("server side")
    page.get_by_role("button", name="Create a secret link").click()
    expect(page).to_have_url(RECEIPT_URL)
    expect(page.get_by_text("On this server")).to_be_visible()
    link = page.locator("#share-link").input_value()
    assert "#" not in link
    reader = people.new_page(javascript=False)
    reader.goto(link)
    reader.get_by_role("button", name="Reveal the secret").click()
    expect(reader.locator("#secret-value")).to_have_value("server side")


def test_with_javascript_the_creator_may_choose_server_side_encryption(
    deployment: Deployment, people: Contexts
) -> None:
    page = people.new_page()
    page.goto(deployment.server.url("/"))
    page.get_by_label(E2E_CHOICE).uncheck()
    expect(page.locator("#encryption-mode")).to_contain_text("Encrypted on the server")
    page.get_by_label("Secret", exact=True).fill("server side by choice")
    page.get_by_role("button", name="Create a secret link").click()
    expect(page).to_have_url(RECEIPT_URL)
    expect(page.get_by_text("On this server")).to_be_visible()
    assert "#" not in page.locator("#share-link").input_value()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_end_to_end_pages_have_no_wcag_21_aa_violation(
    deployment: Deployment, people: Contexts, screenshot: Screenshot, scheme: str
) -> None:
    creator = people.new_page(color_scheme=scheme)
    creator.goto(deployment.server.url("/"))
    creator.get_by_label("Passphrase (optional)").fill("words")
    violations = {f"home-e2e-{scheme}": run_axe(creator)}
    screenshot(creator, f"home-e2e-{scheme}")
    link = create_end_to_end(creator, deployment, "checked by axe", passphrase="words")
    violations[f"receipt-e2e-{scheme}"] = run_axe(creator)
    screenshot(creator, f"receipt-e2e-{scheme}")
    recipient = people.new_page(color_scheme=scheme)
    recipient.goto(link)
    violations[f"reveal-e2e-{scheme}"] = run_axe(recipient)
    screenshot(recipient, f"reveal-e2e-{scheme}")
    recipient.get_by_label("Passphrase").fill("not the words")
    recipient.get_by_role("button", name="Reveal the secret").click()
    expect(recipient.locator("[data-e2e-retry]")).to_be_visible()
    violations[f"wrong-passphrase-e2e-{scheme}"] = run_axe(recipient)
    screenshot(recipient, f"wrong-passphrase-e2e-{scheme}")
    recipient.get_by_label("Passphrase").fill("words")
    recipient.get_by_role("button", name="Decrypt").click()
    expect(recipient.locator("#secret-value")).to_have_value("checked by axe")
    violations[f"revealed-e2e-{scheme}"] = run_axe(recipient)
    screenshot(recipient, f"revealed-e2e-{scheme}")
    second = create_end_to_end(creator, deployment, "damaged on the way")
    damaged = people.new_page(color_scheme=scheme)
    damaged.goto(second[:-4])
    expect(damaged.get_by_role("alert")).to_be_visible()
    violations[f"damaged-e2e-{scheme}"] = run_axe(damaged)
    screenshot(damaged, f"damaged-e2e-{scheme}")
    assert {name: found for name, found in violations.items() if found} == {}


def test_the_size_limit_counts_the_ciphertext_and_an_oversized_one_is_never_sent(
    deployment: Deployment, people: Contexts
) -> None:
    page = people.new_page()
    requests = Requests(page)
    page.goto(deployment.server.url("/"))
    limit = int(page.locator("#secret").get_attribute("data-max-bytes") or "0")
    text = "x" * (limit - 100)  # fits as text, not once encrypted
    page.get_by_label("Secret", exact=True).fill(text)
    expect(page.locator("[data-e2e-size]")).to_contain_text(f"of the {limit:,} bytes allowed")
    page.get_by_role("button", name="Create a secret link").click()
    expect(page.get_by_role("alert")).to_contain_text(f"over the limit of {limit:,}")
    assert requests.posted() == []
    page.get_by_label(E2E_CHOICE).uncheck()  # the server's own encryption counts the text
    page.get_by_role("button", name="Create a secret link").click()
    expect(page).to_have_url(RECEIPT_URL)


def test_the_dashboard_says_end_to_end_and_a_burn_forgets_the_key_in_the_tab(
    deployment: Deployment, people: Contexts
) -> None:
    page = people.new_page()
    sign_up(page, deployment.server, f"e2e-{secrets.token_hex(4)}@example.com")
    create_end_to_end(page, deployment, "an account's end-to-end secret")
    metadata_key = page.url.rsplit("/", 1)[1]
    assert page.evaluate("key => sessionStorage.getItem('ots-e2e-link:' + key)", metadata_key)
    page.goto(deployment.server.url("/dashboard"))
    entry = page.locator(f"#entry-{metadata_key}")
    expect(entry.get_by_text(re.compile(r"^end-to-end, [\d,]+ bytes$"))).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    entry.get_by_role("button", name=re.compile("^Burn")).click()
    expect(entry.locator(".state")).to_have_text("Burned")
    page.goto(deployment.server.url(f"/private/{metadata_key}"))
    expect(page.get_by_text(re.compile(r"Burned \d{4}-\d\d-\d\d"))).to_be_visible()
    assert page.evaluate("key => sessionStorage.getItem('ots-e2e-link:' + key)", metadata_key) is None


def test_a_blank_secret_is_refused_in_the_page_without_sending_the_passphrase(
    deployment: Deployment, people: Contexts
) -> None:
    page = people.new_page()
    requests = Requests(page)
    page.goto(deployment.server.url("/"))
    page.get_by_label("Secret", exact=True).fill("   \n  ")
    page.get_by_label("Passphrase (optional)").fill("pass-phrase-typed")
    page.get_by_role("button", name="Create a secret link").click()
    expect(page.get_by_role("alert")).to_contain_text("Type or paste the secret to share")
    assert requests.posted() == []
    expect(page.get_by_label("Passphrase (optional)")).to_have_value("pass-phrase-typed")  # nothing was redrawn
    page.get_by_label("Secret", exact=True).fill("short now")
    page.get_by_role("button", name="Create a secret link").click()
    expect(page).to_have_url(RECEIPT_URL)
    expect(page.locator("#share-link")).not_to_have_value("")  # an end-to-end link is completed by script
    link = page.locator("#share-link").input_value()
    assert e2e_format.parse_fragment(fragment_of(link)).passphrase is True
    requests.assert_none_carries("short now", "pass-phrase-typed")


def test_a_secret_sent_by_email_is_encrypted_on_the_server_and_the_page_says_so(
    deployment: Deployment, people: Contexts, smtp: SmtpSink
) -> None:
    page = people.new_page()
    email = f"e2e-{secrets.token_hex(4)}@example.com"
    sign_up(page, deployment.server, email)
    page.goto(link_in(mail_to(smtp, email), deployment.server, "/account/confirm/"))
    page.get_by_role("button", name="Confirm my email address").click()
    page.goto(deployment.server.url("/"))
    page.get_by_label("Secret", exact=True).fill("by email")
    page.get_by_label("Send the link by email (optional)").fill(f"to-{email}")
    expect(page.locator("#encryption-mode")).to_contain_text("a secret sent by email is encrypted by this server")
    page.get_by_role("button", name="Create a secret link").click()
    expect(page).to_have_url(RECEIPT_URL)
    expect(page.get_by_text("On this server")).to_be_visible()
    page.goto(link_in(mail_to(smtp, f"to-{email}"), deployment.server, "/secret/"))
    page.get_by_role("button", name="Reveal the secret").click()
    expect(page.locator("#secret-value")).to_have_value("by email")


def test_a_ciphertext_over_the_plan_is_refused_by_the_server_and_the_text_comes_back(
    deployment: Deployment, people: Contexts
) -> None:
    page = people.new_page()
    requests = Requests(page)
    page.goto(deployment.server.url("/"))
    limit = int(page.locator("#secret").get_attribute("data-max-bytes") or "0")
    # Lift the page's own check, as a stale page could: the server counts the ciphertext itself.
    page.locator("#secret").evaluate("(box, bytes) => { box.dataset.maxBytes = bytes; }", str(limit * 10))
    text = "y" * (limit - 50)
    page.get_by_label("Secret", exact=True).fill(text)
    page.get_by_label("Passphrase (optional)").fill("kept in the page")
    page.get_by_role("button", name="Create a secret link").click()
    expect(page.locator("#secret-error")).to_contain_text(f"over the {limit:,} bytes allowed")
    expect(page.get_by_label("Secret", exact=True)).to_have_value(text)  # put back by the page, never sent
    expect(page.get_by_label("Passphrase (optional)")).to_have_value("kept in the page")
    assert len(requests.posted()) == 1
    requests.assert_none_carries(text, "kept in the page")
