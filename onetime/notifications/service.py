"""The notifier: what the secret service tells it, and what it records and sends in return.

The secret service calls it where a secret is created, first opened, revealed or burned; the
notification worker calls it for secrets whose time ran out. Each outcome is told at most once:
a reveal or burn is won by one caller (one Lua script), and an expiry is claimed by the one worker
whose ZREM took the secret off the watch list.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from onetime.accounts.caller import ANONYMOUS_CUSTID, Caller
from onetime.errors import EmailNotVerified, InvalidRequest, MailUnavailable
from onetime.mail.outbox import Outbox
from onetime.mail.outgoing import FAILED, QUEUED, READ_NOTICE
from onetime.notifications.events import CREATED, EMAIL, EXPIRED, PREVIEWED, WEBHOOK, parse_notify
from onetime.notifications.history import EventHistory
from onetime.notifications.webhook_settings import WebhookSettings
from onetime.notifications.webhooks import event_body
from onetime.storage.secret_records import SecretRecords
from onetime.storage.watches import SecretWatches, Watched
from onetime.storage.webhook_queue import WebhookQueue
from onetime.translations import N_

log = logging.getLogger(__name__)
NOTICE_KEEP_SECONDS = 24 * 3600
"""How long a notice email may wait in the outbox."""
SWEEP_BATCH = 64
"""Due secrets one sweep looks at."""
SETTLED_STATES = {"received", "burned"}


def notice_mail_id(secret_id: str) -> str:
    """Return the outbox id of a secret's notice email (apart from the email of its link)."""
    return f"{secret_id}.notice"


class Notifier:
    """Record a secret's events in its owner's history and tell the owner of its outcome."""

    def __init__(  # noqa: PLR0913 - the composition root hands over every collaborator
        self,
        *,
        watches: SecretWatches,
        secrets: SecretRecords,
        history: EventHistory,
        queue: WebhookQueue,
        webhooks: WebhookSettings,
        outbox: Outbox | None,
        base_url: str,
        clock: Callable[[], float],
    ) -> None:
        self.watches = watches
        self.secrets = secrets
        self.history = history
        self.queue = queue
        self.webhooks = webhooks
        self.outbox = outbox
        self.base_url = base_url
        self.clock = clock
        self.wake = asyncio.Event()
        """Set when this process queues a webhook, so its worker need not wait for the next poll."""

    async def check_wish(self, caller: Caller, notify: Sequence[str]) -> tuple[str, ...]:
        """Return the ways to be told that a creation asks for, refusing those this caller cannot have."""
        wish = parse_notify(notify)
        if not wish:
            return wish
        if caller.is_anonymous:
            raise InvalidRequest(N_("An account is required to be notified."))
        if EMAIL in wish:
            if self.outbox is None:
                raise MailUnavailable
            if not caller.verified:
                raise EmailNotVerified
        if WEBHOOK in wish and not await self.webhooks.url_of(caller.custid):
            raise InvalidRequest(N_("Set a webhook URL on your account page before asking for webhook notices."))
        return wish

    async def created(self, custid: str, secret_id: str, label: str, created: int, ttl: int) -> None:
        """Start the history of an account's new secret and watch it for its expiry."""
        await self.history.record(custid, label, CREATED, created)
        await self.watches.watch(secret_id, created + ttl, ttl)

    async def _watched(self, secret_id: str) -> Watched | None:
        """Return what an account asked of its secret (None for one an account left on deletion)."""
        return _of_an_account(await self.watches.watched(secret_id))

    async def opened(self, watched: Watched | None, at: int) -> None:
        """Record that the recipient first opened the secret's page (never told: it consumes nothing).

        `watched` is what the receipt said when the page marked it viewed, in the same script.
        """
        watched = _of_an_account(watched)
        try:
            if watched is not None:
                await self.history.record(watched.owner, watched.label, PREVIEWED, at)
        except Exception as error:  # noqa: BLE001 - the page that looked must still be shown
            log.warning("could not record a first opening: %s", type(error).__name__)

    async def settled(self, secret_id: str, watched: Watched | None, event: str, at: int) -> None:
        """Record a reveal or burn and tell the owner, as asked; never raises.

        `watched` is what the receipt said when the script that consumed the secret marked it.
        The secret is already consumed: a fault here must not take the value from the one caller
        who won it, so it is logged (by class only) and the history misses this event.
        """
        watched = _of_an_account(watched)
        try:
            if watched is None:
                return
            await self.watches.unwatch(secret_id)
            await self._told(secret_id, watched, event, at)
        except Exception as error:  # noqa: BLE001 - see above
            log.warning("could not record a secret's %s event: %s", event, type(error).__name__)

    async def sweep_expired(self) -> int:
        """Settle every watched secret whose time has come; return how many were due."""
        now = int(self.clock())
        due = await self.watches.due(now, SWEEP_BATCH)
        for secret_id in due:
            if await self.watches.unwatch(secret_id):  # only the worker that took it goes on
                await self._expired(secret_id, now)
        return len(due)

    async def _expired(self, secret_id: str, now: int) -> None:
        stored = await self.secrets.read_receipt(secret_id, now)  # settles the receipt as expired
        if stored is None:
            return
        record = stored.record
        if record.state in {"new", "viewed"} and stored.secret_ttl is not None:
            await self.watches.watch(secret_id, now + stored.secret_ttl, stored.secret_ttl)  # not expired yet
            return
        watched = await self._watched(secret_id)
        if record.state == "expired" and watched is not None:
            await self._told(secret_id, watched, EXPIRED, record.created + record.ttl)

    async def _told(self, secret_id: str, watched: Watched, event: str, at: int) -> None:
        await self.history.record(watched.owner, watched.label, event, at)
        wish = parse_notify([watched.notify])
        if EMAIL in wish and self.outbox is not None:
            when = datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M UTC")
            await self.outbox.queue(
                notice_mail_id(secret_id),
                recipient=watched.owner,
                sender="",
                secret_url=f"{self.base_url}/dashboard",
                ttl=NOTICE_KEEP_SECONDS,
                kind=READ_NOTICE,
                note=f"Your secret {watched.label} was {event} at {when}",
            )
        if WEBHOOK in wish:
            if not await self.webhooks.url_of(watched.owner):
                await self.watches.set_webhook_state(secret_id, FAILED, 0)
                return
            body = event_body(event, watched.label, at)
            await self.queue.queue(secret_id, watched.owner, body, int(self.clock() * 1000))
            await self.watches.set_webhook_state(secret_id, QUEUED, 0)
            self.wake.set()

    async def forget_account(self, custid: str) -> None:
        """Delete an account's history and webhook (the account is being deleted)."""
        await self.history.forget(custid)
        await self.webhooks.forget(custid)


def _of_an_account(watched: Watched | None) -> Watched | None:
    """Return what an account asked of its secret; None for an anonymous one (or one left on deletion)."""
    return None if watched is None or watched.owner == ANONYMOUS_CUSTID else watched
