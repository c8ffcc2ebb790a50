"""Real DNS lookups that prove a custom domain is ready: the challenge TXT record and an address.

The resolver is the system's, or the server named by OTS_DNS_RESOLVER (tests point it at their
own DNS server on loopback). Lookups are short: a slow DNS answer must not hold a request long.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import dns.asyncresolver
import dns.exception
import dns.rdatatype
import dns.resolver

from onetime import keys
from onetime.settings import DnsResolver

log = logging.getLogger(__name__)

CHALLENGE_PREFIX = "_onetime-challenge"
LOOKUP_SECONDS = 4.0
"""Longest time one lookup (with its retries) may take."""


def challenge_name(domain: str) -> str:
    """Return the name of the TXT record that proves control of a domain."""
    return f"{CHALLENGE_PREFIX}.{domain}"


@dataclass(frozen=True, slots=True)
class DnsReport:
    """What DNS says about a domain: the challenge record, and whether the name resolves."""

    txt: str
    """`found` (the right value), `wrong` (TXT records, none with the right value), `missing`, `error`."""
    addresses: tuple[str, ...]
    """A and AAAA addresses the domain resolves to (after any CNAME)."""
    cname: str | None
    """The CNAME target, when the domain is an alias."""
    address_error: bool = False
    """DNS could not be asked about the addresses (timeout, refused)."""

    @property
    def resolves(self) -> bool:
        """Tell whether the domain has an address."""
        return bool(self.addresses)

    @property
    def verified(self) -> bool:
        """Tell whether everything a verified domain needs is in place."""
        return self.txt == "found" and self.resolves

    def missing(self, domain: str, token: str) -> tuple[str, ...]:
        """Say, one line each, what the domain's owner still has to set up."""
        found: list[str] = []
        record = f'TXT record {challenge_name(domain)} with the value "{token}"'
        if self.txt == "missing":
            found.append(f"No {record}")
        elif self.txt == "wrong":
            found.append(f"The TXT record {challenge_name(domain)} has another value; set it to {token}")
        elif self.txt == "error":
            found.append(f"DNS did not answer for {challenge_name(domain)}; try again later")
        if self.address_error:
            found.append(f"DNS did not answer for {domain}; try again later")
        elif not self.resolves:
            target = f" (its CNAME {self.cname} has no address)" if self.cname else ""
            found.append(f"No A, AAAA or CNAME record for {domain}{target}: point it at this server")
        return tuple(found)


class DnsChecker:
    """Ask DNS about a domain, as configured for this deployment."""

    def __init__(self, server: DnsResolver | None) -> None:
        self.server = server

    def _resolver(self) -> dns.asyncresolver.Resolver:
        # A fresh resolver per check: no cache, so a record just created is seen at once.
        resolver = dns.asyncresolver.Resolver(configure=self.server is None)
        if self.server is not None:
            resolver.nameservers = [self.server.host]
            resolver.port = self.server.port
        resolver.timeout = LOOKUP_SECONDS / 2
        resolver.lifetime = LOOKUP_SECONDS
        return resolver

    async def check(self, domain: str, token: str) -> DnsReport:
        """Look up the challenge record and the addresses of a domain (all at once)."""
        resolver = self._resolver()
        txt, cname, v4, v6 = await asyncio.gather(
            self._challenge(resolver, domain, token),
            self._cname(resolver, domain),
            self._addresses(resolver, domain, "A"),
            self._addresses(resolver, domain, "AAAA"),
        )
        addresses = (v4 or ()) + (v6 or ())
        return DnsReport(txt=txt, addresses=addresses, cname=cname, address_error=not addresses and None in (v4, v6))

    async def _addresses(self, resolver: dns.asyncresolver.Resolver, domain: str, kind: str) -> tuple[str, ...] | None:
        """Return the addresses of one kind (after any CNAME); None when DNS did not answer."""
        try:
            answer = await resolver.resolve(domain, kind)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return ()
        except (dns.exception.Timeout, dns.resolver.NoNameservers, dns.resolver.YXDOMAIN):
            return None
        return tuple(record.to_text() for record in answer)

    async def _challenge(self, resolver: dns.asyncresolver.Resolver, domain: str, token: str) -> str:
        try:
            answer = await resolver.resolve(challenge_name(domain), "TXT")
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return "missing"
        except (dns.exception.Timeout, dns.resolver.NoNameservers, dns.resolver.YXDOMAIN) as error:
            log.info("DNS lookup of a challenge record failed: %s", type(error).__name__)
            return "error"
        # A TXT record may be split into several strings; its value is their concatenation.
        values = [b"".join(record.strings) for record in answer]
        if any(keys.same_token(value.strip(), token.encode()) for value in values):
            return "found"
        return "wrong"

    async def _cname(self, resolver: dns.asyncresolver.Resolver, domain: str) -> str | None:
        try:
            answer = await resolver.resolve(domain, "CNAME")
        except dns.exception.DNSException:
            return None
        return str(answer[0].target).rstrip(".") if answer else None
