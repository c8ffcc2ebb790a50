"""Settings and helpers shared by the notification tests."""

from __future__ import annotations

import asyncio
import dataclasses
import re
import time

import httpx

from onetime.mail.config import MailDelivery
from onetime.settings import Settings

SECRET = "correct-horse-battery-staple-7"
ALICE = "alice@example.com"
TOM = "tom@example.com"
MAIL_FROM = "Onetime Secret <noreply@example.com>"
FAST = MailDelivery(attempts=4, first_delay=0.1, max_delay=0.4, poll=0.05, send_timeout=3.0, lease=10.0)


def notify_settings(settings: Settings, smtp_url: str | None = None, **changes: object) -> Settings:
    """Settings with webhooks to loopback over http allowed, fast retries, and mail when `smtp_url` is given."""
    mail = {"smtp_url": smtp_url, "mail_from": MAIL_FROM, "mail_delivery": FAST} if smtp_url else {}
    return dataclasses.replace(
        settings,
        webhook_allow_http_loopback=True,
        webhook_delivery=FAST,
        **mail,  # type: ignore[arg-type]
        **changes,  # type: ignore[arg-type]
    )


async def webhook_state(http: httpx.AsyncClient, metadata_key: str) -> str | None:
    """Return the webhook state the receipt page shows (None when it shows none)."""
    page = (await http.get(f"/private/{metadata_key}")).text
    found = re.search(r'data-webhook-state="([a-z]+)"', page)
    return found.group(1) if found else None


async def wait_for_webhook_state(http: httpx.AsyncClient, metadata_key: str, state: str, timeout: float = 10.0) -> str:
    """Poll the receipt page until its webhook state is `state`; return the page."""
    deadline = time.monotonic() + timeout
    while (current := await webhook_state(http, metadata_key)) != state:
        assert time.monotonic() < deadline, f"the webhook stayed {current} instead of becoming {state}"
        await asyncio.sleep(0.05)
    return (await http.get(f"/private/{metadata_key}")).text
