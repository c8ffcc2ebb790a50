"""Browser security: response headers on every answer, and CSRF protection of the HTML forms."""

from __future__ import annotations

import hashlib
import hmac

from litestar.config.csrf import CSRFConfig
from litestar.types import Message, Scope

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
