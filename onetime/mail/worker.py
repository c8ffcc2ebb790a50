"""The mail worker: delivers due outbox entries with retries and exponential backoff.

Every process runs a worker; they share the queue safely: a worker claims a due entry atomically,
which hides it from the others for a lease longer than one delivery may take. After a failed try
the entry is scheduled again with exponential backoff; after the last try it is given up.

Delivery is at least once: an email is sent twice only when a worker dies (or loses Redis)
between the SMTP server accepting it and the outbox recording that; the repeat carries the same
Message-ID, so mail clients show it once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from onetime import keys, metrics
from onetime.errors import StorageUnavailable
from onetime.mail.config import MailDelivery
from onetime.mail.mailer import DeliveryFailed, Mailer
from onetime.mail.outbox import Outbox
from onetime.mail.outgoing import FAILED, QUEUED, SENT
from onetime.settings import Settings

log = logging.getLogger(__name__)

BATCH = 16
"""Due entries a worker looks at in one pass."""


class MailWorker:
    """Deliver due outbox entries with retries and exponential backoff."""

    def __init__(self, outbox: Outbox, mailer: Mailer, policy: MailDelivery | None = None) -> None:
        self.outbox = outbox
        self.entries = outbox.entries
        self.secrets = outbox.secrets
        self.mailer = mailer
        self.policy = policy or MailDelivery()
        self._stopping = False

    @classmethod
    def from_settings(cls, outbox: Outbox, settings: Settings, template_dir: Path) -> MailWorker:
        """Return the worker for a deployment whose mail is enabled (OTS_SMTP_URL and OTS_MAIL_FROM)."""
        server, mail_from = settings.smtp_server, settings.mail_from
        if server is None or mail_from is None:
            raise ValueError("mail is not configured")
        mailer = Mailer(server, mail_from, template_dir, timeout=settings.mail_delivery.send_timeout)
        return cls(outbox, mailer, settings.mail_delivery)

    def _now_ms(self) -> int:
        return int(self.outbox.clock() * 1000)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Run the worker in the background for the duration of the block."""
        task = asyncio.create_task(self.run(), name="mail-worker")
        try:
            yield
        finally:
            # Let a delivery in flight finish (it is bounded by the send timeout): cutting it
            # short could send a message that the outbox then sends again after the lease.
            self._stopping = True
            self.outbox.wake.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(task, self.policy.send_timeout + 1)

    async def run(self) -> None:
        """Deliver due emails until stopped; wait for a wake-up or the poll interval when idle."""
        while not self._stopping:
            self.outbox.wake.clear()
            try:
                handled = await self.deliver_due()
            except StorageUnavailable:
                handled = 0  # storage has logged it; try again after the poll interval
            except Exception as error:  # noqa: BLE001 - the worker must outlive any one failure
                log.error("mail worker error: %s", type(error).__name__)  # noqa: TRY400 - no traceback: it may quote an address
                handled = 0
            if not handled and not self._stopping:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.outbox.wake.wait(), self.policy.poll)

    async def deliver_due(self) -> int:
        """Try every entry due now that no other worker holds; return how many were due."""
        due = await self.entries.due(self._now_ms(), BATCH)
        for mail_id in due:
            if self._stopping:
                break
            await self._deliver(mail_id)
        return len(due)

    async def _deliver(self, mail_id: str) -> None:
        token = keys.new_key()
        now_ms = self._now_ms()
        claimed = await self.entries.claim(mail_id, now_ms, now_ms + int(self.policy.lease * 1000), token)
        if claimed is None:
            return  # another worker holds it
        if claimed.mail is None:
            log.warning("a queued email expired before it could be delivered")
            metrics.mail_failed()
            await self.secrets.set_delivery(mail_id, FAILED)
            return
        tries = claimed.tries
        try:
            async with asyncio.timeout(self.policy.send_timeout):
                await self.mailer.send(claimed.mail, now_ms // 1000)
        except DeliveryFailed as failure:
            await self._failed(mail_id, token, tries, failure.reason, permanent=failure.permanent)
        except TimeoutError:
            await self._failed(mail_id, token, tries, "timeout", permanent=False)
        except Exception as error:  # noqa: BLE001 - a bug in one message must not stop the others
            await self._failed(mail_id, token, tries, type(error).__name__, permanent=False)
        else:
            await self.entries.finish(mail_id, token)
            await self.secrets.set_delivery(mail_id, SENT, tries)
            metrics.mail_sent()
            log.info("email delivered (try %d)", tries)

    async def _failed(self, mail_id: str, token: str, tries: int, reason: str, *, permanent: bool) -> None:
        if permanent or tries >= self.policy.attempts:
            await self.entries.finish(mail_id, token)
            await self.secrets.set_delivery(mail_id, FAILED, tries)
            metrics.mail_failed()
            log.warning("email not delivered, gave up after try %d: %s", tries, reason)
            return
        delay = self.policy.delay(tries)
        await self.entries.retry(mail_id, token, self._now_ms() + int(delay * 1000))
        await self.secrets.set_delivery(mail_id, QUEUED, tries)
        metrics.mail_retried()
        log.info("email not delivered on try %d (%s); next try in %.1f s", tries, reason, delay)
