"""An account's list of its receipts: remembered at creation, listed to its own credentials, handed over.

Each entry is sealed to the account's history key (`onetime.accounts.history`), so only the
account's credentials list it; the entries start with the receipt's id, so deleting the account
hands its receipts over without any key.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from onetime import sealed
from onetime.accounts.caller import Caller
from onetime.accounts.history import open_receipt_key, seal_receipt_key
from onetime.errors import NotAuthorized
from onetime.receipts import Receipt
from onetime.storage.recent import RecentIndex, receipt_id_of
from onetime.storage.secret_records import SecretRecords, StoredReceipt

RECENT_SECONDS = 30 * 24 * 3600
"""How far back an account's list of recent receipts reaches."""
RECENT_BATCH = 16
"""Receipts a recent list reads at once: quick, and far below the Redis connection pool size."""


class ReceiptHistory:
    """Remember, list, count and hand over an account's receipts."""

    def __init__(
        self,
        records: SecretRecords,
        index: RecentIndex,
        receipt_of: Callable[[StoredReceipt, str, str], Receipt],
        clock: Callable[[], float],
    ) -> None:
        self.records = records
        self.index = index
        self.receipt_of = receipt_of
        """Builds the receipt the service hands back from a stored one, its receipt key and secret key."""
        self.clock = clock

    async def remember(self, caller: Caller, receipt_id: str, metadata_key: str, now: int) -> None:
        """Add a receipt to the caller's recent list, its key sealed to the account's history key."""
        if caller.history is None or not caller.history.public:
            # An account with no history key yet (its session is older than them): the receipt
            # is only kept to be handed over if the account is deleted.
            await self.index.add(caller.custid, receipt_id.encode(), now, earlier=True)
            return
        sealed_key = seal_receipt_key(caller.history.public, metadata_key)
        await self.index.add(caller.custid, receipt_id.encode() + sealed_key, now)

    async def recent(self, caller: Caller, *, offset: int = 0, limit: int | None = None) -> list[Receipt]:
        """Return the caller's receipts of the last 30 days, newest first (`limit` of them from `offset`).

        Only credentials that open the account's history key can list it; others get an empty list.
        """
        if caller.is_anonymous:
            raise NotAuthorized
        if caller.history is None or caller.history.private is None:
            return []
        since = int(self.clock()) - RECENT_SECONDS
        members = await self.index.since(caller.custid, since, offset=offset, count=limit)
        found: list[Receipt | None] = []
        # In batches: one gather over hundreds of receipts would empty the Redis connection pool.
        for start in range(0, len(members), RECENT_BATCH):
            batch = members[start : start + RECENT_BATCH]
            found += await asyncio.gather(*(self._listed(caller, member) for member in batch))
        gone = [member for member, receipt in zip(members, found, strict=True) if receipt is None]
        await self.index.forget(caller.custid, gone)
        return [receipt for receipt in found if receipt is not None]

    async def count(self, caller: Caller) -> int:
        """Count the caller's receipts of the last 30 days (those gone since are counted until listed)."""
        if caller.is_anonymous:
            raise NotAuthorized
        if caller.history is None or caller.history.private is None:
            return 0
        return await self.index.count_since(caller.custid, int(self.clock()) - RECENT_SECONDS)

    async def _listed(self, caller: Caller, member: bytes) -> Receipt | None:
        receipt_id = receipt_id_of(member)
        assert caller.history is not None  # noqa: S101 - recent() lists only with a history key
        metadata_key = open_receipt_key(caller.history, member[len(receipt_id) :])
        if metadata_key is None:
            return None
        link = await self.records.link_of(receipt_id)
        secret_key = None if link is None else sealed.open_secret_key(metadata_key, receipt_id, link.sealed_secret_key)
        if link is None or secret_key is None:
            return None
        stored = await self.records.read_receipt(link.secret_id, int(self.clock()))
        return None if stored is None else self.receipt_of(stored, metadata_key, secret_key)

    async def hand_over(self, owner: str, new_owner: str) -> list[str]:
        """Give every receipt of `owner` to `new_owner` and forget its recent index (the account is deleted).

        No key is needed: the index names receipts by their ids. Return the ids of the secrets
        whose receipts were handed over.
        """
        receipt_ids = await self.index.every_receipt_id(owner)
        handed_over: list[str] = []
        for start in range(0, len(receipt_ids), RECENT_BATCH):
            batch = receipt_ids[start : start + RECENT_BATCH]
            # One read each: the index keys live in different slots of a cluster.
            links = await asyncio.gather(*(self.records.link_of(receipt_id) for receipt_id in batch))
            for link in links:
                if link is not None:
                    await self.records.disown(link.secret_id, owner, new_owner)
                    handed_over.append(link.secret_id)
        await self.index.delete(owner)
        return handed_over
