"""Webhook deliveries: the signed request, and one POST over a connection to a checked address.

The request is written by hand over asyncio streams rather than through an HTTP client library,
because the connection must go to the address the SSRF guard checked (`ssrf.resolve_target`)
while TLS still verifies the URL's host name. Redirects are never followed.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import secrets
import ssl

from onetime.notifications.ssrf import WebhookTarget

SIGNATURE_HEADER = "X-OTS-Signature"
SIGNING_SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret
USER_AGENT = "onetime-webhooks/1"
MAX_STATUS_LINE = 1024
HTTP_OK_LOW, HTTP_OK_HIGH = 200, 299


class WebhookFailed(Exception):
    """A delivery did not get a 2xx answer. `reason` never quotes the URL (it may carry a token)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def new_signing_secret() -> str:
    """Return a fresh signing secret (256 random bits), as the account page shows it once."""
    return SIGNING_SECRET_PREFIX + secrets.token_urlsafe(32)


def event_body(event: str, label: str, at: int) -> bytes:
    """Return a delivery's JSON body: the event, the receipt key's short form, the time; nothing else."""
    return json.dumps({"event": event, "receipt": label, "time": at}, separators=(",", ":")).encode()


def signature(signing_secret: str, timestamp: int, body: bytes) -> str:
    """Return the X-OTS-Signature value: `t=<unix time>,v1=<hex HMAC-SHA256 of "t.body">`."""
    signed = str(timestamp).encode() + b"." + body
    digest = hmac.new(signing_secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def signature_matches(signing_secret: str, header: str, body: bytes, now: int, tolerance: int = 300) -> bool:
    """Tell whether a header signs `body` with this secret, within `tolerance` seconds (a receiver's check)."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    expected = signature(signing_secret, timestamp, body).encode()
    return abs(now - timestamp) <= tolerance and hmac.compare_digest(expected, header.encode())


def _request(target: WebhookTarget, body: bytes, signed: str) -> bytes:
    head = (
        f"POST {target.url.target} HTTP/1.1\r\n"
        f"Host: {target.url.host_header}\r\n"
        f"User-Agent: {USER_AGENT}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"{SIGNATURE_HEADER}: {signed}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + body


async def post(target: WebhookTarget, body: bytes, signed: str, seconds: float) -> int:
    """POST `body` to the target's checked address and return the status; raise WebhookFailed otherwise."""
    tls = ssl.create_default_context() if target.url.scheme == "https" else None
    writer = None
    try:
        async with asyncio.timeout(seconds):
            reader, writer = await asyncio.open_connection(
                target.address, target.url.port, ssl=tls, server_hostname=target.url.host if tls else None
            )
            writer.write(_request(target, body, signed))
            await writer.drain()
            status_line = await reader.readline()
    except TimeoutError:
        raise WebhookFailed("timeout") from None
    except (OSError, ssl.SSLError) as error:
        raise WebhookFailed(type(error).__name__) from None
    finally:
        if writer is not None:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
    parts = status_line[:MAX_STATUS_LINE].decode("latin-1").split()
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():  # noqa: PLR2004
        raise WebhookFailed("not an HTTP answer")
    status = int(parts[1])
    if not HTTP_OK_LOW <= status <= HTTP_OK_HIGH:
        raise WebhookFailed(f"HTTP {status}")
    return status
