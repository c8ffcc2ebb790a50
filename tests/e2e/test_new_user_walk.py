"""What a new user tripped over (issue 15), walked again in Chromium with and without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Contexts
from tests.e2e.test_accounts_flows import new_email, sign_up
from tests.e2e.test_flows import RECEIPT_URL
from tests.support.server_process import ServerProcess

TOO_LARGE = "é" * 501  # 1002 bytes, over the anonymous plan's 1000


def test_create_is_disabled_while_the_secret_is_over_the_size(server: ServerProcess, people: Contexts) -> None:
    page = people.new_page()
    page.goto(server.url("/"))
    page.get_by_label("Secret", exact=True).fill(TOO_LARGE)
    expect(page.get_by_role("button", name="Create a secret link")).to_be_disabled()
    page.get_by_label("Secret", exact=True).fill("small")
    expect(page.get_by_role("button", name="Create a secret link")).to_be_enabled()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_after_a_form_error_the_passphrase_cannot_silently_vanish(
    server: ServerProcess, people: Contexts, javascript: bool
) -> None:
    page = people.new_page(javascript=javascript)
    page.goto(server.url("/"))
    if javascript:  # the server's own passphrase check; tests/e2e/test_end_to_end.py walks the end-to-end one
        page.get_by_label("Encrypt in my browser (end to end)").uncheck()
    page.get_by_label("Secret", exact=True).fill("   \n  ")  # only spaces: refused, with or without JavaScript
    page.get_by_label("Passphrase (optional)").fill("pass-phrase-typed")
    page.get_by_role("button", name="Create a secret link").click()
    expect(page.locator("#secret-error")).to_be_visible()
    keep = page.get_by_label("Protect the secret with a passphrase")
    expect(keep).to_be_checked()
    page.get_by_label("Secret", exact=True).fill("short now")
    page.get_by_role("button", name="Create a secret link").click()
    expect(page.locator("#passphrase-error")).to_have_text(re.compile("Type the passphrase again"))
    page.get_by_label("Passphrase (optional)").fill("pass-phrase-typed")
    page.get_by_role("button", name="Create a secret link").click()
    expect(page).to_have_url(RECEIPT_URL)
    expect(page.get_by_text("Requires a passphrase")).to_be_visible()


def test_without_javascript_generate_keeps_a_typed_secret(server: ServerProcess, people: Contexts) -> None:
    page = people.new_page(javascript=False)
    page.goto(server.url("/"))
    page.get_by_label("Secret", exact=True).fill("my typed secret")
    page.get_by_role("button", name="Generate a password").click()
    expect(page.locator("#secret-error")).to_have_text(re.compile("a generated password would replace it"))
    expect(page.get_by_label("Secret", exact=True)).to_have_value("my typed secret")


def test_the_domain_page_fits_a_phone_and_names_the_host_to_point_at(server: ServerProcess, people: Contexts) -> None:
    page = people.new_page()
    sign_up(page, server, new_email())
    page.goto(server.url("/account/domains"))
    page.get_by_label("Domain").fill("a-rather-long-subdomain-name.secrets.example-company.example")
    page.get_by_role("button", name=re.compile("Add")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("a-rather-long-subdomain"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    expect(page.get_by_text("Point at")).to_be_visible()
    page.get_by_role("link", name=re.compile("Remove")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Remove .*\?$"))


def test_times_show_in_the_readers_zone_with_javascript_and_in_utc_without(
    server: ServerProcess, people: Contexts
) -> None:
    for javascript, zone_text in (
        (True, re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d (GMT\+9|JST)$")),
        (False, re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d UTC$")),
    ):
        page = people.new_page(javascript=javascript, timezone="Asia/Tokyo")
        page.goto(server.url("/"))
        page.get_by_label("Secret", exact=True).fill("what time is it")
        page.get_by_role("button", name="Create a secret link").click()
        expect(page).to_have_url(RECEIPT_URL)
        expect(page.locator("time").first).to_have_text(zone_text)
