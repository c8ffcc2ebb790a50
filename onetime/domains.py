"""Custom share domains: one owner each, verified through DNS, branded, and served as sites.

A domain moves from `unverified` (added, never checked) to `pending` (checked, something is
missing) to `verified` (the challenge TXT record holds the domain's token and the name resolves).
Every check runs again on demand and sets the state from what DNS says now.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from onetime import keys
from onetime.accounts import Caller, normalize_email
from onetime.branding import INSTRUCTION_MAX, NAME_MAX, Logo, clean_text, parse_colour, reencode_logo
from onetime.dns_check import DnsChecker, DnsReport, challenge_name
from onetime.errors import InvalidRequest, OnetimeError, UnknownAccount
from onetime.settings import Settings
from onetime.store import RedisStore

UNVERIFIED, PENDING, VERIFIED = "unverified", "pending", "verified"
MAX_DOMAINS_PER_ACCOUNT = 20
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_MISSING_SEPARATOR = "\n"

# Field names of a domain record (see onetime.store).
_OWNER, _STATE, _TOKEN, _CREATED, _CHECKED, _VERIFIED = "o", "s", "k", "c", "ck", "v"
_MISSING, _NAME, _COLOUR, _LOGO_VERSION, _LOGO_TYPE, _HOMEPAGE = "ms", "n", "col", "lv", "lt", "hp"
_BEFORE, _ON, _AFTER = "t1", "t2", "t3"


class UnknownDomain(InvalidRequest):
    """The domain is not one the caller holds (or not a usable one)."""

    def __init__(self, domain: str) -> None:
        super().__init__(f"Unknown domain: {domain[:253]}")


class DomainTaken(OnetimeError):
    """Another account already holds this domain."""

    def __init__(self, domain: str) -> None:
        super().__init__(f"{domain} is already registered by another account")


def normalize_domain(text: str) -> str:
    """Return a host name as stored: lowercase ASCII (IDNA), no trailing dot, or raise."""
    name = text.strip().rstrip(".").lower()
    try:
        name = name.encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidRequest(f"Not a valid domain name: {text.strip()[:253]}") from None
    labels = name.split(".")
    valid = (
        len(name) <= 253  # noqa: PLR2004
        and len(labels) >= 2  # noqa: PLR2004
        and all(_LABEL.fullmatch(label) for label in labels)
        and not labels[-1].isdigit()  # an IP address is not a domain
    )
    if not valid:
        raise InvalidRequest(f"Not a valid domain name: {text.strip()[:253]}")
    return name


@dataclass(frozen=True, slots=True)
class Branding:
    """How a custom domain presents itself to recipients."""

    display_name: str = ""
    primary_colour: str = ""
    """`#rrggbb`, or "" for the site's own colour."""
    before_reveal: str = ""
    on_reveal: str = ""
    after_reveal: str = ""
    logo_version: str = ""
    """A digest of the logo (changes its URL when it changes); "" when there is none."""
    logo_type: str = ""
    public_homepage: bool = False
    """Whether the domain also serves the page that creates secrets."""


@dataclass(frozen=True, slots=True)
class Domain:
    """A custom share domain as stored."""

    name: str
    owner: str
    state: str
    token: str
    created: int
    checked: int | None
    verified: int | None
    missing: tuple[str, ...]
    branding: Branding

    @property
    def is_verified(self) -> bool:
        """Tell whether the domain may carry links and be served."""
        return self.state == VERIFIED

    @property
    def challenge_name(self) -> str:
        """Return the name of the TXT record to create."""
        return challenge_name(self.name)

    @classmethod
    def from_fields(cls, name: str, fields: Mapping[str, str]) -> Domain:
        """Build a domain from its stored fields."""
        return cls(
            name=name,
            owner=fields[_OWNER],
            state=fields.get(_STATE, UNVERIFIED),
            token=fields.get(_TOKEN, ""),
            created=int(fields.get(_CREATED, "0")),
            checked=int(fields[_CHECKED]) if fields.get(_CHECKED) else None,
            verified=int(fields[_VERIFIED]) if fields.get(_VERIFIED) else None,
            missing=tuple(fields[_MISSING].split(_MISSING_SEPARATOR)) if fields.get(_MISSING) else (),
            branding=Branding(
                display_name=fields.get(_NAME, ""),
                primary_colour=fields.get(_COLOUR, ""),
                before_reveal=fields.get(_BEFORE, ""),
                on_reveal=fields.get(_ON, ""),
                after_reveal=fields.get(_AFTER, ""),
                logo_version=fields.get(_LOGO_VERSION, ""),
                logo_type=fields.get(_LOGO_TYPE, ""),
                public_homepage=fields.get(_HOMEPAGE) == "1",
            ),
        )


@dataclass(frozen=True, slots=True)
class BrandingChange:
    """New branding values; None leaves a value as it is."""

    display_name: str | None = None
    primary_colour: str | None = None
    before_reveal: str | None = None
    on_reveal: str | None = None
    after_reveal: str | None = None
    public_homepage: bool | None = None
    logo: bytes | None = None
    """An uploaded PNG or JPEG, re-encoded before it is stored."""

    def fields(self) -> dict[str, str]:
        """Return the checked, stored form of the values that change."""
        found: dict[str, str] = {}
        if self.display_name is not None:
            found[_NAME] = clean_text(self.display_name, NAME_MAX, "display name")
        if self.primary_colour is not None:
            found[_COLOUR] = parse_colour(self.primary_colour) if self.primary_colour.strip() else ""
        texts = (
            (_BEFORE, self.before_reveal, "before"),
            (_ON, self.on_reveal, "on"),
            (_AFTER, self.after_reveal, "after"),
        )
        for field, text, when in texts:
            if text is not None:
                found[field] = clean_text(text, INSTRUCTION_MAX, f"text shown {when} reveal", multiline=True)
        if self.public_homepage is not None:
            found[_HOMEPAGE] = "1" if self.public_homepage else ""
        return found


@dataclass(frozen=True, slots=True)
class Site:
    """Who a request's host is: this deployment's canonical site, or a verified custom domain."""

    host: str
    origin: str
    domain: Domain | None = None

    @property
    def is_custom(self) -> bool:
        """Tell whether the site is a customer's domain."""
        return self.domain is not None

    @property
    def branding(self) -> Branding | None:
        """Return the brand of a custom domain; None on the canonical site."""
        return self.domain.branding if self.domain else None

    @property
    def serves_home(self) -> bool:
        """Tell whether the site serves the page that creates secrets."""
        return self.domain is None or self.domain.branding.public_homepage

    @property
    def display_name(self) -> str:
        """Return the name the site shows: the brand's, else the domain, else the product's."""
        if self.domain is None:
            return "Onetime Secret"
        return self.domain.branding.display_name or self.domain.name

    @property
    def share_domain(self) -> str:
        """Return the share domain that secrets of this site carry ("" on the canonical site)."""
        return self.domain.name if self.domain else ""


class DomainService:
    """Add, verify, brand and remove custom domains; answer which site a host is."""

    def __init__(
        self,
        store: RedisStore,
        settings: Settings,
        dns: DnsChecker | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.settings = settings
        self.dns = dns or DnsChecker(settings.dns_resolver)
        self.clock = clock
        self.canonical = Site(host=canonical_host(settings), origin=settings.base_url)

    def _reserved(self) -> set[str]:
        """Return hosts no customer may claim: this deployment's own and its regions'."""
        return {self.canonical.host} | {region.host for region in self.settings.regions}

    async def _owner(self, email: str) -> str:
        owner = normalize_email(email)
        if await self.store.customer(owner) is None:
            raise UnknownAccount
        return owner

    async def get(self, name: str) -> Domain | None:
        """Return a domain by name, or None."""
        try:
            domain = normalize_domain(name)
        except InvalidRequest:
            return None
        fields = await self.store.domain(domain)
        return None if fields is None else Domain.from_fields(domain, fields)

    async def owned(self, email: str, name: str) -> Domain:
        """Return a domain the account holds, or raise UnknownDomain."""
        owner = normalize_email(email)
        domain = await self.get(name)
        if domain is None or domain.owner != owner:
            raise UnknownDomain(name.strip())
        return domain

    async def add(self, email: str, name: str) -> Domain:
        """Register a domain for an account (again: the same record) and return it."""
        owner = await self._owner(email)
        domain = normalize_domain(name)
        if domain in self._reserved():
            raise InvalidRequest(f"{domain} is this service's own host")
        existing = await self.store.owner_domains(owner)
        if domain not in existing and len(existing) >= MAX_DOMAINS_PER_ACCOUNT:
            raise InvalidRequest(f"An account may hold at most {MAX_DOMAINS_PER_ACCOUNT} domains")
        fields = {_STATE: UNVERIFIED, _TOKEN: keys.new_key(), _CREATED: str(int(self.clock()))}
        if await self.store.claim_domain(domain, owner, fields) is not None:
            raise DomainTaken(domain)
        return await self.owned(owner, domain)

    async def verify(self, email: str, name: str) -> tuple[Domain, DnsReport]:
        """Check DNS now and record the outcome: verified, or pending with what is missing."""
        domain = await self.owned(email, name)
        report = await self.dns.check(domain.name, domain.token)
        now = str(int(self.clock()))
        fields = {
            _STATE: VERIFIED if report.verified else PENDING,
            _CHECKED: now,
            _MISSING: _MISSING_SEPARATOR.join(report.missing(domain.name, domain.token)),
        }
        if report.verified and not domain.verified:
            fields[_VERIFIED] = now
        elif not report.verified:
            fields[_VERIFIED] = ""
        if not await self.store.update_domain(domain.name, domain.owner, fields):
            raise UnknownDomain(name.strip())
        return await self.owned(domain.owner, domain.name), report

    async def remove(self, email: str, name: str) -> None:
        """Forget a domain the account holds; its links stop working at once."""
        domain = await self.owned(email, name)
        if not await self.store.remove_domain(domain.name, domain.owner):
            raise UnknownDomain(name.strip())

    async def of_account(self, email: str) -> list[Domain]:
        """Return the account's domains, by name."""
        owner = await self._owner(email)
        found = [await self.get(name) for name in await self.store.owner_domains(owner)]
        return [domain for domain in found if domain is not None and domain.owner == owner]

    async def brand(self, email: str, name: str, change: BrandingChange) -> Domain:
        """Change a domain's branding (checked first; a logo is re-encoded) and return it."""
        domain = await self.owned(email, name)
        fields = change.fields()
        logo: Logo | None = reencode_logo(change.logo) if change.logo is not None else None
        if logo is not None:
            fields[_LOGO_VERSION] = hashlib.sha256(logo.data).hexdigest()[:16]
            fields[_LOGO_TYPE] = logo.content_type
        if not await self.store.update_domain(domain.name, domain.owner, fields, logo.data if logo else None):
            raise UnknownDomain(name.strip())
        return await self.owned(domain.owner, domain.name)

    async def logo(self, domain: Domain) -> Logo | None:
        """Return a domain's logo, or None."""
        if not domain.branding.logo_version:
            return None
        data = await self.store.domain_logo(domain.name)
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
        return keys.is_key_shaped(secret_key) and await self.store.share_domain_of(secret_key) == site.share_domain

    async def may_serve_receipt(self, site: Site, metadata_key: str) -> bool:
        """Tell whether a site may show this receipt: as for its secret."""
        if not site.is_custom:
            return True
        secret_key = await self.store.secret_key_for(metadata_key) if keys.is_key_shaped(metadata_key) else None
        return secret_key is not None and await self.may_serve_secret(site, secret_key)


def is_loopback_name(host: str) -> bool:
    """Tell whether a host name or address names this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def canonical_host(settings: Settings) -> str:
    """Return the host name of this deployment's canonical origin."""
    return (urlsplit(settings.base_url).hostname or "").lower()
