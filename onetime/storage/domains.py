"""Custom domains: one record per domain (owner, verification, branding), its logo, and each owner's set."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from onetime.domains.branding import BRANDING_FIELDS, Branding, Logo
from onetime.domains.custom_domain import UNVERIFIED, Domain
from onetime.storage import scripts
from onetime.storage.client import RedisClient, field_map, flat_args, storage_errors, text
from onetime.storage.keys import domain_logo_name, domain_name, owner_domains_name

# Domain field codes. The owner's (`o`) is written by the scripts, which check it on every change.
OWNER, STATE, TOKEN, CREATED, CHECKED, VERIFIED, MISSING = "o", "s", "k", "c", "ck", "v", "ms"
LOGO_VERSION, LOGO_TYPE = "lv", "lt"
BRANDING_CODES = {
    "display_name": "n",
    "primary_colour": "col",
    "before_reveal": "t1",
    "on_reveal": "t2",
    "after_reveal": "t3",
    "public_homepage": "hp",
}
"""The field code of each of the BRANDING_FIELDS."""
_MISSING_SEPARATOR = "\n"


def _stored_branding(values: Mapping[str, str | bool]) -> dict[str, str]:
    """Return the stored form of branding values (a switch is "1" when on), by field code."""
    return {
        BRANDING_CODES[name]: ("1" if value else "") if isinstance(value, bool) else value
        for name, value in values.items()
    }


def _branding(fields: Mapping[str, str]) -> Branding:
    values: dict[str, Any] = {}
    for field in BRANDING_FIELDS:
        stored = fields.get(BRANDING_CODES[field.name], "")
        values[field.name] = stored == "1" if field.kind == "switch" else stored
    return Branding(**values, logo_version=fields.get(LOGO_VERSION, ""), logo_type=fields.get(LOGO_TYPE, ""))


def _domain(name: str, fields: Mapping[str, str]) -> Domain:
    return Domain(
        name=name,
        owner=fields[OWNER],
        state=fields.get(STATE, UNVERIFIED),
        token=fields.get(TOKEN, ""),
        created=int(fields.get(CREATED, "0")),
        checked=int(fields[CHECKED]) if fields.get(CHECKED) else None,
        verified=int(fields[VERIFIED]) if fields.get(VERIFIED) else None,
        missing=tuple(fields[MISSING].split(_MISSING_SEPARATOR)) if fields.get(MISSING) else (),
        branding=_branding(fields),
    )


class DomainRecords:
    """Claim, read, change and remove custom domains; only a domain's owner may change it."""

    def __init__(self, client: RedisClient) -> None:
        self.client = client
        self._claim = client.register_script(scripts.CLAIM_DOMAIN)
        self._update = client.register_script(scripts.UPDATE_DOMAIN)
        self._remove = client.register_script(scripts.REMOVE_DOMAIN)

    @storage_errors
    async def get(self, name: str) -> Domain | None:
        """Return a domain by its normalised name, or None."""
        fields = field_map(await self.client.hgetall(domain_name(name)))
        return _domain(name, fields) if fields else None

    @storage_errors
    async def claim(self, domain: Domain) -> str | None:
        """Record a new domain for its owner; return the holder instead when it is already taken."""
        fields = {STATE: domain.state, TOKEN: domain.token, CREATED: str(domain.created)}
        holder = text(await self._claim(keys=[domain_name(domain.name)], args=[domain.owner, *flat_args(fields)]))
        if holder and holder != domain.owner:
            return holder
        await self.client.sadd(owner_domains_name(domain.owner), domain.name)
        return None

    async def save_check(self, domain: Domain) -> bool:
        """Record a DNS check of a domain its owner holds (state, when, what is missing); False otherwise."""
        fields = {
            STATE: domain.state,
            CHECKED: "" if domain.checked is None else str(domain.checked),
            MISSING: _MISSING_SEPARATOR.join(domain.missing),
            VERIFIED: "" if domain.verified is None else str(domain.verified),
        }
        return await self._change(domain, fields)

    async def save_branding(self, domain: Domain, values: Mapping[str, str | bool], logo: Logo | None) -> bool:
        """Change branding values (by field name) and the logo of a domain its owner holds; False otherwise."""
        fields = _stored_branding(values)
        if logo is not None:
            fields |= {LOGO_VERSION: logo.version, LOGO_TYPE: logo.content_type}
        return await self._change(domain, fields, logo.data if logo else None)

    @storage_errors
    async def _change(self, domain: Domain, fields: dict[str, str], logo: bytes | None = None) -> bool:
        keys = [domain_name(domain.name), domain_logo_name(domain.name)]
        return bool(await self._update(keys=keys, args=[domain.owner, logo or b"", *flat_args(fields)]))

    @storage_errors
    async def remove(self, name: str, owner: str) -> bool:
        """Forget a domain that `owner` holds, with its logo; False when they do not hold it."""
        removed = bool(await self._remove(keys=[domain_name(name), domain_logo_name(name)], args=[owner]))
        if removed:
            await self.client.srem(owner_domains_name(owner), name)
        return removed

    @storage_errors
    async def names_of(self, owner: str) -> list[str]:
        """Return the names of the owner's domains, sorted."""
        members = await self.client.smembers(owner_domains_name(owner))
        return sorted(text(member) for member in members if isinstance(member, bytes | str))

    @storage_errors
    async def logo(self, name: str) -> bytes | None:
        """Return a domain's logo, or None."""
        value = await self.client.get(domain_logo_name(name))
        return value.encode() if isinstance(value, str) else value
