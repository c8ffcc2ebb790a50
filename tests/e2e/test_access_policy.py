"""A server where only accounts create and accounts come by invitation, in Chromium, with and without JavaScript."""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Contexts
from tests.support.redis_server import RedisServer
from tests.support.server_process import ServerProcess, ots_env, run_ots

PASSWORD = "plum tree under winter rain"
INVITE_LINK = re.compile(r"^http://127\.0\.0\.1:\d+/signup/invite/[a-z0-9]{31}$")


@pytest.fixture(scope="module")
def closed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """`ots serve` with OTS_CREATE=accounts and OTS_SIGNUP=invite (no mail: the command prints the link)."""
    directory = tmp_path_factory.mktemp("policy")
    redis = RedisServer(directory / "redis").start()
    env = ots_env(
        directory / "data",
        OTS_REDIS_URL=redis.url,
        OTS_SECRET=base64.b64encode(secrets.token_bytes(32)).decode(),
        OTS_CREATE="accounts",
        OTS_SIGNUP="invite",
        OTS_TTL_CHOICES="10m,2h,2d",
        OTS_TTL_DEFAULT="2h",
    )
    try:
        with ServerProcess(env, directory / "logs") as running:
            yield running
    finally:
        redis.stop()


def invite(server: ServerProcess, email: str) -> str:
    result = run_ots("account", "invite", email, env=server.env)
    assert result.returncode == 0, result.stderr
    link = result.stdout.strip()
    assert INVITE_LINK.match(link), link
    return link


@pytest.mark.parametrize("javascript", [True, False])
def test_a_visitor_is_told_how_to_get_access_and_an_invited_person_creates(
    closed_server: ServerProcess, people: Contexts, javascript: bool
) -> None:
    page = people.new_page(javascript=javascript)
    page.goto(closed_server.url("/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to share a secret")
    expect(page.get_by_label("Secret")).to_have_count(0)
    account_nav = page.get_by_role("navigation", name="Account")
    expect(account_nav.get_by_role("link", name="Sign up")).to_have_count(0)  # sign-up is by invitation
    page.goto(closed_server.url("/signup"))
    expect(page.get_by_role("heading", level=1)).to_have_text("New accounts are not open here")

    email = f"e2e-{secrets.token_hex(4)}@example.com"
    page.goto(invite(closed_server, email))
    expect(page.get_by_text(email)).to_be_visible()
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    page.goto(closed_server.url("/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Share a secret, once")
    options = page.locator("#ttl option")
    expect(options).to_have_text(["10 minutes", "2 hours", "2 days"])
    expect(page.locator("#ttl option:checked")).to_have_text("2 hours")


def test_an_invitation_link_works_once(closed_server: ServerProcess, people: Contexts) -> None:
    link = invite(closed_server, f"e2e-{secrets.token_hex(4)}@example.com")
    first, second = people.new_page(), people.new_page()
    first.goto(link)
    second.goto(link)
    first.get_by_label("Password", exact=True).fill(PASSWORD)
    first.get_by_role("button", name="Create account").click()
    expect(first.get_by_role("heading", level=1)).to_have_text("Your account")
    second.get_by_label("Password", exact=True).fill(PASSWORD)
    second.get_by_role("button", name="Create account").click()
    expect(second.get_by_role("heading", level=1)).to_have_text("This invitation link does not work")
