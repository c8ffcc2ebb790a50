"""Browser security: response headers on every answer, and CSRF protection of the HTML forms."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import cast

from litestar.config.csrf import CSRFConfig
from litestar.datastructures import Cookie
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import ASGIApp, HTTPResponseStartEvent, HTTPSendMessage, Message, Scope

from onetime.settings import Settings

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
"""Only this origin's own files: no inline script or style, no eval, no third party, no framing."""

SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}
CSRF_EXEMPT_PATHS = ["^/api/", "^/static/", "^/brand/"]
"""The JSON API uses no cookies, so it needs no token; static files and brand assets need no cookie either."""


_SECURITY_HEADER_LINES = tuple(
    (name.encode("latin-1"), value.encode("latin-1")) for name, value in SECURITY_HEADERS.items()
)
"""The headers as ASGI wants them, encoded once rather than on every response."""


async def add_security_headers(message: Message, _: Scope) -> None:
    """Add the security headers to every response that does not set its own (a before-send hook).

    A publicly cacheable response loses any cookie it would set: a shared cache would keep the
    cookie with the response and hand it to every later visitor.
    """
    if message["type"] != "http.response.start":
        return
    headers = message.get("headers")
    if not isinstance(headers, list):
        headers = message["headers"] = list(headers or ())
    present = {name.lower() for name, _ in headers}
    headers.extend(line for line in _SECURITY_HEADER_LINES if line[0] not in present)
    if b"cache-control" in present:
        cache_control = b",".join(value for name, value in headers if name.lower() == b"cache-control")
        if _publicly_cacheable(cache_control.decode("latin-1")):
            headers[:] = [(name, value) for name, value in headers if name.lower() != b"set-cookie"]


def _publicly_cacheable(cache_control: str) -> bool:
    directives = {directive.strip().split("=", 1)[0].lower() for directive in cache_control.split(",")}
    return bool(directives & {"public", "s-maxage"})


def csrf_secret(master_secret: bytes) -> str:
    """Derive the CSRF signing key from the master secret, so every worker signs alike."""
    return hmac.new(master_secret, b"onetime csrf token v1", hashlib.sha256).hexdigest()


def csrf_config(settings: Settings, master_secret: bytes) -> CSRFConfig:
    """Return the CSRF protection of the HTML forms: a signed double-submit cookie."""
    secure = settings.base_url.startswith("https://")
    return CSRFConfig(
        secret=csrf_secret(master_secret),
        # "__Host-" binds the cookie to this exact origin; browsers accept it only when Secure.
        cookie_name="__Host-csrftoken" if secure else "csrftoken",
        cookie_secure=secure,
        cookie_httponly=True,
        # Lax is enough (every change of state is a POST) and, unlike strict, keeps the cookie
        # when a recipient follows a link from mail or chat, so open forms in other tabs stay valid.
        cookie_samesite="lax",
        exclude=CSRF_EXEMPT_PATHS,
    )


class CsrfMiddleware(CSRFMiddleware):
    """Litestar's CSRF check, with the cookie's `Set-Cookie` line built once rather than per answer.

    Every first visit (every page a client without the cookie asks for) gets a new token in a
    cookie whose attributes never change: building Litestar's `Cookie` for it took about a tenth of
    an anonymous home page's CPU (a dataclass copied field by field, then a `SimpleCookie`; issue 13).
    """

    def __init__(self, app: ASGIApp, config: CSRFConfig) -> None:
        super().__init__(app, config)
        marker = secrets.token_hex(16)  # hex, like a token: quoted and escaped alike (not at all)
        line = Cookie(
            key=config.cookie_name,
            value=marker,
            path=config.cookie_path,
            secure=config.cookie_secure,
            httponly=config.cookie_httponly,
            samesite=config.cookie_samesite,
            domain=config.cookie_domain,
        ).to_header(header="")
        before, after = line.split(marker)
        self._cookie_around = (before.encode("latin-1"), after.encode("latin-1"))

    def _set_cookie_if_needed(self, message: HTTPSendMessage, token: str) -> None:
        start = cast("HTTPResponseStartEvent", message)  # Litestar calls it for the start message only
        headers = start["headers"]
        if not isinstance(headers, list):
            headers = start["headers"] = list(headers)
        before, after = self._cookie_around
        headers.append((b"set-cookie", before + token.encode("latin-1") + after))


def csrf_middleware(settings: Settings, master_secret: bytes) -> DefineMiddleware:
    """Return the CSRF middleware of the HTML forms, innermost of the app's middlewares as Litestar puts its own."""
    return DefineMiddleware(CsrfMiddleware, config=csrf_config(settings, master_secret))
