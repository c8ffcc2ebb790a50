"""End-to-end secrets in a real browser, from `ots send`/`ots receive`, and what Redis holds of them.

The key lives in the link's fragment: every request the browsers make is captured and none may
carry the key, the plaintext or the passphrase.
"""

from __future__ import annotations

import base64
import io
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import redis
import zxingcpp
from PIL import Image
from playwright.sync_api import Page, Request, expect

from onetime import e2e_format
from tests.e2e.conftest import Contexts
from tests.support.redis_server import RedisServer
from tests.support.server_process import ServerProcess, ots_env, run_ots

RECEIPT_URL = re.compile(r"/private/[a-z0-9]{31}$")
LINK = re.compile(r"^http://127\.0\.0\.1:\d+/secret/[a-z0-9]{31}#[A-Za-z0-9_-]{48}$")
E2E_CHOICE = "Encrypt in my browser (end to end)"
GONE = "This secret is gone, or was never here"


@dataclass
class Deployment:
    """`ots serve` with a Redis of its own, which a test may read through."""

    server: ServerProcess
    redis_url: str
    env: dict[str, str]


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    """Start a redis-server and `ots serve` for this module's tests; stop both at the end."""
    directory = tmp_path_factory.mktemp("end-to-end")
    redis_server = RedisServer(directory / "redis").start()
    env = ots_env(
        directory / "data",
        OTS_REDIS_URL=redis_server.url,
        OTS_SECRET=base64.b64encode(secrets.token_bytes(32)).decode(),
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
