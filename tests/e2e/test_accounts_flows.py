"""Accounts in the browser: sign up, share, follow the secret on the dashboard, burn it, sign out and in."""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
from collections.abc import Callable

from playwright.sync_api import Dialog, Page, expect

from tests.e2e.conftest import SCREENSHOTS, Contexts
from tests.e2e.test_pages_in_browser import run_axe
from tests.support.server_process import ServerProcess
from tests.support.smtp_server import Received, SmtpSink

Screenshot = Callable[[Page, str], None]
PASSWORD = "plum tree under winter rain"
RECEIPT_URL = re.compile(r"/private/[a-z0-9]{31}$")


def new_email() -> str:
    """Return an address no other test has signed up with (they share one server)."""
    return f"e2e-{secrets.token_hex(4)}@example.com"


def sign_up(page: Page, server: ServerProcess, email: str) -> str:
    """Create an account from the sign-up page; return the API token it shows once."""
    page.goto(server.url("/"))
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Sign up").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    return page.locator("#api-token").input_value()


def sign_in(page: Page, server: ServerProcess, email: str) -> None:
    """Sign in from the header's link."""
    page.goto(server.url("/"))
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Sign in").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(server.url("/dashboard"))


def share(page: Page, server: ServerProcess, value: str) -> str:
    """Create a secret from the home page and return its share link."""
    page.goto(server.url("/"))
    page.get_by_label("Secret", exact=True).fill(value)
    page.get_by_role("button", name="Create a secret link").click()
    expect(page).to_have_url(RECEIPT_URL)
    expect(page.locator("#share-link")).not_to_have_value("")  # an end-to-end link is completed by script
    return page.locator("#share-link").input_value()


def test_sign_up_share_follow_and_burn_from_the_dashboard_then_sign_out_and_in(
    server: ServerProcess, people: Contexts, screenshot: Screenshot
) -> None:
    page = people.new_page()
    email = new_email()
    token = sign_up(page, server, email)
    assert re.fullmatch(r"[a-z0-9]{31}", token)
    expect(page.get_by_text("Shown only this once")).to_be_visible()
    account_nav = page.get_by_role("navigation", name="Account")
    expect(account_nav.get_by_role("link", name=email)).to_be_visible()
    screenshot(page, "account-new-token")

    long_secret = "x" * 2000  # more than an anonymous secret may hold; the account's plan allows it
    link = share(page, server, long_secret)
    metadata_key = page.url.rsplit("/", 1)[1]

    account_nav.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recent secrets")
    entry = page.locator(f"#entry-{metadata_key}")
    expect(entry.locator(".state")).to_have_text("New")
    screenshot(page, "dashboard")

    page.once("dialog", lambda dialog: dialog.accept())
    page.evaluate("window.sameDocument = true")
    entry.get_by_role("button", name=re.compile("^Burn")).click()
    expect(entry.locator(".state")).to_have_text("Burned")
    expect(entry.get_by_text("is burned: its link no longer works")).to_be_focused()
    assert page.evaluate("window.sameDocument") is True  # htmx swapped the entry in place
    screenshot(page, "dashboard-burned")

    recipient = people.new_page()
    response = recipient.goto(link)
    assert response is not None
    assert response.status == 404

    account_nav.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(server.url("/"))
    expect(page.get_by_role("navigation", name="Account").get_by_role("link", name="Sign in")).to_be_visible()
    assert page.goto(server.url("/dashboard")).url == server.url("/signin")  # type: ignore[union-attr]

    sign_in(page, server, email)
    expect(page.locator(f"#entry-{metadata_key} .state")).to_have_text("Burned")


def test_a_dismissed_confirmation_burns_nothing(server: ServerProcess, people: Contexts) -> None:
    page = people.new_page()
    sign_up(page, server, new_email())
    link = share(page, server, "keep me")
    page.goto(server.url("/dashboard"))
    dialogs: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_role("button", name=re.compile("^Burn")).click()
    expect(page.locator(".entry .state")).to_have_text("New")
    assert dialogs == ["Burn this secret? Its link stops working at once."]
    recipient = people.new_page()
    recipient.goto(link)
    expect(recipient.get_by_role("heading", level=1)).to_have_text("You have a secret")


def test_accounts_work_with_javascript_disabled(
    server: ServerProcess, people: Contexts, screenshot: Screenshot
) -> None:
    page = people.new_page(javascript=False)
    email = new_email()
    sign_up(page, server, email)
    expect(page.get_by_role("button", name="Copy")).to_be_hidden()
    link = share(page, server, "burn me without javascript")
    page.goto(server.url("/dashboard"))
    page.get_by_role("button", name=re.compile("^Burn")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Burn this secret?")
    screenshot(page, "dashboard-burn-nojs")
    page.get_by_role("button", name="Yes, burn it").click()
    expect(page).to_have_url(server.url("/dashboard?page=1"))
    expect(page.locator(".entry .state")).to_have_text("Burned")
    assert people.new_page(javascript=False).goto(link).status == 404  # type: ignore[union-attr]

    page.get_by_role("link", name=email).click()
    page.get_by_role("button", name="Rotate the API token").click()
    expect(page.get_by_text("Shown only this once")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, server, email)


def test_wrong_passwords_are_told_next_to_the_form(
    server: ServerProcess, people: Contexts, screenshot: Screenshot
) -> None:
    page = people.new_page()
    page.goto(server.url("/signup"))
    page.get_by_label("Email").fill(new_email())
    page.get_by_label("Password", exact=True).fill("password1234")
    page.get_by_role("button", name="Create account").click()
    error = page.locator("#password-error")
    expect(error).to_have_text("This password is one of the most common ones. Choose another.")
    expect(page.get_by_label("Password", exact=True)).to_have_attribute("aria-invalid", "true")
    screenshot(page, "signup-error")

    page.goto(server.url("/signin"))
    page.get_by_label("Email").fill(new_email())
    page.get_by_label("Password", exact=True).fill("not the right password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text(re.compile("The email or password is not right."))
    screenshot(page, "signin-error")


def test_deleting_the_account_signs_out_and_the_token_stops_working(server: ServerProcess, people: Contexts) -> None:
    page = people.new_page()
    email = new_email()
    token = sign_up(page, server, email)
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account is deleted")
    expect(page.get_by_role("navigation", name="Account").get_by_role("link", name="Sign in")).to_be_visible()
    answer = page.request.get(
        server.url("/api/v1/authcheck"), headers={"Authorization": basic(email, token)}, fail_on_status_code=False
    )
    assert answer.status == 404
    assert answer.json() == {"message": "Not authorized"}


def basic(email: str, token: str) -> str:
    """Return an HTTP Basic Authorization header value."""
    return "Basic " + base64.b64encode(f"{email}:{token}".encode()).decode()


def visit_account_pages(server: ServerProcess, people: Contexts, smtp: SmtpSink, scheme: str) -> list[tuple[str, Page]]:
    """Open each account page once, in the given colour scheme, and return them."""
    visited = []
    page = people.new_page(color_scheme=scheme)
    page.goto(server.url("/signin"))
    visited.append(("signin", page))
    signup = people.new_page(color_scheme=scheme)
    signup.goto(server.url("/signup"))
    visited.append(("signup", signup))
    account = people.new_page(color_scheme=scheme)
    email = new_email()
    sign_up(account, server, email)
    visited.append(("account", account))
    confirm = people.new_page(color_scheme=scheme)
    confirm.goto(link_in(mail_to(smtp, email), server, "/account/confirm/"))
    visited.append(("confirm-email", confirm))
    dashboard = people.new_page(color_scheme=scheme)
    sign_up(dashboard, server, new_email())
    share(dashboard, server, "listed")
    share(dashboard, server, "burned")
    dashboard.goto(server.url("/dashboard"))
    dashboard.once("dialog", lambda dialog: dialog.accept())
    dashboard.get_by_role("button", name=re.compile("^Burn")).first.click()
    expect(dashboard.locator(".state", has_text="Burned")).to_have_count(1)
    visited.append(("dashboard", dashboard))
    return visited


def test_the_account_pages_have_no_wcag_21_aa_violation(
    server: ServerProcess, people: Contexts, smtp: SmtpSink, screenshot: Screenshot
) -> None:
    violations = {}
    for scheme in ("light", "dark"):
        for name, page in visit_account_pages(server, people, smtp, scheme):
            screenshot(page, f"{name}-{scheme}")
            found = run_axe(page)
            if found:
                violations[f"{name}-{scheme}"] = found
    (SCREENSHOTS / "axe-accounts.json").write_text(json.dumps(violations, indent=2))
    assert violations == {}


def mail_to(smtp: SmtpSink, address: str, timeout: float = 15.0) -> Received:
    """Wait for the email the app sends to an address (other tests' emails arrive too)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in list(smtp.messages):
            if address in message.rcpt_tos:
                return message
        time.sleep(0.1)
    raise AssertionError(f"no email to {address} within {timeout} s")


def link_in(message: Received, server: ServerProcess, path: str) -> str:
    """Return the link to `path/...` that an email's plain-text part carries."""
    body = message.message.get_body(("plain",))
    assert body is not None
    found = re.search(re.escape(server.url(path)) + r"[a-z0-9]{31}", str(body.get_content()))
    assert found, body
    return found.group(0)


def test_a_confirmed_account_sends_a_secret_link_by_email(
    server: ServerProcess, people: Contexts, smtp: SmtpSink, screenshot: Screenshot
) -> None:
    page = people.new_page()
    email = new_email()
    sign_up(page, server, email)
    expect(page.get_by_text("not confirmed yet")).to_be_visible()
    confirmation = mail_to(smtp, email)
    assert confirmation.message["Subject"] == "Confirm your email address"
    page.goto(link_in(confirmation, server, "/account/confirm/"))
    screenshot(page, "confirm-email")
    page.get_by_role("button", name="Confirm my email address").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your email address is confirmed")

    recipient_address = new_email()
    page.goto(server.url("/"))
    page.get_by_label("Secret", exact=True).fill("sent by email")
    page.get_by_label("Send the link by email (optional)").fill(recipient_address)
    screenshot(page, "home-signed-in")
    page.get_by_role("button", name="Create a secret link").click()
    expect(page).to_have_url(RECEIPT_URL)
    metadata_key = page.url.rsplit("/", 1)[1]

    sent = mail_to(smtp, recipient_address)
    assert sent.message["Subject"] == f"{email} sent you a secret"
    assert "sent by email" not in sent.raw.decode()
    recipient = people.new_page()
    recipient.goto(link_in(sent, server, "/secret/"))
    recipient.get_by_role("button", name="Reveal the secret").click()
    expect(recipient.locator("#secret-value")).to_have_value("sent by email")

    page.goto(server.url("/dashboard"))
    entry = page.locator(f"#entry-{metadata_key}")
    expect(entry.locator(".state")).to_have_text("Received")
    expect(entry).to_contain_text("(email sent)")
    expect(entry).not_to_contain_text(recipient_address)
