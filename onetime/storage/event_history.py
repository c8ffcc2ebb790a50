"""An account's event history: what became of each of its secrets, kept for OTS_HISTORY_DAYS.

One sorted set per account, scored by time; each member is `label|event|time`, where the label is
the short form of the receipt key (it opens nothing). Old events are pruned on every write.
"""

from __future__ import annotations

from dataclasses import dataclass

from onetime.storage.client import RedisClient, storage_errors, text
from onetime.storage.notification_keys import event_history_name

_SEPARATOR = "|"
MAX_EVENTS = 50_000
"""Events one account's history holds at most (the oldest go first)."""


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """One event of one secret: its label, what happened, and when (unix seconds)."""

    label: str
    event: str
    at: int


class EventRecords:
    """Append, list and forget an account's events."""

    def __init__(self, client: RedisClient) -> None:
        self.client = client

    @storage_errors
    async def add(self, custid: str, event: StoredEvent, *, keep_seconds: int, now: int) -> None:
        """Record an event, dropping those older than `keep_seconds`; the set lives as long as its newest."""
        name = event_history_name(custid)
        pipe = self.client.pipeline(transaction=False)
        pipe.zadd(name, {_SEPARATOR.join((event.label, event.event, str(event.at))): event.at})
        pipe.zremrangebyscore(name, "-inf", now - keep_seconds)
        pipe.zremrangebyrank(name, 0, -MAX_EVENTS - 1)
        pipe.expire(name, keep_seconds)
        await pipe.execute()

    @storage_errors
    async def events(self, custid: str, since: int) -> list[StoredEvent]:
        """Return the account's events from `since` on, oldest first."""
        found = await self.client.zrangebyscore(event_history_name(custid), since, "+inf")
        events = []
        for member in found:
            if not isinstance(member, bytes | str):
                continue
            label, event, at = text(member).split(_SEPARATOR)
            events.append(StoredEvent(label, event, int(at)))
        return events

    @storage_errors
    async def forget(self, custid: str) -> None:
        """Delete the account's history (the account is being deleted)."""
        await self.client.delete(event_history_name(custid))
