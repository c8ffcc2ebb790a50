"""The recent index: each account's receipt keys, by creation time."""

from __future__ import annotations

from onetime.storage.client import RedisClient, storage_errors, text
from onetime.storage.keys import RECENT_KEEP_SECONDS, recent_name


class RecentIndex:
    """Remember, list, count and forget an account's receipt keys."""

    def __init__(self, client: RedisClient) -> None:
        self.client = client

    @storage_errors
    async def add(self, owner: str, metadata_key: str, created: int) -> None:
        """Remember a receipt in its owner's recent list."""
        pipe = self.client.pipeline(transaction=False)
        pipe.zadd(recent_name(owner), {metadata_key: created})
        pipe.zremrangebyscore(recent_name(owner), "-inf", created - RECENT_KEEP_SECONDS)
        pipe.expire(recent_name(owner), RECENT_KEEP_SECONDS)
        await pipe.execute()

    @storage_errors
    async def since(self, owner: str, since: int, *, offset: int = 0, count: int | None = None) -> list[str]:
        """Return the owner's receipt keys created after `since`, newest first (`count` from `offset`)."""
        if count is None and not offset:
            keys = await self.client.zrevrangebyscore(recent_name(owner), "+inf", since)
        else:
            keys = await self.client.zrevrangebyscore(
                recent_name(owner), "+inf", since, start=offset, num=-1 if count is None else count
            )
        return [text(key) for key in keys if isinstance(key, bytes | str)]

    @storage_errors
    async def count_since(self, owner: str, since: int) -> int:
        """Count the owner's receipt keys created after `since`."""
        return int(await self.client.zcount(recent_name(owner), since, "+inf"))

    @storage_errors
    async def every(self, owner: str) -> list[str]:
        """Return every receipt key the index keeps for the owner."""
        listed = await self.client.zrange(recent_name(owner), 0, -1)
        return [text(key) for key in listed if isinstance(key, bytes | str)]

    @storage_errors
    async def forget(self, owner: str, metadata_keys: list[str]) -> None:
        """Drop receipt keys whose receipts have expired from the recent list."""
        if metadata_keys:
            await self.client.zrem(recent_name(owner), *metadata_keys)

    @storage_errors
    async def delete(self, owner: str) -> None:
        """Forget the owner's whole index."""
        await self.client.delete(recent_name(owner))
