"""Where a form may send the browser back to: a path of this site, never another host."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from litestar import Request

MAX_RETURN_PATH = 2048
_REFUSED_CHARACTER = re.compile(r"[\\\x00-\x1f\x7f]")
"""A backslash, a control character or DEL."""


def safe_return_path(candidate: str) -> str:
    """Return `candidate` if it is a path on this site ("/secret/abc", "/dashboard?page=2"), else "/".

    Only a relative path that starts with one slash: never a scheme, a host ("//evil.example"),
    a backslash that browsers read as a slash, or a control character.
    """
    if not candidate.startswith("/") or len(candidate) > MAX_RETURN_PATH:
        return "/"
    if candidate.startswith(("//", "/\\")) or _REFUSED_CHARACTER.search(candidate):
        return "/"
    parts = urlsplit(candidate)
    if parts.scheme or parts.netloc:
        return "/"
    return candidate


def return_path_of(request: Request[Any, Any, Any]) -> str:
    """Return this page's own address when a GET can draw it again; "" for a page drawn by a POST."""
    if request.method not in {"GET", "HEAD"}:
        return ""
    query = request.url.query
    return safe_return_path(request.url.path + (f"?{query}" if query else ""))
