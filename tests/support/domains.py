"""Helpers for tests of custom domains: accounts with domains verified through real DNS lookups."""

from __future__ import annotations

from redis.asyncio import Redis

from onetime.domains.branding import BrandingChange
from onetime.domains.custom_domain import Domain
from onetime.domains.service import DomainService
from onetime.services import Services
from onetime.settings import Settings
from tests.support.dns_server import DnsTestServer


def domain_service(redis: Redis, settings: Settings) -> DomainService:
    """Return a domain service on the test Redis, asking the DNS server the settings name."""
    return Services.build(settings, redis).domain_service


async def verified_domain(
    redis: Redis,
    settings: Settings,
    dns: DnsTestServer,
    *,
    email: str,
    name: str,
    branding: BrandingChange | None = None,
) -> Domain:
    """Add a domain for an existing account, publish its records, verify it, and brand it."""
    service = domain_service(redis, settings)
    domain = await service.add(email, name)
    dns.txt(domain.challenge_name, domain.token)
    dns.a(name, "192.0.2.10")
    domain, report = await service.verify(email, name)
    assert domain.is_verified, report
    if branding is not None:
        domain = await service.brand(email, name, branding)
    return domain
