"""What the end-to-end tests share: a server with its own Redis, a request recorder, the create step."""

from __future__ import annotations

import base64
import re
import secrets
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, Request, expect

from tests.support.redis_server import RedisServer
from tests.support.server_process import PROJECT_ROOT, ServerProcess, ots_env
from tests.support.smtp_server import SmtpSink

RECEIPT_URL = re.compile(r"/private/[a-z0-9]{31}$")
LINK = re.compile(r"^http://127\.0\.0\.1:\d+/secret/[a-z0-9]{31}#[A-Za-z0-9_-]{48}$")
E2E_CHOICE = "Encrypt in my browser (end to end)"


@dataclass
class Deployment:
    """`ots serve` with a Redis of its own, which a test may read through."""

    server: ServerProcess
    redis_url: str
    env: dict[str, str]


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory, smtp: SmtpSink) -> Iterator[Deployment]:
    """Start a redis-server and `ots serve` for this module's tests; stop both at the end."""
    directory = tmp_path_factory.mktemp("end-to-end")
    redis_server = RedisServer(directory / "redis").start()
    env = ots_env(
        directory / "data",
        OTS_REDIS_URL=redis_server.url,
        OTS_SECRET=base64.b64encode(secrets.token_bytes(32)).decode(),
        OTS_SMTP_URL=smtp.url,
        OTS_MAIL_FROM="Onetime Secret <noreply@example.com>",
    )
    try:
        with ServerProcess(env, directory / "logs") as running:
            yield Deployment(running, redis_server.url, {**env, "OTS_BASE_URL": running.origin})
    finally:
        redis_server.stop()


class Requests:
    """Every request a page makes, to check afterwards that none carries a secret."""

    def __init__(self, *pages: Page) -> None:
        self.seen: list[Request] = []
        for page in pages:
            page.on("request", self._record)

    def _record(self, request: Request) -> None:
        self.seen.append(request)

    def assert_none_carries(self, *needles: str) -> None:
        assert self.seen, "no request was captured"
        for request in self.seen:
            headers = "\n".join(f"{name}: {value}" for name, value in request.all_headers().items())
            body = request.post_data_buffer or b""
            for needle in needles:
                assert needle not in request.url, request.url
                assert needle not in headers, request.url
                assert needle.encode() not in body, request.url

    def posted(self) -> list[str]:
        return [request.url for request in self.seen if request.method == "POST"]


def create_end_to_end(page: Page, deployment: Deployment, value: str, passphrase: str = "") -> str:
    """Create a secret end to end from the home page and return its whole link."""
    page.goto(deployment.server.url("/"))
    expect(page.get_by_label(E2E_CHOICE)).to_be_checked()
    expect(page.locator("#encryption-mode")).to_contain_text("End-to-end: your browser encrypts the secret")
    page.get_by_label("Secret", exact=True).fill(value)
    if passphrase:
        page.get_by_label("Passphrase (optional)").fill(passphrase)
    page.get_by_role("button", name="Create a secret link").click()
    expect(page).to_have_url(RECEIPT_URL)
    expect(page.locator("#share-link")).to_have_value(LINK)
    return page.locator("#share-link").input_value()


def fragment_of(link: str) -> str:
    return link.split("#", 1)[1]


def ots(deployment: Deployment, *args: str, stdin: str = "", **env: str) -> tuple[int, str, str]:
    """Run the `ots` command as a user would, against the deployment's server."""
    result = subprocess.run(
        [str(PROJECT_ROOT / ".venv/bin/ots"), *args],
        cwd=PROJECT_ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        env={**deployment.env, **env},
        timeout=60,
        check=False,
    )
    return result.returncode, result.stdout, result.stderr
