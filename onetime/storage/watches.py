"""What read notifications keep beside a receipt: the expiry watch list, and the outcome's fields.

A secret that expires unread leaves no event Redis reliably tells anyone about (key expiry
notifications are fire-and-forget), so every account-owned secret is listed in one sorted set by
the time it expires, and a background worker sweeps the due ones (`onetime.notifications.worker`).
"""

from __future__ import annotations

from onetime.storage import scripts
from onetime.storage.client import RedisClient, storage_errors, text
from onetime.storage.keys import receipt_name
from onetime.storage.notification_keys import WATCH
from onetime.storage.secret_records import LABEL, NOTIFY, OWNER, WEBHOOK, WEBHOOK_ATTEMPTS, Watched, watched_from

__all__ = ["SecretWatches", "Watched"]


class SecretWatches:
    """List account-owned secrets by expiry; read and mark what their owners asked to be told."""

    def __init__(self, client: RedisClient) -> None:
        self.client = client
        self._set_fields = client.register_script(scripts.SET_FIELDS)
        self._watch = client.register_script(scripts.WATCH_SECRET)

    @storage_errors
    async def watch(self, secret_id: str, expires_at: int, lifetime: int) -> None:
        """List a secret to be swept at `expires_at` (unix seconds, `lifetime` from now) unless settled before.

        The list's TTL is pushed to outlive this member, so it always has one and never outlives its work.
        """
        await self._watch(keys=[WATCH], args=[secret_id, expires_at, lifetime])

    @storage_errors
    async def unwatch(self, secret_id: str) -> bool:
        """Take a secret off the list; True for the one caller that took it (so one event is told once)."""
        return bool(await self.client.zrem(WATCH, secret_id))

    @storage_errors
    async def due(self, now: int, count: int) -> list[str]:
        """Return up to `count` secrets whose expiry time has come, oldest first."""
        found = await self.client.zrangebyscore(WATCH, "-inf", now, start=0, num=count)
        return [text(entry) for entry in found if isinstance(entry, bytes | str)]

    @storage_errors
    async def size(self) -> int:
        """Return how many secrets are watched."""
        return int(await self.client.zcard(WATCH))

    @storage_errors
    async def watched(self, secret_id: str) -> Watched | None:
        """Return what the receipt says its owner asked for; None when it is gone or was never labelled."""
        return watched_from(await self.client.hmget(receipt_name(secret_id), [OWNER, LABEL, NOTIFY]))

    @storage_errors
    async def set_webhook_state(self, secret_id: str, state: str, attempts: int) -> None:
        """Record where the outcome's webhook stands on the receipt, if the receipt still exists."""
        args = [WEBHOOK, state, WEBHOOK_ATTEMPTS, str(attempts)]
        await self._set_fields(keys=[receipt_name(secret_id)], args=args)
