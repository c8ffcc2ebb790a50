"""Redis key names of read notifications, webhooks and the event history (issue 17).

    ots:watch:{notify}          zset  S of account-owned secrets, scored by when they expire (s)  TTL latest + 2 h
    ots:webhooks:{hook}         zset  webhook deliveries, by S, scored by next try (ms)     TTL longest + 2 h
    ots:webhooks:{hook}:S       hash  one delivery: owner, JSON body, tries, lease          TTL 1 day
    ots:webhook:{owner}         hash  an account's webhook: URL, signing secret sealed under the master secret  no TTL
    ots:events:{owner}          zset  label|event|time of the account's secrets, scored by time  TTL history days

No key, member or value holds a link or a receipt key: a secret's history is named by the short
form of its receipt key (its first 8 characters, 41 of its 160 bits), which opens nothing.
"""

from __future__ import annotations

WATCH = "ots:watch:{notify}"
"""Account-owned secrets by expiry time, swept by the notification worker for `expired` events."""
WEBHOOKS = "ots:webhooks:{hook}"
"""The queue of webhook deliveries; its entries share its {hook} tag."""


def webhook_entry_name(delivery_id: str) -> str:
    """Return the Redis key of one queued webhook delivery (named by its secret's id)."""
    return f"{WEBHOOKS}:{delivery_id}"


def account_webhook_name(custid: str) -> str:
    """Return the Redis key of an account's webhook settings."""
    return f"ots:webhook:{{{custid}}}"


def event_history_name(custid: str) -> str:
    """Return the Redis key of an account's event history."""
    return f"ots:events:{{{custid}}}"
