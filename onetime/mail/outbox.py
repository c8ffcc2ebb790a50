"""The mail outbox: emails queued in Redis, delivered by background workers (`onetime.mail.worker`).

A request only queues (one Redis script), so sending never slows the API down. A sent or given
up entry is deleted at once: the recipient's plain address lives only in that entry, and never
longer than the secret.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from onetime import keys
from onetime.mail.outgoing import FAILED, SECRET_LINK, OutgoingMail
from onetime.storage.outbox import OutboxEntries
from onetime.storage.secret_records import SecretRecords
from onetime.translations import DEFAULT_LOCALE


class Outbox:
    """Queue and cancel emails; a worker in this or any other process delivers them."""

    def __init__(self, entries: OutboxEntries, secrets: SecretRecords, clock: Callable[[], float] = time.time) -> None:
        self.entries = entries
        self.secrets = secrets
        """Where the delivery of a secret's link is recorded, on its receipt."""
        self.clock = clock
        self.wake = asyncio.Event()
        """Set when this process queues an email, so its own worker need not wait for the next poll."""

    async def queue(  # noqa: PLR0913 - one email's fields
        self,
        mail_id: str,
        *,
        recipient: str,
        sender: str,
        secret_url: str,
        ttl: int,
        kind: str = SECRET_LINK,
        locale: str = DEFAULT_LOCALE,
        note: str = "",
    ) -> None:
        """Queue the email for a secret (`mail_id`: its `keys.secret_id`), due now, kept no longer than it lives.

        An email of another kind (an account's address confirmation) is queued under an id of its
        own in place of a secret key; it has no receipt to record its delivery on.
        """
        now = self.clock()
        mail = OutgoingMail(
            recipient=recipient,
            sender=sender,
            secret_url=secret_url,
            expires=int(now) + ttl,
            message_id=keys.new_key(),
            kind=kind,
            locale=locale,
            note=note,
        )
        await self.entries.queue(mail_id, mail, ttl=ttl, due_ms=int(now * 1000))
        self.wake.set()

    async def cancel(self, mail_id: str) -> bool:
        """Forget a queued email that must not be sent any more; False when none was queued."""
        return await self.entries.drop(mail_id)

    async def cancel_secret_link(self, secret_id: str) -> None:
        """Forget the queued email of a secret (named by its id), recording on its receipt that it failed."""
        if await self.cancel(secret_id):
            await self.secrets.set_delivery(secret_id, FAILED)
