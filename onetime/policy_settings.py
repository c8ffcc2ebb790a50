"""Reading the access policy, the offered expiries and the plans from the environment.

Each bad value stops start-up with one line naming its variable (a `SettingsError`), like every
other setting. Durations are written as a number and a unit: `90s`, `5m`, `1h`, `7d`, `2w` (a bare
number is seconds).

`OTS_PLANS` changes some plans and keeps the others as they are:
`anonymous:ttl=7d,size=1000;basic:ttl=14d,size=10000;identity:ttl=30d,size=10000` are the defaults.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import replace

from onetime.errors import SettingsError
from onetime.plans import DAY, DEFAULT_PLANS, DEFAULT_TTL, HOUR, MIN_TTL, MINUTE, TTL_CHOICES, Plan
from onetime.policy import (
    CREATE_CHOICES,
    CREATE_NETWORKS,
    MODE_CHOICES,
    SIGNUP_CHOICES,
    AccessPolicy,
    IPNetwork,
)

MAX_TTL = 365 * DAY
"""The longest expiry any plan may have (the public service's own cap)."""
MAX_SIZE = 1_000_000
"""The largest secret any plan may take, in bytes: the request body cap grows with it."""
_UNITS = {"s": 1, "m": MINUTE, "h": HOUR, "d": DAY, "w": 7 * DAY}
_DURATION = re.compile(r"(\d+)\s*([smhdw]?)")
_PLAN_FIELDS = ("ttl", "size")


def parse_duration(name: str, raw: str) -> int:
    """Read `5m`, `1h`, `7d` (or plain seconds) as seconds within [MIN_TTL, MAX_TTL]."""
    match = _DURATION.fullmatch(raw.strip().lower())
    if match is None:
        raise SettingsError(f"{name} needs durations like 5m, 1h, 7d or 2w, got {raw.strip()!r}")
    seconds = int(match.group(1)) * _UNITS[match.group(2) or "s"]
    if not MIN_TTL <= seconds <= MAX_TTL:
        raise SettingsError(f"{name} needs durations from 1m to 365d, got {raw.strip()!r}")
    return seconds


def _optional(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    raw = _optional(env, name)
    if raw is None:
        return choices[0]
    if raw.lower() not in choices:
        raise SettingsError(f"{name} must be {', '.join(choices[:-1])} or {choices[-1]}, got {raw!r}")
    return raw.lower()


def _networks(env: Mapping[str, str], name: str) -> tuple[IPNetwork, ...]:
    raw = _optional(env, name) or ""
    try:
        return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in raw.split(",") if part.strip())
    except ValueError:
        raise SettingsError(f"{name} must be a comma-separated list of networks, e.g. 10.0.0.0/8,fd00::/8") from None


def read_access_policy(env: Mapping[str, str]) -> AccessPolicy:
    """Read OTS_CREATE, OTS_CREATE_NETWORKS, OTS_MODE and OTS_SIGNUP."""
    create = _choice(env, "OTS_CREATE", CREATE_CHOICES)
    networks = _networks(env, "OTS_CREATE_NETWORKS")
    if create == CREATE_NETWORKS and not networks:
        raise SettingsError("OTS_CREATE_NETWORKS must list at least one network when OTS_CREATE is networks")
    return AccessPolicy(
        create=create,
        create_networks=networks,
        mode=_choice(env, "OTS_MODE", MODE_CHOICES),
        signup=_choice(env, "OTS_SIGNUP", SIGNUP_CHOICES),
    )


def read_ttl_choices(env: Mapping[str, str]) -> tuple[int, ...]:
    """Read OTS_TTL_CHOICES: the expiries forms offer, shortest first, without repeats."""
    raw = _optional(env, "OTS_TTL_CHOICES")
    if raw is None:
        return TTL_CHOICES
    parts = [part for part in raw.split(",") if part.strip()]
    if not parts:
        raise SettingsError("OTS_TTL_CHOICES must list at least one duration, e.g. 5m,1h,1d,7d")
    return tuple(sorted({parse_duration("OTS_TTL_CHOICES", part) for part in parts}))


def _plan_fields(raw: str, name: str) -> dict[str, int]:
    fields: dict[str, int] = {}
    for part in raw.split(","):
        key, equals, value = (text.strip() for text in part.partition("="))
        if not equals or key not in _PLAN_FIELDS or key in fields:
            raise SettingsError(f"OTS_PLANS: plan {name} needs ttl=<duration> and size=<bytes>, e.g. ttl=7d,size=1000")
        if key == "ttl":
            fields[key] = parse_duration("OTS_PLANS", value)
        elif value.isdigit() and 1 <= int(value) <= MAX_SIZE:
            fields[key] = int(value)
        else:
            raise SettingsError(f"OTS_PLANS: the size of plan {name} must be 1 to {MAX_SIZE} bytes, got {value!r}")
    return fields


def read_plans(env: Mapping[str, str]) -> dict[str, Plan]:
    """Read OTS_PLANS, OTS_TTL_CHOICES and OTS_TTL_DEFAULT into the plans every limit reads."""
    choices = read_ttl_choices(env)
    raw_default = _optional(env, "OTS_TTL_DEFAULT")
    default = DEFAULT_TTL if raw_default is None else parse_duration("OTS_TTL_DEFAULT", raw_default)
    if raw_default is not None and default not in choices:
        raise SettingsError("OTS_TTL_DEFAULT must be one of the durations in OTS_TTL_CHOICES")
    plans = {name: replace(plan, offered_ttls=choices, default_ttl=default) for name, plan in DEFAULT_PLANS.items()}
    raw = _optional(env, "OTS_PLANS")
    for entry in [] if raw is None else [part.strip() for part in raw.split(";") if part.strip()]:
        name, colon, body = (text.strip() for text in entry.partition(":"))
        if name not in plans:
            known = ", ".join(plans)
            raise SettingsError(f"OTS_PLANS names an unknown plan {name!r} (the plans are {known})")
        if not colon:
            raise SettingsError(f"OTS_PLANS: plan {name} needs ttl=<duration> and size=<bytes>, e.g. ttl=7d,size=1000")
        fields = _plan_fields(body, name)
        plans[name] = replace(
            plans[name],
            max_ttl=fields.get("ttl", plans[name].max_ttl),
            max_size=fields.get("size", plans[name].max_size),
        )
    return plans
