"""The webhook queue: deliveries leased to one worker at a time, indexed by next try.

It is the mail outbox's layout under its own hash tag, and runs the outbox's scripts (queue, claim
with a lease, finish, retry), which know only the index, the entry and its `n`/`k` fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from onetime.storage import scripts
from onetime.storage.client import RedisClient, flat_args, flat_field_map, storage_errors, text
from onetime.storage.notification_keys import WEBHOOKS, webhook_entry_name

OWNER, BODY, TRIES = "own", "body", "n"
KEEP_SECONDS = 24 * 3600
"""A delivery not made within a day is given up: a late 'revealed' helps nobody."""


@dataclass(frozen=True, slots=True)
class WebhookJob:
    """A delivery leased to one worker: the account whose webhook it goes to, the JSON body, tries so far."""

    owner: str
    body: bytes
    tries: int
    expired: bool = False
    """The entry outlived its day unsent: nothing to send, its receipt to be marked failed."""


class WebhookQueue:
    """Queue, lease, finish and retry webhook deliveries."""

    def __init__(self, client: RedisClient) -> None:
        self.client = client
        self._queue = client.register_script(scripts.QUEUE_MAIL)
        self._claim = client.register_script(scripts.CLAIM_MAIL)
        self._finish = client.register_script(scripts.FINISH_MAIL)
        self._retry = client.register_script(scripts.RETRY_MAIL)

    def _keys(self, delivery_id: str) -> list[str]:
        return [WEBHOOKS, webhook_entry_name(delivery_id)]

    @storage_errors
    async def queue(self, delivery_id: str, owner: str, body: bytes, due_ms: int) -> None:
        """Queue a delivery under `delivery_id` (a secret id), due at `due_ms`."""
        args: list[Any] = [KEEP_SECONDS, due_ms, delivery_id, *flat_args({OWNER: owner, BODY: body.decode()})]
        await self._queue(keys=self._keys(delivery_id), args=args)

    @storage_errors
    async def due(self, now_ms: int, count: int) -> list[str]:
        """Return up to `count` ids of deliveries due by `now_ms`, oldest first."""
        found = await self.client.zrangebyscore(WEBHOOKS, "-inf", now_ms, start=0, num=count)
        return [text(entry) for entry in found if isinstance(entry, bytes | str)]

    @storage_errors
    async def claim(self, delivery_id: str, now_ms: int, lease_until_ms: int, token: str) -> WebhookJob | None:
        """Lease a due delivery to the worker holding `token`; None when another won it, or it expired."""
        reply = await self._claim(keys=self._keys(delivery_id), args=[delivery_id, now_ms, lease_until_ms, token])
        if reply is None:
            return None
        if not isinstance(reply, list):
            return WebhookJob(owner="", body=b"", tries=0, expired=True)
        fields = flat_field_map(reply)
        return WebhookJob(owner=fields[OWNER], body=fields[BODY].encode(), tries=int(fields[TRIES]))

    @storage_errors
    async def finish(self, delivery_id: str, token: str) -> bool:
        """Delete a delivered or given-up entry; False when the lease was lost."""
        return bool(await self._finish(keys=self._keys(delivery_id), args=[delivery_id, token]))

    @storage_errors
    async def retry(self, delivery_id: str, token: str, due_ms: int) -> bool:
        """Schedule the next try; False when the lease was lost."""
        return bool(await self._retry(keys=self._keys(delivery_id), args=[delivery_id, token, due_ms]))

    @storage_errors
    async def depth(self) -> int:
        """Return how many deliveries wait (due now or scheduled for a retry)."""
        return int(await self.client.zcard(WEBHOOKS))
