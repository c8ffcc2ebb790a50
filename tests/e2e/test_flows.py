"""The browser flows, as a creator and a recipient would go through them."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.e2e.conftest import Contexts
from tests.support.server_process import ServerProcess

Screenshot = Callable[[Page, str], None]
RECEIPT_URL = re.compile(r"/private/[a-z0-9]{31}$")
GONE = "This secret is gone, or was never here"


def create_secret(
    page: Page, server: ServerProcess, value: str, passphrase: str = "", *, server_side: bool = False
) -> str:
    """Create a secret from the home page and return its share link.

    With JavaScript the page encrypts end to end by default; `server_side` unticks that, for the
    flows of a passphrase the server checks (tests/e2e/test_end_to_end.py has the end-to-end ones).
    """
    page.goto(server.url("/"))
    if server_side:
        page.get_by_label("Encrypt in my browser (end to end)").uncheck()
    page.get_by_label("Secret", exact=True).fill(value)
    if passphrase:
        page.get_by_label("Passphrase (optional)").fill(passphrase)
    page.get_by_role("button", name="Create a secret link").click()
    expect(page).to_have_url(RECEIPT_URL)
    # An end-to-end link is completed by the page's script (the key never reached the server).
    expect(page.locator("#share-link")).not_to_have_value("")
    return page.locator("#share-link").input_value()


def test_a_recipient_reveals_a_secret_once_in_another_browser(
    server: ServerProcess, people: Contexts, screenshot: Screenshot
) -> None:
    creator = people.new_page()
    creator.goto(server.url("/"))
    screenshot(creator, "home")
    creator.evaluate("window.sameDocument = true")
    creator.get_by_label("Secret", exact=True).fill("correct horse battery staple")
    creator.get_by_role("button", name="Create a secret link").click()
    expect(creator).to_have_url(RECEIPT_URL)
    expect(creator.locator("#share-link")).not_to_have_value("")  # an end-to-end link is completed by script
    link = creator.locator("#share-link").input_value()
    assert creator.evaluate("window.sameDocument") is True  # htmx loaded the receipt into main
    expect(creator.get_by_role("heading", level=1)).to_have_text("Your secret link is ready")
    expect(creator.get_by_role("heading", level=1)).to_be_focused()
    expect(creator.get_by_text("Not opened yet")).to_be_visible()
    screenshot(creator, "receipt")
    assert link.startswith(f"{server.origin}/secret/")

    recipient = people.new_page()
    recipient.goto(link)
    expect(recipient.get_by_role("heading", level=1)).to_have_text("You have a secret")
    screenshot(recipient, "reveal")
    creator.reload()
    expect(creator.get_by_text("Opened, not revealed yet")).to_be_visible()  # looked at, not consumed

    recipient.evaluate("window.sameDocument = true")
    recipient.get_by_role("button", name="Reveal the secret").click()
    expect(recipient.locator("#secret-value")).to_have_value("correct horse battery staple")
    expect(recipient.get_by_text("shown once and is now deleted")).to_be_visible()
    assert recipient.evaluate("window.sameDocument") is True  # htmx swapped the answer in
    expect(recipient).to_have_title("Your secret · Onetime Secret")
    screenshot(recipient, "revealed")

    recipient.reload()
    expect(recipient.get_by_role("heading", level=1)).to_have_text(GONE)
    screenshot(recipient, "not-found")
    creator.reload()
    expect(creator.get_by_text(re.compile(r"Received \d{4}-\d\d-\d\d"))).to_be_visible()
    expect(creator.locator("#share-link")).to_have_count(0)


def test_a_wrong_passphrase_is_refused_then_the_right_one_reveals(
    server: ServerProcess, people: Contexts, screenshot: Screenshot
) -> None:
    creator = people.new_page()
    link = create_secret(creator, server, "behind a passphrase", passphrase="open sesame", server_side=True)
    expect(creator.get_by_text("Requires a passphrase")).to_be_visible()

    recipient = people.new_page()
    recipient.goto(link)
    passphrase = recipient.get_by_label("Passphrase")
    passphrase.fill("guess")
    recipient.get_by_role("button", name="Reveal the secret").click()
    expect(recipient.locator("#passphrase-error")).to_have_text(re.compile("That passphrase is not right"))
    expect(recipient.get_by_label("Passphrase")).to_be_focused()
    expect(recipient.get_by_label("Passphrase")).to_have_attribute("aria-invalid", "true")
    screenshot(recipient, "reveal-wrong-passphrase")

    recipient.get_by_label("Passphrase").fill("open sesame")
    recipient.get_by_role("button", name="Show").click()
    expect(recipient.get_by_label("Passphrase")).to_have_attribute("type", "text")
    recipient.get_by_role("button", name="Reveal the secret").click()
    expect(recipient.locator("#secret-value")).to_have_value("behind a passphrase")


def test_generate_a_password_shows_it_once(server: ServerProcess, people: Contexts, screenshot: Screenshot) -> None:
    creator = people.new_page()
    creator.goto(server.url("/"))
    generate = creator.get_by_role("button", name="Generate a password")
    creator.get_by_label("Secret", exact=True).fill("typed")
    expect(generate).to_be_disabled()  # generating ignores the textarea, so it waits until it is empty
    creator.get_by_label("Secret", exact=True).fill("")
    expect(generate).to_be_enabled()
    generate.click()
    expect(creator).to_have_url(RECEIPT_URL)
    password = creator.get_by_label("Generated password").input_value()
    assert len(password) == 12
    screenshot(creator, "receipt-generated")
    expect(creator.locator("#share-link")).not_to_have_value("")  # an end-to-end link is completed by script
    link = creator.locator("#share-link").input_value()

    creator.reload()
    expect(creator.get_by_label("Generated password")).to_have_count(0)
    recipient = people.new_page()
    recipient.goto(link)
    recipient.get_by_role("button", name="Reveal the secret").click()
    expect(recipient.locator("#secret-value")).to_have_value(password)


def test_burning_from_the_receipt_kills_the_link(
    server: ServerProcess, people: Contexts, screenshot: Screenshot
) -> None:
    creator = people.new_page()
    link = create_secret(creator, server, "to be burned")
    creator.get_by_role("link", name="Burn this secret").click()
    expect(creator.get_by_role("heading", level=1)).to_have_text("Burn this secret?")
    expect(creator).to_have_url(re.compile(r"/private/[a-z0-9]{31}/burn$"))
    screenshot(creator, "burn")
    creator.get_by_role("button", name="Yes, burn it").click()
    expect(creator.get_by_text(re.compile(r"Burned \d{4}-\d\d-\d\d"))).to_be_visible()
    expect(creator.get_by_role("status")).to_have_text(re.compile("You burned the secret: its link no longer works"))
    expect(creator).to_have_url(re.compile(r"/private/[a-z0-9]{31}\?done=burned$"))
    screenshot(creator, "receipt-burned")

    recipient = people.new_page()
    response = recipient.goto(link)
    assert response is not None
    assert response.status == 404
    expect(recipient.get_by_role("heading", level=1)).to_have_text(GONE)


def test_the_whole_flow_works_with_javascript_disabled(
    server: ServerProcess, people: Contexts, screenshot: Screenshot
) -> None:
    creator = people.new_page(javascript=False)
    creator.goto(server.url("/"))
    creator.get_by_role("button", name="Create a secret link").click()
    expect(creator.locator("#secret-error")).to_have_text("You did not provide anything to share")
    screenshot(creator, "home-error-nojs")
    link = create_secret(creator, server, "no javascript here", passphrase="plain forms")
    expect(creator.get_by_role("button", name="Copy")).to_be_hidden()  # needs JavaScript, so not offered
    screenshot(creator, "receipt-nojs")

    recipient = people.new_page(javascript=False)
    recipient.goto(link)
    recipient.get_by_label("Passphrase").fill("wrong")
    recipient.get_by_role("button", name="Reveal the secret").click()
    expect(recipient.locator("#passphrase-error")).to_be_visible()
    recipient.get_by_label("Passphrase").fill("plain forms")
    recipient.get_by_role("button", name="Reveal the secret").click()
    expect(recipient.locator("#secret-value")).to_have_value("no javascript here")
    assert recipient.url == link  # the value came in the POST answer, never in a URL
    screenshot(recipient, "revealed-nojs")

    response = recipient.goto(link)
    assert response is not None
    assert response.status == 404

    other = people.new_page(javascript=False)
    other_link = create_secret(other, server, "burn without javascript")
    other.get_by_role("link", name="Burn this secret").click()
    other.get_by_role("button", name="Yes, burn it").click()
    expect(other.get_by_text(re.compile("Burned"))).to_be_visible()
    assert other.goto(other_link).status == 404  # type: ignore[union-attr]


def test_the_byte_counter_and_copy_button_help_the_creator(server: ServerProcess, people: Contexts) -> None:
    creator = people.new_page()
    creator.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.origin)
    creator.goto(server.url("/"))
    creator.get_by_label("Secret", exact=True).fill("héllo")
    expect(creator.locator("[data-byte-count]")).to_have_text("6")
    creator.get_by_label("Secret", exact=True).fill("x" * 1001)
    expect(creator.locator("#secret-hint")).to_have_class(re.compile("field-error"))
    # Over the size, Create is disabled (the server's refusal is tested without JavaScript).
    expect(creator.get_by_role("button", name="Create a secret link")).to_be_disabled()

    link = create_secret(creator, server, "copy me")
    creator.get_by_role("button", name="Copy").click()
    expect(creator.get_by_role("button", name="Copied")).to_be_visible()
    assert creator.evaluate("navigator.clipboard.readText()") == link
