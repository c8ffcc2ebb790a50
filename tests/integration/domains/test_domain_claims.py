"""Claims on a domain name: several accounts may claim one, an unverified claim lapses after 7 days,
the first to verify wins the name and drops the others, and only a verified domain can be branded."""

from __future__ import annotations

import asyncio
import dataclasses
import time

import pytest
from redis.asyncio import Redis

from onetime.domains.branding import BrandingChange
from onetime.domains.custom_domain import DomainNotVerified, DomainTaken, UnknownDomain
from onetime.domains.service import CLAIM_LIFETIME, DomainService
from onetime.settings import Settings
from onetime.storage.keys import domain_claims_name, domain_name, owner_domains_name
from tests.support.api import create_account
from tests.support.dns_server import DnsTestServer
from tests.support.domains import domain_service

DOMAIN = "secrets.acme.example"
CHALLENGE = f"_onetime-challenge.{DOMAIN}"
ALICE, BOB = "alice@example.com", "bob@example.com"


@pytest.fixture
def dns_settings(settings: Settings, dns: DnsTestServer) -> Settings:
    return dataclasses.replace(settings, dns_resolver=dns.resolver)


@pytest.fixture
async def service(redis: Redis, dns_settings: Settings) -> DomainService:
    await create_account(redis, dns_settings, ALICE)
    await create_account(redis, dns_settings, BOB)
    return domain_service(redis, dns_settings)


def publish(dns: DnsTestServer, token: str) -> None:
    dns.txt(CHALLENGE, token)
    if not dns.zone.records.get((DOMAIN, "A")):
        dns.a(DOMAIN, "192.0.2.10")


async def test_two_accounts_may_claim_one_name_each_with_its_own_token(service: DomainService) -> None:
    alices = await service.add(ALICE, DOMAIN)
    bobs = await service.add(BOB, DOMAIN)
    assert alices.token != bobs.token
    assert (await service.owned(ALICE, DOMAIN)).token == alices.token
    assert (await service.owned(BOB, DOMAIN)).token == bobs.token
    assert await service.get(DOMAIN) is None  # nobody holds it yet: it serves nothing


async def test_an_unverified_claim_lives_7_days(service: DomainService, redis: Redis) -> None:
    claim = await service.add(ALICE, DOMAIN)
    assert claim.expires is not None
    assert claim.expires - claim.created == CLAIM_LIFETIME == 7 * 24 * 3600
    ttl = await redis.ttl(domain_claims_name(DOMAIN))
    assert CLAIM_LIFETIME - 5 <= ttl <= CLAIM_LIFETIME
    assert await redis.exists(domain_name(DOMAIN)) == 0  # no lasting record before verification


async def test_adding_again_keeps_the_claim_and_its_expiry(service: DomainService) -> None:
    first = await service.add(ALICE, DOMAIN)
    service.clock = lambda: time.time() + 3600
    again = await service.add(ALICE, DOMAIN)
    assert (again.token, again.expires) == (first.token, first.expires)


async def test_a_lapsed_claim_is_gone_and_the_owners_set_forgets_it(service: DomainService, redis: Redis) -> None:
    await service.add(ALICE, DOMAIN)
    service.clock = lambda: time.time() + CLAIM_LIFETIME + 1
    with pytest.raises(UnknownDomain):
        await service.owned(ALICE, DOMAIN)
    assert await service.of_account(ALICE) == []
    assert await redis.smembers(owner_domains_name(ALICE)) == set()
    assert await redis.hget(domain_claims_name(DOMAIN), ALICE) is None


async def test_a_lapsed_claim_can_be_made_again_with_a_new_token(service: DomainService) -> None:
    first = await service.add(ALICE, DOMAIN)
    service.clock = lambda: time.time() + CLAIM_LIFETIME + 1
    again = await service.add(ALICE, DOMAIN)
    assert again.token != first.token


async def test_verifying_makes_the_record_lasting_and_drops_every_claim(
    service: DomainService, redis: Redis, dns: DnsTestServer
) -> None:
    publish(dns, (await service.add(ALICE, DOMAIN)).token)
    await service.add(BOB, DOMAIN)
    domain, _ = await service.verify(ALICE, DOMAIN)
    assert domain.is_verified
    assert domain.expires is None
    assert await redis.ttl(domain_name(DOMAIN)) == -1
    assert await redis.exists(domain_claims_name(DOMAIN)) == 0
    with pytest.raises(UnknownDomain):
        await service.owned(BOB, DOMAIN)
    assert await service.of_account(BOB) == []
    assert await redis.smembers(owner_domains_name(BOB)) == set()
    with pytest.raises(DomainTaken, match="already registered by another account"):
        await service.add(BOB, DOMAIN)


async def test_the_account_that_controls_dns_wins_over_an_earlier_claim(
    service: DomainService, dns: DnsTestServer
) -> None:
    await service.add(ALICE, DOMAIN)  # a squatter, first
    publish(dns, (await service.add(BOB, DOMAIN)).token)
    domain, _ = await service.verify(BOB, DOMAIN)
    assert (domain.owner, domain.is_verified) == (BOB, True)
    with pytest.raises(DomainTaken, match="already registered by another account"):
        await service.verify(ALICE, DOMAIN)


async def test_a_pending_check_keeps_the_claim_and_says_what_is_missing(service: DomainService, redis: Redis) -> None:
    claim = await service.add(ALICE, DOMAIN)
    checked, _ = await service.verify(ALICE, DOMAIN)
    assert checked.state == "pending"
    assert checked.missing
    assert (checked.token, checked.expires) == (claim.token, claim.expires)
    assert await redis.exists(domain_name(DOMAIN)) == 0


async def test_two_accounts_racing_to_verify_one_wins_and_the_other_is_told(
    service: DomainService, dns: DnsTestServer
) -> None:
    for _ in range(5):
        dns.clear()
        await service.release_all(ALICE)
        await service.release_all(BOB)
        publish(dns, (await service.add(ALICE, DOMAIN)).token)
        publish(dns, (await service.add(BOB, DOMAIN)).token)
        results = await asyncio.gather(
            service.verify(ALICE, DOMAIN), service.verify(BOB, DOMAIN), return_exceptions=True
        )
        won = [result[0].owner for result in results if isinstance(result, tuple)]
        lost = [result for result in results if isinstance(result, BaseException)]
        assert len(won) == 1, results
        assert len(lost) == 1
        assert isinstance(lost[0], DomainTaken), lost
        holder = await service.get(DOMAIN)
        assert holder is not None
        assert (holder.owner, holder.is_verified) == (won[0], True)
        loser = BOB if won[0] == ALICE else ALICE
        assert await service.of_account(loser) == []


async def test_a_holder_whose_verification_was_withdrawn_loses_the_name_to_a_verified_claim(
    service: DomainService, redis: Redis, dns: DnsTestServer
) -> None:
    publish(dns, (await service.add(ALICE, DOMAIN)).token)
    await service.verify(ALICE, DOMAIN)
    await service.brand(ALICE, DOMAIN, BrandingChange(display_name="Alice's"))
    dns.clear(CHALLENGE)
    withdrawn, _ = await service.verify(ALICE, DOMAIN)
    assert withdrawn.state == "pending"
    publish(dns, (await service.add(BOB, DOMAIN)).token)
    domain, _ = await service.verify(BOB, DOMAIN)
    assert domain.owner == BOB
    assert domain.branding.display_name == ""
    assert await service.of_account(ALICE) == []


async def test_an_unverified_domain_cannot_be_branded(service: DomainService) -> None:
    await service.add(ALICE, DOMAIN)
    with pytest.raises(DomainNotVerified, match=f"Verify {DOMAIN} before branding it"):
        await service.brand(ALICE, DOMAIN, BrandingChange(display_name="ACME"))


async def test_releasing_an_account_forgets_its_claims(service: DomainService, redis: Redis) -> None:
    await service.add(ALICE, DOMAIN)
    await service.add(BOB, DOMAIN)
    await service.release_all(ALICE)
    assert await redis.hkeys(domain_claims_name(DOMAIN)) == [BOB.encode()]
    assert await redis.exists(owner_domains_name(ALICE)) == 0
