"""The notification worker: sweeps secrets whose time ran out, and delivers webhooks with retries.

Every process runs one, as it runs a mail worker; they share the watch list and the webhook queue
safely. A delivery is claimed with a lease (the mail outbox's scripts), tried, and then finished,
or scheduled again with exponential backoff until the policy's last try. Log lines name the try and
the failure's class, never the URL (it may carry a token) or the body.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from onetime import keys
from onetime.errors import InvalidRequest, StorageUnavailable
from onetime.mail.config import MailDelivery
from onetime.mail.outgoing import FAILED, QUEUED, SENT
from onetime.notifications import webhooks
from onetime.notifications.service import Notifier
from onetime.notifications.ssrf import TargetPolicy, resolve_target

log = logging.getLogger(__name__)
BATCH = 16
"""Due deliveries a worker looks at in one pass."""


class NotificationWorker:
    """Sweep expired secrets and deliver due webhooks until stopped."""

    def __init__(self, notifier: Notifier, policy: MailDelivery, target_policy: TargetPolicy) -> None:
        self.notifier = notifier
        self.queue = notifier.queue
        self.policy = policy
        self.target_policy = target_policy
        self._stopping = False

    def _now_ms(self) -> int:
        return int(self.notifier.clock() * 1000)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Run the worker in the background for the duration of the block."""
        task = asyncio.create_task(self.run(), name="notification-worker")
        try:
            yield
        finally:
            self._stopping = True
            self.notifier.wake.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(task, self.policy.send_timeout + 1)

    async def run(self) -> None:
        """Work until stopped; wait for a wake-up or the poll interval when idle."""
        while not self._stopping:
            self.notifier.wake.clear()
            try:
                handled = await self.notifier.sweep_expired() + await self.deliver_due()
            except StorageUnavailable:
                handled = 0
            except Exception as error:  # noqa: BLE001 - the worker must outlive any one failure
                log.error("notification worker error: %s", type(error).__name__)  # noqa: TRY400 - no traceback
                handled = 0
            if not handled and not self._stopping:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.notifier.wake.wait(), self.policy.poll)

    async def deliver_due(self) -> int:
        """Try every delivery due now that no other worker holds; return how many were due."""
        due = await self.queue.due(self._now_ms(), BATCH)
        for delivery_id in due:
            if self._stopping:
                break
            await self._deliver(delivery_id)
        return len(due)

    async def _deliver(self, delivery_id: str) -> None:
        token = keys.new_key()
        now_ms = self._now_ms()
        job = await self.queue.claim(delivery_id, now_ms, now_ms + int(self.policy.lease * 1000), token)
        if job is None:
            return
        if job.expired:
            await self.notifier.watches.set_webhook_state(delivery_id, FAILED, 0)
            return
        settings = self.notifier.webhooks
        url, signing_secret = await settings.url_of(job.owner), await settings.signing_secret(job.owner)
        if not url or signing_secret is None:
            await self._failed(delivery_id, token, job.tries, "no webhook set", permanent=True)
            return
        try:
            target = await resolve_target(url, self.target_policy)
            signed = webhooks.signature(signing_secret, now_ms // 1000, job.body)
            await webhooks.post(target, job.body, signed, self.policy.send_timeout)
        except InvalidRequest as refused:  # the SSRF guard: the URL now leads somewhere refused
            await self._failed(delivery_id, token, job.tries, refused.message, permanent=False)
        except webhooks.WebhookFailed as failure:
            await self._failed(delivery_id, token, job.tries, failure.reason, permanent=False)
        else:
            await self.queue.finish(delivery_id, token)
            await self.notifier.watches.set_webhook_state(delivery_id, SENT, job.tries)
            log.info("webhook delivered (try %d)", job.tries)

    async def _failed(self, delivery_id: str, token: str, tries: int, reason: str, *, permanent: bool) -> None:
        if permanent or tries >= self.policy.attempts:
            await self.queue.finish(delivery_id, token)
            await self.notifier.watches.set_webhook_state(delivery_id, FAILED, tries)
            log.warning("webhook not delivered, gave up after try %d: %s", tries, reason)
            return
        delay = self.policy.delay(tries)
        await self.queue.retry(delivery_id, token, self._now_ms() + int(delay * 1000))
        await self.notifier.watches.set_webhook_state(delivery_id, QUEUED, tries)
        log.info("webhook not delivered on try %d (%s); next try in %.1f s", tries, reason, delay)
