"""The mail outbox: secret-link emails queued in Redis, delivered by background workers.

A request only queues (one Redis script), so sending never slows the API down. Every process
runs a worker; they share the queue safely: a worker claims a due entry atomically, which hides
it from the others for a lease longer than one delivery may take. After a failed try the entry
is scheduled again with exponential backoff; after the last try it is given up. A sent or given
up entry is deleted at once: the recipient's plain address lives only in that entry, and never
longer than the secret.

Delivery is at least once: an email is sent twice only when a worker dies (or loses Redis)
between the SMTP server accepting it and the outbox recording that; the repeat carries the same
Message-ID, so mail clients show it once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from onetime import keys
from onetime.errors import StorageUnavailable
from onetime.mail import SECRET_LINK, DeliveryFailed, Mailer, SecretLinkMail
from onetime.settings import MailDelivery, Settings
from onetime.store import MAIL_TRIES, RedisStore

log = logging.getLogger(__name__)

QUEUED, SENT, FAILED = "queued", "sent", "failed"
BATCH = 16
"""Due entries a worker looks at in one pass."""
_TO, _SENDER, _URL, _EXPIRES, _MESSAGE_ID, _KIND = "to", "from", "url", "exp", "mid", "kind"


@dataclass(frozen=True, slots=True)
class Delivery:
    """Where the email of a secret's link stands: queued (tries so far), sent, or failed."""

    state: str
    attempts: int


class Outbox:
    """Queue secret-link emails; a worker in this or any other process delivers them."""

    def __init__(self, store: RedisStore, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock
        self.wake = asyncio.Event()
        """Set when this process queues an email, so its own worker need not wait for the next poll."""

    async def queue(  # noqa: PLR0913 - one email's fields
        self, secret_key: str, *, recipient: str, sender: str, secret_url: str, ttl: int, kind: str = SECRET_LINK
    ) -> None:
        """Queue the email for a secret, due now, kept no longer than the secret lives.

        An email of another kind (an account's address confirmation) is queued under an id of its
        own in place of a secret key; it has no receipt to record its delivery on.
        """
        now = self.clock()
        fields = {
            _TO: recipient,
            _SENDER: sender,
            _URL: secret_url,
            _EXPIRES: str(int(now) + ttl),
            _MESSAGE_ID: keys.new_key(),
        }
        if kind != SECRET_LINK:
            fields[_KIND] = kind
        await self.store.queue_mail(secret_key, fields, ttl=ttl, due_ms=int(now * 1000))
        self.wake.set()


def _mail(fields: Mapping[str, str]) -> SecretLinkMail:
    return SecretLinkMail(
        recipient=fields[_TO],
        sender=fields[_SENDER],
        secret_url=fields[_URL],
        expires=int(fields[_EXPIRES]),
        message_id=fields[_MESSAGE_ID],
        kind=fields.get(_KIND, SECRET_LINK),
    )


class MailWorker:
    """Deliver due outbox entries with retries and exponential backoff."""

    def __init__(self, outbox: Outbox, mailer: Mailer, policy: MailDelivery | None = None) -> None:
        self.outbox = outbox
        self.store = outbox.store
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
                handled = 0  # the store has logged it; try again after the poll interval
            except Exception as error:  # noqa: BLE001 - the worker must outlive any one failure
                log.error("mail worker error: %s", type(error).__name__)  # noqa: TRY400 - no traceback: it may quote an address
                handled = 0
            if not handled and not self._stopping:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.outbox.wake.wait(), self.policy.poll)

    async def deliver_due(self) -> int:
        """Try every entry due now that no other worker holds; return how many were due."""
        due = await self.store.due_mail(self._now_ms(), BATCH)
        for secret_key in due:
            if self._stopping:
                break
            await self._deliver(secret_key)
        return len(due)

    async def _deliver(self, secret_key: str) -> None:
        token = keys.new_key()
        now_ms = self._now_ms()
        fields = await self.store.claim_mail(secret_key, now_ms, now_ms + int(self.policy.lease * 1000), token)
        if fields is None:
            return  # another worker holds it
        if not fields:
            log.warning("a queued email expired before it could be delivered")
            await self.store.set_delivery(secret_key, FAILED)
            return
        tries = int(fields[MAIL_TRIES])
        try:
            async with asyncio.timeout(self.policy.send_timeout):
                await self.mailer.send(_mail(fields), now_ms // 1000)
        except DeliveryFailed as failure:
            await self._failed(secret_key, token, tries, failure.reason, permanent=failure.permanent)
        except TimeoutError:
            await self._failed(secret_key, token, tries, "timeout", permanent=False)
        except Exception as error:  # noqa: BLE001 - a bug in one message must not stop the others
            await self._failed(secret_key, token, tries, type(error).__name__, permanent=False)
        else:
            await self.store.finish_mail(secret_key, token)
            await self.store.set_delivery(secret_key, SENT, tries)
            log.info("email delivered (try %d)", tries)

    async def _failed(self, secret_key: str, token: str, tries: int, reason: str, *, permanent: bool) -> None:
        if permanent or tries >= self.policy.attempts:
            await self.store.finish_mail(secret_key, token)
            await self.store.set_delivery(secret_key, FAILED, tries)
            log.warning("email not delivered, gave up after try %d: %s", tries, reason)
            return
        delay = self.policy.delay(tries)
        await self.store.retry_mail(secret_key, token, self._now_ms() + int(delay * 1000))
        await self.store.set_delivery(secret_key, QUEUED, tries)
        log.info("email not delivered on try %d (%s); next try in %.1f s", tries, reason, delay)
