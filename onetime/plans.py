"""Plans: how long and how large a secret each kind of caller may create."""

from __future__ import annotations

from dataclasses import dataclass

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR

MIN_TTL = MINUTE
DEFAULT_TTL = 7 * DAY
FALLBACK_TTL = MIN_TTL
"""The TTL applied when the given one is empty or not a number."""

TTL_CHOICES = (5 * MINUTE, 30 * MINUTE, HOUR, 4 * HOUR, 12 * HOUR, DAY, 3 * DAY, 7 * DAY, 14 * DAY, 30 * DAY)


@dataclass(frozen=True, slots=True)
class Plan:
    """Limits that apply to a caller's secrets."""

    name: str
    max_ttl: int
    max_size: int
    offered_ttls: tuple[int, ...] = TTL_CHOICES
    """The expiries the deployment offers (OTS_TTL_CHOICES); a form shows those within max_ttl."""
    default_ttl: int = DEFAULT_TTL
    """The expiry of a request that names none (OTS_TTL_DEFAULT), before clamping to max_ttl."""

    @property
    def ttl_choices(self) -> tuple[int, ...]:
        """Return the TTLs a form offers on this plan (the shortest offered one when none fits)."""
        fitting = tuple(ttl for ttl in self.offered_ttls if ttl <= self.max_ttl)
        return fitting or (min(self.max_ttl, *self.offered_ttls),)

    def apply_ttl(self, raw: object) -> int:
        """Turn a requested TTL into the applied one; a TTL is never an error.

        Missing means the default; empty or not a number means the minimum; anything else is
        clamped into [MIN_TTL, max_ttl].
        """
        requested = self.default_ttl if raw is None else _parse_seconds(raw)
        return max(MIN_TTL, min(requested, self.max_ttl))


def _parse_seconds(raw: object) -> int:
    """Read a number of seconds; anything that is not a finite number means the fallback."""
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        return FALLBACK_TTL
    try:
        return int(raw)
    except (ValueError, OverflowError):
        pass
    try:
        return int(float(raw))
    except (ValueError, OverflowError):
        return FALLBACK_TTL


ANONYMOUS = Plan("anonymous", max_ttl=7 * DAY, max_size=1_000)
BASIC = Plan("basic", max_ttl=14 * DAY, max_size=10_000)
IDENTITY = Plan("identity", max_ttl=30 * DAY, max_size=10_000)

DEFAULT_PLANS = {plan.name: plan for plan in (ANONYMOUS, BASIC, IDENTITY)}
ACCOUNT_PLANS = ("basic", "identity")
