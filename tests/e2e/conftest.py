"""Browser tests: `ots serve` as a real process with its own Redis, driven by Debian's Chromium.

Run them on their own (`pytest tests/e2e`, or `make e2e`): sync Playwright and the async tests of
the other suites cannot share one pytest process.
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Playwright, sync_playwright

from tests.support.redis_server import RedisServer
from tests.support.server_process import ServerProcess, ots_env
from tests.support.smtp_server import SmtpSink

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM = os.environ.get("OTS_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="session")
def smtp() -> Iterator[SmtpSink]:
    """Run an SMTP server on loopback that keeps every email the app sends."""
    with SmtpSink() as sink:
        yield sink


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, smtp: SmtpSink) -> Iterator[ServerProcess]:
    """Start a redis-server and `ots serve` (sending mail to `smtp`) on free ports; stop both at the end."""
    directory = tmp_path_factory.mktemp("e2e")
    redis = RedisServer(directory / "redis").start()
    env = ots_env(
        directory / "data",
        OTS_REDIS_URL=redis.url,
        OTS_SECRET=base64.b64encode(secrets.token_bytes(32)).decode(),
        OTS_SMTP_URL=smtp.url,
        OTS_MAIL_FROM="Onetime Secret <noreply@example.com>",
        OTS_LIMIT_SIGNUP="1000/3600",  # every test signs up from 127.0.0.1 on this one server
    )
    try:
        with ServerProcess(env, directory / "logs") as running:
            yield running
    finally:
        redis.stop()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """Start Playwright's driver once."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Launch Debian's Chromium (Playwright cannot download its own browsers here)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make e2e`, which installs Debian's chromium")
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@dataclass
class Contexts:
    """Browser contexts opened by a test (each one a separate person), closed at its end."""

    browser: Browser
    opened: list[BrowserContext] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def new_page(self, *, javascript: bool = True, color_scheme: str = "light", timezone: str = "UTC") -> Page:
        """Open a phone-sized page in a fresh context: its own cookies, nobody else's."""
        context = self.browser.new_context(
            viewport=PHONE,
            java_script_enabled=javascript,
            color_scheme=color_scheme,  # type: ignore[arg-type]
            locale="en-GB",
            timezone_id=timezone,
        )
        self.opened.append(context)
        page = context.new_page()
        page.on("console", self._record)
        page.on("pageerror", lambda error: self.console_errors.append(f"pageerror: {error}"))
        return page

    def _record(self, message: ConsoleMessage) -> None:
        if message.type == "error" and "status of 4" not in message.text:  # 4xx answers are part of the flows
            self.console_errors.append(message.text)

    def close(self) -> None:
        for context in self.opened:
            context.close()


@pytest.fixture
def people(browser: Browser) -> Iterator[Contexts]:
    """Give a test as many separate browser users as it needs; no page may log an error.

    A Content-Security-Policy violation, a JavaScript error or a failed request logs one.
    """
    contexts = Contexts(browser)
    yield contexts
    contexts.close()
    assert contexts.console_errors == []


@pytest.fixture
def screenshot() -> Callable[[Page, str], None]:
    """Save a viewport screenshot of a page under tests/e2e/screenshots/ (kept out of git)."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(page: Page, name: str) -> None:
        # caret="initial": hiding the caret injects an inline style, which the page's CSP refuses.
        page.screenshot(path=SCREENSHOTS / f"{name}.png", caret="initial")

    return take
