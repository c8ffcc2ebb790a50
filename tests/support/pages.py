"""Helpers for tests of the HTML pages: CSRF tokens, htmx headers, secrets made through the API."""

from __future__ import annotations

import re
from html import unescape

from litestar.testing import AsyncTestClient

HTMX = {"HX-Request": "true"}
_TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')
_SHARE_LINK = re.compile(r'id="share-link"[^>]*value="([^"]+)"')


def form_token(html: str) -> str:
    """Return the CSRF token of the first form in a page."""
    found = _TOKEN.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


async def csrf_token(client: AsyncTestClient, path: str = "/") -> str:
    """Load a page (which sets the CSRF cookie) and return its form's token."""
    return form_token((await client.get(path)).text)


def share_link(html: str) -> str:
    """Return the share link shown on a receipt page."""
    found = _SHARE_LINK.search(html)
    assert found, "the page shows no share link"
    return unescape(found.group(1))


async def share(client: AsyncTestClient, value: str = "hunter2", **params: str) -> dict[str, str]:
    """Create a secret through the JSON API and return its metadata."""
    response = await client.post("/api/v1/share", data={"secret": value, **params})
    assert response.status_code == 200, response.text
    metadata: dict[str, str] = response.json()
    return metadata


def main_of(html: str) -> str:
    """Return what a page shows inside <main>."""
    start, end = html.index("<main"), html.index("</main>")
    return html[start:end]
