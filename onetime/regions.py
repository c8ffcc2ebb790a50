"""Origins and regions: this deployment's canonical origin, and the regions of a multi-region setup."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from onetime.errors import SettingsError

_REGION_ID = re.compile(r"[a-z][a-z0-9-]{0,31}")


@dataclass(frozen=True, slots=True)
class Region:
    """One deployment of a multi-region setup: its id and its canonical origin (OTS_REGIONS)."""

    id: str
    origin: str

    @property
    def host(self) -> str:
        """Return the host name of the region's origin."""
        return urlsplit(self.origin).hostname or ""


def parse_origin(name: str, raw: str) -> str:
    """Return an http(s) origin without a trailing slash, naming the variable when it is bad."""
    raw = raw.rstrip("/")
    parts = urlsplit(raw)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise SettingsError(f"{name} must be an http(s) origin like https://secrets.example.com")
    if parts.path or parts.query or parts.fragment:
        raise SettingsError(f"{name} must be an origin without a path, got {raw!r}")
    try:
        parts.port  # noqa: B018 - raises on a port out of range
    except ValueError:
        raise SettingsError(f"{name} has an invalid port, got {raw!r}") from None
    return raw


def parse_regions(name: str, raw: str, current: str | None) -> tuple[Region, ...]:
    """Parse `id=origin,id=origin`, which must name the `current` region (OTS_REGION)."""
    found: list[Region] = []
    for part in (item.strip() for item in raw.split(",")):
        region_id, separator, origin = part.partition("=")
        region_id = region_id.strip()
        if not separator or not _REGION_ID.fullmatch(region_id):
            raise SettingsError(f"{name} must look like us=https://us.example.com,eu=https://eu.example.com")
        if any(region.id == region_id for region in found):
            raise SettingsError(f"{name} names region {region_id} twice")
        found.append(Region(region_id, parse_origin(name, origin.strip())))
    if current is None:
        raise SettingsError(f"{name} needs OTS_REGION, the id of this deployment's region")
    if all(region.id != current for region in found):
        raise SettingsError(f"OTS_REGION ({current}) must be one of the regions in {name}")
    return tuple(found)
