"""Read notifications in the browser, with and without JavaScript: the history on the dashboard and its
CSV download after a recipient reveals, and the webhook page refusing a private address."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Contexts
from tests.e2e.test_accounts_flows import new_email, share, sign_up
from tests.e2e.test_pages_in_browser import run_axe
from tests.support.server_process import ServerProcess


def reveal(page: Page, link: str) -> None:
    page.goto(link)
    page.get_by_role("button", name="Reveal the secret").click()
    expect(page.locator("#secret-value")).to_be_visible()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_dashboard_history_shows_a_revealed_secret_and_downloads_as_csv(
    server: ServerProcess, people: Contexts, *, javascript: bool
) -> None:
    creator = people.new_page(javascript=javascript)
    sign_up(creator, server, new_email())
    link = share(creator, server, "the history knows only that this was read")
    receipt_key = creator.url.rsplit("/", 1)[1]
    reveal(people.new_page(javascript=javascript), link)

    creator.goto(server.url("/dashboard"))
    row = creator.locator(f'[data-history="{receipt_key[:8]}"]')
    expect(row).to_contain_text("Revealed")
    expect(row).not_to_contain_text("Not opened")
    assert link.rsplit("/", 1)[1] not in creator.content()
    if javascript:  # axe runs as script in the page
        assert run_axe(creator) == []
    with creator.expect_download() as download:
        creator.get_by_role("link", name="Download the history (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text())))
    assert [(r["receipt"], r["outcome"]) for r in rows] == [(receipt_key[:8], "revealed")]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_webhook_page_refuses_a_private_address_and_says_why(
    server: ServerProcess, people: Contexts, *, javascript: bool
) -> None:
    page = people.new_page(javascript=javascript)
    sign_up(page, server, new_email())
    page.get_by_role("link", name="your webhook").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your webhook")
    page.get_by_label("Webhook URL").fill("https://10.1.2.3/hooks")
    page.get_by_role("button", name="Save the URL").click()
    expect(page.get_by_role("alert")).to_contain_text("a private address")
    expect(page.get_by_label("Webhook URL")).to_have_value("https://10.1.2.3/hooks")
    if javascript:
        assert run_axe(page) == []
