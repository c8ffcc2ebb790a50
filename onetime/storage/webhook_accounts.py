"""An account's webhook: where to post, and the signing secret sealed under the master secret."""

from __future__ import annotations

from dataclasses import dataclass

from onetime.storage.client import RedisClient, storage_errors, text
from onetime.storage.notification_keys import account_webhook_name

URL, SEALED_SECRET = "url", "key"


@dataclass(frozen=True, slots=True)
class StoredWebhook:
    """An account's webhook as stored: its URL ("" for none yet) and its sealed signing secret, if made."""

    url: str
    sealed_secret: bytes | None


class AccountWebhooks:
    """Read, set and forget accounts' webhooks."""

    def __init__(self, client: RedisClient) -> None:
        self.client = client

    @storage_errors
    async def read(self, custid: str) -> StoredWebhook:
        """Return the account's webhook (empty when none is set)."""
        url, sealed = await self.client.hmget(account_webhook_name(custid), [URL, SEALED_SECRET])
        sealed_bytes = sealed.encode() if isinstance(sealed, str) else sealed
        return StoredWebhook(text(url) if url is not None else "", sealed_bytes)

    @storage_errors
    async def set_url(self, custid: str, url: str) -> None:
        """Set the URL deliveries go to ("" removes the webhook, keeping its signing secret)."""
        if url:
            await self.client.hset(account_webhook_name(custid), URL, url)
        else:
            await self.client.hdel(account_webhook_name(custid), URL)

    @storage_errors
    async def set_sealed_secret(self, custid: str, sealed: bytes) -> None:
        """Replace the sealed signing secret."""
        await self.client.hset(account_webhook_name(custid), SEALED_SECRET, sealed)

    @storage_errors
    async def forget(self, custid: str) -> None:
        """Delete the account's webhook (the account is being deleted)."""
        await self.client.delete(account_webhook_name(custid))
