"""Issue 15 item 13 and the polish, in Chromium: recovery by email, the logo, notices and badges, screenshots.

The screenshots land in tests/e2e/screenshots/ (kept out of git); a few, made small, are copied to
docs/screenshots/ for the README.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Contexts
from tests.e2e.test_accounts_flows import PASSWORD, Screenshot, new_email, share, sign_up
from tests.e2e.test_pages_in_browser import run_axe
from tests.support.server_process import ServerProcess
from tests.support.smtp_server import Received, SmtpSink

NEW_PASSWORD = "copper kettle over quiet hills"
DESKTOP = {"width": 1280, "height": 860}


def reset_mail_to(smtp: SmtpSink, address: str, page: Page) -> Received:
    """Wait for the reset email sent to an address (its confirmation email arrives too)."""
    for _ in range(150):
        for message in list(smtp.messages):
            if address in message.rcpt_tos and message.message["Subject"] == "Choose a new password":
                return message
        page.wait_for_timeout(100)
    raise AssertionError(f"no reset email to {address}")


def reset_link(message: Received, server: ServerProcess) -> str:
    body = message.message.get_body(("plain",))
    assert body is not None
    found = re.search(re.escape(server.url("/signin/reset/")) + r"[a-z0-9]{31}", str(body.get_content()))
    assert found, body
    return found.group(0)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_forgot_password_sends_a_link_that_sets_a_new_one_and_signs_other_browsers_out(
    server: ServerProcess, people: Contexts, smtp: SmtpSink, javascript: bool
) -> None:
    email = new_email()
    elsewhere = people.new_page()
    sign_up(elsewhere, server, email)

    page = people.new_page(javascript=javascript)
    page.goto(server.url("/signin"))
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Forgot your password?")
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    expect(page.locator(".notice.success")).to_contain_text("If an account exists for that address")

    page.goto(reset_link(reset_mail_to(smtp, email, page), server))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    expect(page.locator(".notice.warning")).to_contain_text("list of recent secrets starts again")
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set the new password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your new password is set")
    expect(page.get_by_role("navigation", name="Account")).to_contain_text(email)

    elsewhere.goto(server.url("/dashboard"))
    expect(elsewhere).to_have_url(re.compile(r"/signin"))
    elsewhere.get_by_label("Email").fill(email)
    elsewhere.get_by_label("Password", exact=True).fill(PASSWORD)
    elsewhere.get_by_role("button", name="Sign in").click()
    expect(elsewhere.locator(".field-error, .alert").first).to_be_visible()  # the old password is gone


def test_the_recovery_pages_have_no_wcag_21_aa_violation(
    server: ServerProcess, people: Contexts, smtp: SmtpSink, screenshot: Screenshot
) -> None:
    violations = {}
    for scheme in ("light", "dark"):
        email = new_email()
        sign_up(people.new_page(color_scheme=scheme), server, email)
        page = people.new_page(color_scheme=scheme)
        page.goto(server.url("/signin/forgot"))
        found = {"forgot": run_axe(page)}
        page.get_by_label("Email").fill(email)
        page.get_by_role("button", name="Email me a link").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
        found["sent"] = run_axe(page)
        link = reset_link(reset_mail_to(smtp, email, page), server)
        page.goto(link)
        found["reset"] = run_axe(page)
        screenshot(page, f"reset-password-{scheme}")
        page.get_by_label("New password").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Set the new password").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Your new password is set")
        found["changed"] = run_axe(page)
        page.goto(link)
        expect(page.get_by_role("heading", level=1)).to_have_text("This link no longer works")
        found["used-link"] = run_axe(page)
        violations.update({f"{name}-{scheme}": value for name, value in found.items() if value})
    assert violations == {}


def test_the_header_shows_the_logo_mark(server: ServerProcess, people: Contexts) -> None:
    page = people.new_page()
    page.goto(server.url("/"))
    mark = page.locator("header .brand-mark")
    expect(mark).to_have_attribute("src", re.compile(r"/static/img/logo\.svg"))
    assert mark.evaluate("image => image.complete && image.naturalWidth > 0")


def test_success_warning_and_error_notices_look_different(server: ServerProcess, people: Contexts) -> None:
    page = people.new_page()
    page.goto(server.url("/signin/reset/" + "0" * 31))
    error_look = page.locator(".notice.error").evaluate("n => getComputedStyle(n).borderLeftColor")
    page.goto(server.url("/signin/forgot/sent"))
    success_look = page.locator(".notice.success").evaluate("n => getComputedStyle(n).borderLeftColor")
    share(page, server, "for the warning")  # the receipt warns to keep its address private
    warning_look = page.locator(".notice").last.evaluate("n => getComputedStyle(n).borderLeftColor")
    assert len({error_look, success_look, warning_look}) == 3


def test_the_home_page_uses_a_wide_screen(server: ServerProcess, people: Contexts) -> None:
    page = people.new_page()
    page.set_viewport_size(DESKTOP)
    page.goto(server.url("/"))
    form = page.locator(".home-form").bounding_box()
    aside = page.locator(".how-it-works").bounding_box()
    assert form is not None
    assert aside is not None
    assert aside["x"] >= form["x"] + form["width"]  # beside the form, not below it
    assert form["width"] + aside["width"] > 900


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots_of_create_receipt_reveal_and_dashboard(
    server: ServerProcess, people: Contexts, screenshot: Screenshot, scheme: str
) -> None:
    page = people.new_page(color_scheme=scheme)
    page.set_viewport_size(DESKTOP)
    sign_up(page, server, new_email())
    page.goto(server.url("/"))
    page.get_by_label("Secret", exact=True).fill("wifi: correct-horse-battery-staple")
    screenshot(page, f"shot-create-{scheme}")
    page.get_by_role("button", name="Create a secret link").click()
    expect(page.locator(".qr-code")).to_be_visible()
    screenshot(page, f"shot-receipt-{scheme}")
    link = page.locator("#share-link").input_value()
    share(page, server, "an older secret")

    reader = people.new_page(color_scheme=scheme)
    reader.set_viewport_size(DESKTOP)
    reader.goto(link)
    screenshot(reader, f"shot-reveal-{scheme}")
    reader.get_by_role("button", name="Reveal the secret").click()
    expect(reader.locator("#secret-value")).to_be_visible()
    screenshot(reader, f"shot-revealed-{scheme}")

    page.goto(server.url("/dashboard"))
    expect(page.locator(".state-received")).to_have_count(1)
    screenshot(page, f"shot-dashboard-{scheme}")

    phone = people.new_page(color_scheme=scheme)  # the phone width the fixtures open at
    phone.goto(server.url("/"))
    screenshot(phone, f"shot-create-phone-{scheme}")
