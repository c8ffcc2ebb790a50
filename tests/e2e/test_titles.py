"""Page titles: after each htmx swap the tab's title is the same page's title loaded in full."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Contexts
from tests.e2e.test_flows import GONE, RECEIPT_URL, create_secret
from tests.e2e.test_pages_in_browser import run_axe
from tests.support.server_process import ServerProcess


def title_in_full(people: Contexts, url: str) -> str:
    """Return the title of a page loaded in full, by a browser of its own."""
    page = people.new_page()
    page.goto(url)
    return page.title()


def swapped(page: Page) -> bool:
    """Tell whether the page is still the document `mark` marked: htmx swapped content in."""
    return bool(page.evaluate("window.sameDocument === true"))


def mark(page: Page) -> None:
    """Mark the current document, so `swapped` can tell a swap from a page load."""
    page.evaluate("window.sameDocument = true")


def test_the_title_follows_create_receipt_burn_and_back(server: ServerProcess, people: Contexts) -> None:
    creator = people.new_page()
    creator.goto(server.url("/"))
    home_title = creator.title()
    assert home_title == "Share a secret · Onetime Secret"
    mark(creator)
    creator.get_by_label("Secret", exact=True).fill("titled")
    creator.get_by_role("button", name="Create a secret link").click()
    expect(creator).to_have_url(RECEIPT_URL)
    receipt_url = creator.url
    expect(creator).to_have_title(title_in_full(people, receipt_url))
    assert creator.title() != home_title

    creator.get_by_role("link", name="Burn this secret").click()
    expect(creator).to_have_url(re.compile(r"/burn$"))
    expect(creator).to_have_title(title_in_full(people, creator.url))
    assert creator.title() == "Burn this secret? · Onetime Secret"

    creator.get_by_role("button", name="Yes, burn it").click()
    expect(creator.get_by_text(re.compile(r"Burned \d{4}-\d\d-\d\d"))).to_be_visible()
    expect(creator).to_have_title(title_in_full(people, receipt_url))
    assert swapped(creator)  # every step above was an htmx swap, not a page load


def test_the_title_follows_a_reveal_its_error_and_a_gone_secret(server: ServerProcess, people: Contexts) -> None:
    creator = people.new_page()
    # Without JavaScript, the same posts answer whole pages: their titles are the ones to match.
    without_js = people.new_page(javascript=False)
    first_link = create_secret(creator, server, "seen in full", passphrase="open sesame", server_side=True)
    without_js.goto(first_link)
    without_js.get_by_label("Passphrase").fill("wrong")
    without_js.get_by_role("button", name="Reveal the secret").click()
    error_title = without_js.title()
    without_js.get_by_label("Passphrase").fill("open sesame")
    without_js.get_by_role("button", name="Reveal the secret").click()
    expect(without_js.locator("#secret-value")).to_have_value("seen in full")
    revealed_title = without_js.title()
    without_js.goto(first_link)
    expect(without_js.get_by_role("heading", level=1)).to_have_text(GONE)
    gone_title = without_js.title()

    link = create_secret(creator, server, "seen by htmx", passphrase="open sesame", server_side=True)
    recipient = people.new_page()
    recipient.goto(link)
    reveal_title = recipient.title()
    assert reveal_title == title_in_full(people, link) == "You have a secret · Onetime Secret"
    mark(recipient)
    recipient.get_by_label("Passphrase").fill("wrong")
    recipient.get_by_role("button", name="Reveal the secret").click()
    expect(recipient.locator("#passphrase-error")).to_be_visible()
    expect(recipient).to_have_title(error_title)
    recipient.get_by_label("Passphrase").fill("open sesame")
    recipient.get_by_role("button", name="Reveal the secret").click()
    expect(recipient.locator("#secret-value")).to_have_value("seen by htmx")
    expect(recipient).to_have_title(revealed_title)
    assert revealed_title == "Your secret · Onetime Secret"
    assert swapped(recipient)

    # A second tab still on the reveal page: its htmx post finds the secret gone.
    late = people.new_page()
    late.goto(create_secret(creator, server, "taken first"))
    mark(late)
    creator.request.post(late.url.replace("/secret/", "/api/v1/secret/"))
    late.get_by_role("button", name="Reveal the secret").click()
    expect(late.get_by_role("heading", level=1)).to_have_text(GONE)
    expect(late).to_have_title(gone_title)
    assert swapped(late)  # the 404 page was swapped into the body, not loaded


def test_an_unknown_address_is_titled_page_not_found(server: ServerProcess, people: Contexts) -> None:
    page = people.new_page()
    response = page.goto(server.url("/no-such-page"))
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert page.title() == "Page not found · Onetime Secret"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_page_not_found_has_no_wcag_21_aa_violation(server: ServerProcess, people: Contexts, scheme: str) -> None:
    page = people.new_page(color_scheme=scheme)
    page.goto(server.url("/no-such-page"))
    assert run_axe(page) == []
