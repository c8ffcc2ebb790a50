"""What the pages are in a real browser: the QR code scans, axe finds nothing, the pages stay light."""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Page, Response, expect

from tests.e2e.conftest import SCREENSHOTS, Contexts
from tests.e2e.test_flows import create_secret
from tests.support.server_process import PROJECT_ROOT, ServerProcess

Screenshot = Callable[[Page, str], None]
AXE_SOURCE = PROJECT_ROOT / "node_modules/axe-core/axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PAGE_BUDGET = 40_000
"""Bytes a first visit may transfer, gzip-compressed, HTML and assets together."""


def test_the_qr_code_scans_to_the_share_link(server: ServerProcess, people: Contexts) -> None:
    creator = people.new_page()
    link = create_secret(creator, server, "scan me")
    picture = Image.open(io.BytesIO(creator.locator("svg.qr-code").screenshot(caret="initial")))
    decoded = zxingcpp.read_barcodes(picture.convert("L"))
    assert [code.text for code in decoded] == [link]
    assert decoded[0].format == zxingcpp.BarcodeFormat.QRCode


def run_axe(page: Page) -> list[dict[str, object]]:
    """Run axe-core from the local node_modules in the page; return the WCAG 2.1 A/AA violations."""
    # Evaluated through the DevTools protocol, so the page's CSP (no inline script) stays on.
    page.evaluate(AXE_SOURCE.read_text())
    result = page.evaluate("options => axe.run(document, options)", {"runOnly": {"type": "tag", "values": WCAG_21_AA}})
    assert "color-contrast" in {rule["id"] for rule in result["passes"]}, "axe did not check the colours"
    return [
        {"id": violation["id"], "nodes": [node["target"] for node in violation["nodes"]]}
        for violation in result["violations"]
    ]


def visit_every_page(server: ServerProcess, people: Contexts, scheme: str) -> Iterator[tuple[str, Page]]:
    """Walk through every page the app draws, yielding each once it is on screen."""
    creator = people.new_page(color_scheme=scheme)
    creator.goto(server.url("/"))
    yield "home", creator
    creator.get_by_role("button", name="Create a secret link").click()
    expect(creator.locator("#secret-error")).to_be_visible()
    yield "home-error", creator
    link = create_secret(creator, server, "axe", passphrase="open sesame", server_side=True)
    yield "receipt", creator
    creator.get_by_role("link", name="Burn this secret").click()
    expect(creator.get_by_role("button", name="Yes, burn it")).to_be_visible()
    yield "burn", creator

    recipient = people.new_page(color_scheme=scheme)
    recipient.goto(link)
    yield "reveal", recipient
    recipient.get_by_role("button", name="Reveal the secret").click()  # empty: the browser asks for it
    recipient.get_by_label("Passphrase").fill("wrong")
    recipient.get_by_role("button", name="Reveal the secret").click()
    expect(recipient.locator("#passphrase-error")).to_be_visible()
    yield "reveal-error", recipient
    recipient.get_by_label("Passphrase").fill("open sesame")
    recipient.get_by_role("button", name="Reveal the secret").click()
    expect(recipient.locator("#secret-value")).to_be_visible()
    yield "revealed", recipient
    recipient.goto(link)
    yield "not-found", recipient


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_page_has_a_wcag_21_aa_violation(
    server: ServerProcess, people: Contexts, screenshot: Screenshot, scheme: str
) -> None:
    violations = {}
    seen = []
    for name, page in visit_every_page(server, people, scheme):
        seen.append(name)
        screenshot(page, f"{name}-{scheme}")
        found = run_axe(page)
        if found:
            violations[name] = found
    assert {"home", "receipt", "reveal", "revealed", "not-found"} <= set(seen)
    (SCREENSHOTS / f"axe-{scheme}.json").write_text(json.dumps({"pages": seen, "violations": violations}, indent=2))
    assert violations == {}


def transferred(page: Page, url: str) -> dict[str, int]:
    """Load a URL in a fresh page and return the gzip-compressed size of every response it fetched."""
    responses: list[Response] = []
    # A bound list.append cannot be a Playwright handler (Playwright sets an attribute on it).
    page.on("response", lambda response: responses.append(response))  # noqa: PLW0108
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return {response.url.split("?")[0]: len(gzip.compress(response.body(), 6)) for response in responses}


def test_home_and_reveal_pages_stay_light(server: ServerProcess, people: Contexts) -> None:
    creator = people.new_page()
    link = create_secret(creator, server, "weigh me")
    weights = {
        "home": transferred(people.new_page(), server.url("/")),
        "reveal": transferred(people.new_page(), link),
    }
    report = {name: {"total": sum(sizes.values()), "files": sizes} for name, sizes in weights.items()}
    SCREENSHOTS.mkdir(exist_ok=True)
    (SCREENSHOTS / "page-weights.json").write_text(json.dumps(report, indent=2))
    for name, sizes in weights.items():
        assert not [url for url in sizes if not url.startswith(server.origin)], f"{name}: a third-party request"
        assert sum(sizes.values()) < PAGE_BUDGET, report


def test_the_vendored_htmx_is_the_pinned_release() -> None:
    vendored = PROJECT_ROOT / "static/vendor/htmx.min.js"
    released = PROJECT_ROOT / "node_modules/htmx.org/dist/htmx.min.js"
    pinned = json.loads((PROJECT_ROOT / "package.json").read_text())["devDependencies"]["htmx.org"]
    assert vendored.read_bytes() == released.read_bytes()
    assert f'version:"{pinned}"' in vendored.read_text()
    assert (
        Path(PROJECT_ROOT / "static/vendor/htmx.LICENSE").read_bytes()
        == (PROJECT_ROOT / "node_modules/htmx.org/LICENSE").read_bytes()
    )
