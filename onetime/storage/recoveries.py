"""Password recovery links: the digest of each link's token, naming the account it recovers.

`ots:recover:{D}` holds the account (D: the digest of the token, never the token) for the link's
life; `ots:recovering:{email}` lists the digests an account has pending, so that using one link
(or deleting the account) ends the others too.
"""

from __future__ import annotations

from onetime.storage.client import RedisClient, storage_errors, text
from onetime.storage.keys import recoveries_name, recovery_name


class RecoveryTokens:
    """Save, look at, take and forget pending password recoveries."""

    def __init__(self, client: RedisClient) -> None:
        self.client = client

    @storage_errors
    async def save(self, digest: str, email: str, ttl: int, *, has_account: bool) -> None:
        """Store a recovery token's digest for the email asked about.

        The same writes happen whether or not the email has an account, so asking about an unknown
        address takes as long; a record of an address without an account names nobody and opens nothing.
        """
        pipe = self.client.pipeline(transaction=False)
        pipe.set(recovery_name(digest), email if has_account else "", ex=ttl)
        pending = recoveries_name(email)
        pipe.sadd(pending, digest)
        pipe.expire(pending, ttl)
        await pipe.execute()

    @storage_errors
    async def account_of(self, digest: str) -> str | None:
        """Return the account a recovery token belongs to, leaving the token usable."""
        return _account(await self.client.get(recovery_name(digest)))

    @storage_errors
    async def take(self, digest: str) -> str | None:
        """Return and forget the account of a recovery token: of two requests at once, one gets it."""
        return _account(await self.client.getdel(recovery_name(digest)))

    @storage_errors
    async def forget_all(self, custid: str) -> list[str]:
        """Forget every pending recovery of an account (one was used, or it is going); return their digests."""
        pending = recoveries_name(custid)
        digests = [text(digest) for digest in await self.client.smembers(pending)]
        for digest in digests:
            await self.client.delete(recovery_name(digest))
        await self.client.delete(pending)
        return digests


def _account(value: bytes | str | None) -> str | None:
    # An empty value is the record of an address without an account: it names nobody.
    return text(value) or None if value is not None else None
