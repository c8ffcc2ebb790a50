"""Email confirmations: the digest of a confirmation link's token, naming the account it confirms."""

from __future__ import annotations

from onetime.storage.client import RedisClient, storage_errors, text
from onetime.storage.keys import verification_name


class Verifications:
    """Save, take and forget pending email confirmations."""

    def __init__(self, client: RedisClient) -> None:
        self.client = client

    @storage_errors
    async def save(self, digest: str, custid: str, ttl: int) -> None:
        """Store an email confirmation token's digest for an account."""
        await self.client.set(verification_name(digest), custid, ex=ttl)

    @storage_errors
    async def take(self, digest: str) -> str | None:
        """Return and forget the account an email confirmation token belongs to."""
        value = await self.client.getdel(verification_name(digest))
        return None if value is None else text(value)

    @storage_errors
    async def delete(self, digest: str) -> None:
        """Forget an email confirmation."""
        await self.client.delete(verification_name(digest))
