"""The domain service: add, verify, brand and remove custom domains; answer which site a host is."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import replace

from onetime import keys
from onetime.accounts.caller import Caller, normalize_email
from onetime.domains.branding import BrandingChange, Logo, check_logo_upload, reencode_logo
from onetime.domains.custom_domain import (
    PENDING,
    VERIFIED,
    Domain,
    DomainNotVerified,
    DomainTaken,
    LogoUploadsLimited,
    UnknownDomain,
)
from onetime.domains.dns import DnsChecker, DnsReport
from onetime.domains.names import canonical_host, is_loopback_name, normalize_domain
from onetime.domains.sites import Site
from onetime.errors import InvalidRequest, UnknownAccount
from onetime.settings import Settings
from onetime.storage.counters import LOGO, Counters
from onetime.storage.customers import Customers
from onetime.storage.domains import DomainRecords
from onetime.storage.secret_records import SecretRecords
from onetime.translations import N_

MAX_DOMAINS_PER_ACCOUNT = 20
CLAIM_LIFETIME = 7 * 24 * 3600
"""How long an unverified claim on a name lives: verify it by then, or the name is free of it."""
LOGO_UPLOADS = 20
"""Logo uploads an account may make in a window; each costs a decode."""
LOGO_UPLOAD_WINDOW = 3600
LOGO_DECODES_AT_ONCE = 2
"""Logos one process decodes at a time (each may take up to branding.LOGO_DECODE_BUDGET of memory)."""


class DomainService:
    """Add, verify, brand and remove custom domains; answer which site a host is."""

    def __init__(  # noqa: PLR0913 - the composition root hands over every collaborator
        self,
        *,
        records: DomainRecords,
        customers: Customers,
        secrets: SecretRecords,
        counters: Counters,
        settings: Settings,
        dns: DnsChecker | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.records = records
        self.customers = customers
        self.secrets = secrets
        """Read to tell which site may show a secret or a receipt."""
        self.counters = counters
        self.settings = settings
        self._decoding = asyncio.Semaphore(LOGO_DECODES_AT_ONCE)
        self.dns = dns or DnsChecker(settings.dns_resolver)
        self.clock = clock
        self.canonical = Site(host=canonical_host(settings), origin=settings.base_url)

    def _reserved(self) -> set[str]:
        """Return hosts no customer may claim: this deployment's own and its regions'."""
        return {self.canonical.host} | {region.host for region in self.settings.regions}

    async def _owner(self, email: str) -> str:
        owner = normalize_email(email)
        if await self.customers.get(owner) is None:
            raise UnknownAccount
        return owner

    async def get(self, name: str) -> Domain | None:
        """Return a domain by name, or None."""
        try:
            domain = normalize_domain(name)
        except InvalidRequest:
            return None
        return await self.records.get(domain)

    async def owned(self, email: str, name: str) -> Domain:
        """Return the domain the account won, or its live claim on the name; or raise UnknownDomain."""
        owner = normalize_email(email)
        try:
            domain = normalize_domain(name)
        except InvalidRequest:
            raise UnknownDomain(name.strip()) from None
        held = await self.records.get(domain)
        if held is not None and held.owner == owner:
            return held
        claim = await self.records.claim_of(domain, owner, int(self.clock()))
        if claim is None:
            raise UnknownDomain(name.strip())
        return claim

    async def add(self, email: str, name: str) -> Domain:
        """Claim a domain for an account (again: the same claim) and return it.

        Several accounts may claim one name, each with its own token, until one of them verifies
        it; a name another account holds verified is refused. A claim lapses after CLAIM_LIFETIME.
        """
        owner = await self._owner(email)
        domain = normalize_domain(name)
        if domain in self._reserved():
            raise InvalidRequest(N_("%(domain)s is this service's own host"), domain=domain)
        now = int(self.clock())
        existing = await self.records.names_of(owner, now)
        if domain not in existing and len(existing) >= MAX_DOMAINS_PER_ACCOUNT:
            raise InvalidRequest(N_("An account may hold at most %(count)s domains"), count=MAX_DOMAINS_PER_ACCOUNT)
        claim = Domain(domain, owner, token=keys.new_key(), created=now, expires=now + CLAIM_LIFETIME)
        if await self.records.claim(claim, now, CLAIM_LIFETIME):
            raise DomainTaken(domain)
        return await self.owned(owner, domain)

    async def verify(self, email: str, name: str) -> tuple[Domain, DnsReport]:
        """Check DNS now and record the outcome: verified, or pending with what is missing.

        A claim that verifies wins the name, and every other account's claim on it is dropped;
        of two claims verifying at once, the first wins and the other is told the name is taken.
        """
        try:
            domain = await self.owned(email, name)
        except UnknownDomain:
            await self._refuse_if_won_by_another(email, name)
            raise
        report = await self.dns.check(domain.name, domain.token)
        now = int(self.clock())
        checked = replace(
            domain,
            state=VERIFIED if report.verified else PENDING,
            checked=now,
            missing=report.missing(domain.name, domain.token),
            verified=(domain.verified or now) if report.verified else None,
        )
        if domain.is_claim and report.verified:
            holder = await self.records.win(replace(checked, expires=None), now)
            if holder:
                raise DomainTaken(domain.name)
            saved = holder is not None
        elif domain.is_claim:
            saved = await self.records.save_claim_check(checked, now)
        else:
            saved = await self.records.save_check(checked)
        if not saved:
            await self._refuse_if_won_by_another(domain.owner, domain.name)
            raise UnknownDomain(name.strip())
        return await self.owned(domain.owner, domain.name), report

    async def _refuse_if_won_by_another(self, email: str, name: str) -> None:
        """Raise DomainTaken when another account holds the name verified (so a lost claim says why)."""
        held = await self.get(name)
        if held is not None and held.is_verified and held.owner != normalize_email(email):
            raise DomainTaken(held.name)

    async def remove(self, email: str, name: str) -> None:
        """Forget a domain the account holds; its links stop working at once."""
        domain = await self.owned(email, name)
        if not await self.records.remove(domain.name, domain.owner):
            raise UnknownDomain(name.strip())

    async def release_all(self, owner: str) -> None:
        """Forget every domain of an account (that is being deleted); their links stop working."""
        for name in await self.records.all_names_of(owner):
            await self.records.remove(name, owner)

    async def of_account(self, email: str) -> list[Domain]:
        """Return the account's domains and live claims, by name."""
        owner = await self._owner(email)
        found: list[Domain] = []
        for name in await self.records.names_of(owner, int(self.clock())):
            try:
                found.append(await self.owned(owner, name))
            except UnknownDomain:
                continue  # lapsed or lost since the names were read
        return found

    async def brand(self, email: str, name: str, change: BrandingChange) -> Domain:
        """Change a domain's branding (checked first; a logo is re-encoded) and return it."""
        domain = await self.owned(email, name)
        if not domain.is_verified:
            raise DomainNotVerified(domain.name)
        values = change.checked()
        logo = await self._reencode(domain.owner, change.logo) if change.logo is not None else None
        if not await self.records.save_branding(domain, values, logo):
            raise UnknownDomain(name.strip())
        return await self.owned(domain.owner, domain.name)

    async def _reencode(self, owner: str, upload: bytes) -> Logo:
        """Count the upload against the account's limit, then decode it off the event loop."""
        check_logo_upload(upload)
        # Counted before decoding, so concurrent uploads cannot all slip past the limit.
        count, wait = await self.counters.count_with_wait(LOGO, owner, LOGO_UPLOAD_WINDOW)
        if count > LOGO_UPLOADS:
            raise LogoUploadsLimited(LOGO_UPLOADS, LOGO_UPLOAD_WINDOW // 60, wait)
        async with self._decoding:
            return await asyncio.to_thread(reencode_logo, upload)

    async def logo(self, domain: Domain) -> Logo | None:
        """Return a domain's logo, or None."""
        if not domain.branding.logo_version:
            return None
        data = await self.records.logo(domain.name)
        return None if data is None else Logo(data, domain.branding.logo_type or "image/png")

    async def share_domains_of(self, caller: Caller) -> list[str]:
        """Return the verified domains a caller may put on links (none for anonymous callers)."""
        if caller.is_anonymous:
            return []
        return [domain.name for domain in await self.of_account(caller.custid) if domain.is_verified]

    async def usable_share_domain(self, caller: Caller, name: str) -> str:
        """Return the domain a caller may put on a link, or raise UnknownDomain."""
        if caller.is_anonymous:
            raise UnknownDomain(name.strip())
        domain = await self.get(name)
        if domain is None or domain.owner != caller.custid or not domain.is_verified:
            raise UnknownDomain(name.strip())
        return domain.name

    async def usable_site_domain(self, name: str) -> str:
        """Return a domain whose public page may create secrets linked to it, or raise UnknownDomain."""
        domain = await self.get(name)
        if domain is None or not domain.is_verified or not domain.branding.public_homepage:
            raise UnknownDomain(name.strip())
        return domain.name

    async def site_for_host(self, host: str) -> Site | None:
        """Return the site a host name serves, or None for a host this deployment does not serve."""
        host = host.strip().rstrip(".").lower()
        if self.is_canonical_host(host):
            return self.canonical
        domain = await self.get(host) if host else None
        if domain is None or not domain.is_verified:
            return None
        return Site(host=domain.name, origin=f"https://{domain.name}", domain=domain)

    def is_canonical_host(self, host: str) -> bool:
        """Tell whether a host name is this deployment's own.

        A deployment on a loopback origin (a local `make run`) answers to every name of this
        machine, so http://localhost:8000 works as well as http://127.0.0.1:8000.
        """
        return host == self.canonical.host or (is_loopback_name(self.canonical.host) and is_loopback_name(host))

    async def may_serve_secret(self, site: Site, secret_key: str) -> bool:
        """Tell whether a site may show this secret: its own link host, or the canonical host."""
        if not site.is_custom:
            return True
        return keys.is_key_shaped(secret_key) and await self._links_to(site, keys.secret_id(secret_key))

    async def may_serve_receipt(self, site: Site, metadata_key: str) -> bool:
        """Tell whether a site may show this receipt: as for its secret."""
        if not site.is_custom:
            return True
        link = await self.secrets.link_of(keys.receipt_id(metadata_key)) if keys.is_key_shaped(metadata_key) else None
        return link is not None and await self._links_to(site, link.secret_id)

    async def _links_to(self, site: Site, secret_id: str) -> bool:
        return await self.secrets.share_domain_of(secret_id) == site.share_domain
