"""Custom domains: won records, their logos, the unverified claims on each name, and each owner's set.

A domain's record belongs to the account that won it by verification; until then, each account
that added the name has a claim of its own (token, expiry, last check) that lapses after a while.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from onetime.domains.branding import BRANDING_FIELDS, Branding, Logo
from onetime.domains.custom_domain import UNVERIFIED, Domain
from onetime.storage import scripts
from onetime.storage.client import RedisClient, field_map, flat_args, storage_errors, text
from onetime.storage.keys import domain_claims_name, domain_logo_name, domain_name, owner_domains_name

# Domain field codes. The owner's (`o`) is written by the scripts, which check it on every change.
OWNER, STATE, TOKEN, CREATED, CHECKED, VERIFIED, MISSING = "o", "s", "k", "c", "ck", "v", "ms"
EXPIRES = "e"
"""A claim's field (in its JSON) for when it lapses; the scripts read it."""
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


def _claim_json(domain: Domain) -> str:
    """Return the stored form of a claim: its token, expiry and last check, by field code."""
    fields = {
        TOKEN: domain.token,
        CREATED: str(domain.created),
        EXPIRES: domain.expires,
        STATE: domain.state,
        CHECKED: "" if domain.checked is None else str(domain.checked),
        MISSING: _MISSING_SEPARATOR.join(domain.missing),
    }
    return json.dumps(fields, separators=(",", ":"))


def _claim(name: str, owner: str, stored: str) -> Domain:
    fields = json.loads(stored)
    return replace(_domain(name, {**fields, OWNER: owner}), expires=int(fields[EXPIRES]))


class DomainRecords:
    """Claim, read, change and remove custom domains; only a domain's owner may change it."""

    def __init__(self, client: RedisClient) -> None:
        self.client = client
        self._claim = client.register_script(scripts.CLAIM_DOMAIN_NAME)
        self._update_claim = client.register_script(scripts.UPDATE_DOMAIN_CLAIM)
        self._win = client.register_script(scripts.WIN_DOMAIN)
        self._update = client.register_script(scripts.UPDATE_DOMAIN)
        self._remove = client.register_script(scripts.REMOVE_DOMAIN_OR_CLAIM)

    @storage_errors
    async def get(self, name: str) -> Domain | None:
        """Return a domain by its normalised name, or None."""
        fields = field_map(await self.client.hgetall(domain_name(name)))
        return _domain(name, fields) if fields else None

    @storage_errors
    async def claim_of(self, name: str, owner: str, now: int) -> Domain | None:
        """Return the owner's live (unexpired) claim on a name, or None."""
        stored = await self.client.hget(domain_claims_name(name), owner)
        if stored is None:
            return None
        claim = _claim(name, owner, text(stored))
        return claim if claim.expires is not None and claim.expires > now else None

    @storage_errors
    async def claim(self, domain: Domain, now: int, lifetime: int) -> str | None:
        """Record an unverified claim (kept as it is while one lives); return the holder when another verified it."""
        keys = [domain_name(domain.name), domain_claims_name(domain.name)]
        args: list[str | int] = [domain.owner, now, _claim_json(domain), lifetime]
        holder = text(await self._claim(keys=keys, args=args))
        if holder and holder != domain.owner:
            return holder
        await self.client.sadd(owner_domains_name(domain.owner), domain.name)
        return None

    @storage_errors
    async def save_claim_check(self, domain: Domain, now: int) -> bool:
        """Record a DNS check that did not verify a live claim; False when the claim is gone."""
        keys = [domain_claims_name(domain.name)]
        return bool(await self._update_claim(keys=keys, args=[domain.owner, now, _claim_json(domain)]))

    @storage_errors
    async def win(self, domain: Domain, now: int) -> str | None:
        """Make a verified claim the domain's record, dropping every claim on the name.

        Return "" when it won, the holder when another account holds the name verified, and None
        when the claim is gone (lapsed, or dropped because another claim won).
        """
        keys = [domain_name(domain.name), domain_claims_name(domain.name), domain_logo_name(domain.name)]
        fields = {
            STATE: domain.state,
            TOKEN: domain.token,
            CREATED: str(domain.created),
            CHECKED: "" if domain.checked is None else str(domain.checked),
            MISSING: _MISSING_SEPARATOR.join(domain.missing),
            VERIFIED: "" if domain.verified is None else str(domain.verified),
        }
        outcome = await self._win(keys=keys, args=[domain.owner, now, *flat_args(fields)])
        return None if outcome is None else text(outcome)

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
        """Forget the domain `owner` won (with its logo) or its claim on the name; False when it has neither."""
        keys = [domain_name(name), domain_logo_name(name), domain_claims_name(name)]
        removed = bool(await self._remove(keys=keys, args=[owner]))
        await self.client.srem(owner_domains_name(owner), name)
        return removed

    @storage_errors
    async def all_names_of(self, owner: str) -> list[str]:
        """Return every name in the owner's set, live or not, sorted."""
        members = await self.client.smembers(owner_domains_name(owner))
        return sorted(text(member) for member in members if isinstance(member, bytes | str))

    async def names_of(self, owner: str, now: int) -> list[str]:
        """Return the names the owner holds or has a live claim on, sorted; forget the others."""
        live = []
        for name in await self.all_names_of(owner):
            held = await self.get(name)
            if (held is not None and held.owner == owner) or await self.claim_of(name, owner, now) is not None:
                live.append(name)
            else:
                # Its claim lapsed, or another account won the name: nothing of it is the owner's now.
                await self.remove(name, owner)
        return live

    @storage_errors
    async def logo(self, name: str) -> bytes | None:
        """Return a domain's logo, or None."""
        value = await self.client.get(domain_logo_name(name))
        return value.encode() if isinstance(value, str) else value
