"""What can happen to a secret, how a creator asks to be told, and the label that names it."""

from __future__ import annotations

from collections.abc import Sequence

from onetime.errors import InvalidRequest

CREATED, PREVIEWED, REVEALED, BURNED, EXPIRED = "created", "previewed", "revealed", "burned", "expired"
"""Events of a secret's history, in the order they can happen."""
OUTCOMES = (REVEALED, BURNED, EXPIRED)
"""The events a creator can be told of: each secret has at most one."""
EMAIL, WEBHOOK = "email", "webhook"
"""The ways to be told, as the `notify` parameter names them."""
CHANNELS = (EMAIL, WEBHOOK)
LABEL_LENGTH = 8
"""Characters of the receipt key that name a secret in notices and the history (the API's `shortid`)."""


def parse_notify(given: Sequence[str]) -> tuple[str, ...]:
    """Return the ways to be told that `notify` values ask for ("email,webhook", or repeated), each once.

    Raises InvalidRequest naming the accepted values when one is unknown.
    """
    wanted: list[str] = []
    for value in given:
        for part in value.split(","):
            name = part.strip().lower()
            if not name:
                continue
            if name not in CHANNELS:
                raise InvalidRequest("notify must be email, webhook, or email,webhook")
            if name not in wanted:
                wanted.append(name)
    return tuple(sorted(wanted, key=CHANNELS.index))


def label_of(metadata_key: str) -> str:
    """Return the short form of a receipt key: it names the secret without opening anything."""
    return metadata_key[:LABEL_LENGTH]
