"""The recent index: each account's receipts, by creation time, sealed to the account's history key.

Each member is a receipt's id (`keys.receipt_id`, RECORD_ID_LENGTH characters) followed by the
receipt key sealed to the account (`onetime.accounts.history`): the id finds the receipt without
any key (an account being deleted hands its receipts over), the sealed part gives the receipt key
back only to the account's own credentials. Members of an earlier history, which no key of the
account opens any more, wait in a second index until they are handed over or expire.
"""

from __future__ import annotations

from onetime.keys import RECORD_ID_LENGTH
from onetime.storage import scripts
from onetime.storage.client import RedisClient, storage_errors
from onetime.storage.keys import RECENT_KEEP_SECONDS, earlier_recent_name, recent_name


def receipt_id_of(member: bytes) -> str:
    """Return the receipt id that an index member starts with."""
    return member[:RECORD_ID_LENGTH].decode()


class RecentIndex:
    """Remember, list, count, retire and forget an account's receipts."""

    def __init__(self, client: RedisClient) -> None:
        self.client = client
        self._retire = client.register_script(scripts.RETIRE_HISTORY)

    @storage_errors
    async def add(self, owner: str, member: bytes, created: int, *, earlier: bool = False) -> None:
        """Remember a receipt in its owner's recent list (`earlier`: in the list no key opens)."""
        name = earlier_recent_name(owner) if earlier else recent_name(owner)
        pipe = self.client.pipeline(transaction=False)
        pipe.zadd(name, {member: created})
        pipe.zremrangebyscore(name, "-inf", created - RECENT_KEEP_SECONDS)
        pipe.expire(name, RECENT_KEEP_SECONDS)
        await pipe.execute()

    @storage_errors
    async def since(self, owner: str, since: int, *, offset: int = 0, count: int | None = None) -> list[bytes]:
        """Return the owner's members created after `since`, newest first (`count` from `offset`)."""
        if count is None and not offset:
            found = await self.client.zrevrangebyscore(recent_name(owner), "+inf", since)
        else:
            found = await self.client.zrevrangebyscore(
                recent_name(owner), "+inf", since, start=offset, num=-1 if count is None else count
            )
        return [member for member in found if isinstance(member, bytes)]

    @storage_errors
    async def count_since(self, owner: str, since: int) -> int:
        """Count the owner's members created after `since`."""
        return int(await self.client.zcount(recent_name(owner), since, "+inf"))

    @storage_errors
    async def every_receipt_id(self, owner: str) -> list[str]:
        """Return the id of every receipt either index keeps for the owner."""
        listed = [*await self.client.zrange(recent_name(owner), 0, -1)]
        listed += await self.client.zrange(earlier_recent_name(owner), 0, -1)
        return [receipt_id_of(member) for member in listed if isinstance(member, bytes)]

    @storage_errors
    async def forget(self, owner: str, members: list[bytes]) -> None:
        """Drop members whose receipts have expired from the recent list."""
        if members:
            await self.client.zrem(recent_name(owner), *members)

    @storage_errors
    async def retire(self, owner: str) -> None:
        """Move the owner's list to the earlier index: a new history key starts an empty list."""
        await self._retire(keys=[recent_name(owner), earlier_recent_name(owner)], args=[RECENT_KEEP_SECONDS])

    @storage_errors
    async def delete(self, owner: str) -> None:
        """Forget the owner's whole index, earlier part included."""
        await self.client.delete(recent_name(owner), earlier_recent_name(owner))
