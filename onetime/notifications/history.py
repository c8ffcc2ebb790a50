"""The event history of an account's secrets: one row a secret, kept for OTS_HISTORY_DAYS, and its CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from onetime.notifications.events import CREATED, OUTCOMES, PREVIEWED
from onetime.storage.event_history import EventRecords, StoredEvent

DAY = 24 * 3600
CSV_COLUMNS = ("receipt", "created", "first_opened", "outcome", "outcome_at")


@dataclass(frozen=True, slots=True)
class SecretHistory:
    """What became of one secret: times are unix seconds, None when it did not (yet) happen."""

    label: str
    created: int | None = None
    first_opened: int | None = None
    outcome: str | None = None
    """revealed, burned or expired; None while the secret waits."""
    outcome_at: int | None = None


def _iso(stamp: int | None) -> str:
    return "" if stamp is None else datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class EventHistory:
    """Record events of an account's secrets and read them back a secret a row."""

    def __init__(self, records: EventRecords, days: int, clock: Callable[[], float]) -> None:
        self.records = records
        self.days = days
        self.keep_seconds = days * DAY
        self.clock = clock

    async def record(self, custid: str, label: str, event: str, at: int) -> None:
        """Add one event to the account's history."""
        await self.records.add(
            custid, StoredEvent(label, event, at), keep_seconds=self.keep_seconds, now=int(self.clock())
        )

    async def rows(self, custid: str) -> list[SecretHistory]:
        """Return the account's secrets of the kept period, one row each, newest first."""
        events = await self.records.events(custid, int(self.clock()) - self.keep_seconds)
        rows: dict[str, SecretHistory] = {}
        for event in events:
            rows[event.label] = _with_event(rows.get(event.label) or SecretHistory(event.label), event)
        return sorted(rows.values(), key=lambda row: row.created or row.outcome_at or 0, reverse=True)

    async def forget(self, custid: str) -> None:
        """Delete the account's history."""
        await self.records.forget(custid)


def _with_event(row: SecretHistory, event: StoredEvent) -> SecretHistory:
    if event.event == CREATED:
        return SecretHistory(row.label, event.at, row.first_opened, row.outcome, row.outcome_at)
    if event.event == PREVIEWED and row.first_opened is None:
        return SecretHistory(row.label, row.created, event.at, row.outcome, row.outcome_at)
    if event.event in OUTCOMES and row.outcome is None:
        return SecretHistory(row.label, row.created, row.first_opened, event.event, event.at)
    return row


def history_csv(rows: list[SecretHistory]) -> str:
    """Return the rows as CSV with a header line; times in ISO 8601 UTC, empty when they did not happen."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow((row.label, _iso(row.created), _iso(row.first_opened), row.outcome or "", _iso(row.outcome_at)))
    return out.getvalue()
