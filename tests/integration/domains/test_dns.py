"""Custom domains: adding, verifying through real DNS lookups (a dnslib server on loopback), removing."""

from __future__ import annotations

import dataclasses

import pytest
from redis.asyncio import Redis

from onetime.domains.custom_domain import PENDING, UNVERIFIED, VERIFIED, DomainTaken, UnknownDomain
from onetime.domains.service import DomainService
from onetime.errors import InvalidRequest, UnknownAccount
from onetime.settings import DnsResolver, Settings
from tests.support.api import create_account
from tests.support.dns_server import DnsTestServer, free_udp_tcp_port
from tests.support.domains import domain_service

DOMAIN = "secrets.acme.example"
CHALLENGE = f"_onetime-challenge.{DOMAIN}"


@pytest.fixture
def dns_settings(settings: Settings, dns: DnsTestServer) -> Settings:
    return dataclasses.replace(settings, dns_resolver=dns.resolver)


@pytest.fixture
async def service(redis: Redis, dns_settings: Settings) -> DomainService:
    await create_account(redis, dns_settings, "alice@example.com")
    await create_account(redis, dns_settings, "bob@example.com")
    return domain_service(redis, dns_settings)


async def test_an_added_domain_is_unverified_with_a_random_challenge_token(service: DomainService) -> None:
    first = await service.add("alice@example.com", "Secrets.ACME.example.")
    assert first.name == DOMAIN
    assert first.state == UNVERIFIED
    assert first.owner == "alice@example.com"
    assert first.challenge_name == CHALLENGE
    assert len(first.token) == 31
    other = await service.add("alice@example.com", "other.acme.example")
    assert other.token != first.token


async def test_adding_the_same_domain_again_returns_the_same_record(service: DomainService) -> None:
    first = await service.add("alice@example.com", DOMAIN)
    again = await service.add("Alice@Example.com", DOMAIN)
    assert again.token == first.token
    assert [domain.name for domain in await service.of_account("alice@example.com")] == [DOMAIN]


async def test_a_domain_held_verified_by_another_account_cannot_be_added(
    service: DomainService, dns: DnsTestServer
) -> None:
    added = await service.add("alice@example.com", DOMAIN)
    dns.txt(CHALLENGE, added.token)
    dns.a(DOMAIN, "192.0.2.10")
    await service.verify("alice@example.com", DOMAIN)
    with pytest.raises(DomainTaken, match="already registered by another account"):
        await service.add("bob@example.com", DOMAIN)
    assert await service.of_account("bob@example.com") == []
    assert (await service.owned("alice@example.com", DOMAIN)).owner == "alice@example.com"


@pytest.mark.parametrize(
    "name",
    ["localhost", "acme", "-acme.example", "acme..example", "192.0.2.1", "a" * 64 + ".example", "acme.example/x"],
)
async def test_names_that_are_not_domains_are_refused(service: DomainService, name: str) -> None:
    with pytest.raises(InvalidRequest, match="Not a valid domain name"):
        await service.add("alice@example.com", name)


async def test_the_services_own_host_cannot_be_claimed(service: DomainService) -> None:
    with pytest.raises(InvalidRequest, match="this service's own host"):
        await service.add("alice@example.com", "secrets.example.com")


async def test_only_existing_accounts_can_add_domains(service: DomainService) -> None:
    with pytest.raises(UnknownAccount):
        await service.add("nobody@example.com", DOMAIN)


async def test_a_missing_txt_record_leaves_the_domain_pending_and_says_what_to_create(
    service: DomainService, dns: DnsTestServer
) -> None:
    domain = await service.add("alice@example.com", DOMAIN)
    dns.a(DOMAIN, "192.0.2.10")
    checked, report = await service.verify("alice@example.com", DOMAIN)
    assert report.txt == "missing"
    assert checked.state == PENDING
    assert checked.missing == (f'No TXT record {CHALLENGE} with the value "{domain.token}"',)
    assert (CHALLENGE, "TXT") in dns.zone.queries  # asked over the wire, not guessed


async def test_a_txt_record_with_another_value_is_not_enough(service: DomainService, dns: DnsTestServer) -> None:
    domain = await service.add("alice@example.com", DOMAIN)
    dns.txt(CHALLENGE, "not-the-token")
    dns.a(DOMAIN, "192.0.2.10")
    checked, report = await service.verify("alice@example.com", DOMAIN)
    assert report.txt == "wrong"
    assert checked.state == PENDING
    assert checked.missing == (f"The TXT record {CHALLENGE} has another value; set it to {domain.token}",)


async def test_the_right_txt_value_and_an_address_verify_the_domain(service: DomainService, dns: DnsTestServer) -> None:
    domain = await service.add("alice@example.com", DOMAIN)
    dns.txt(CHALLENGE, "some-other-verification=1")
    dns.txt(CHALLENGE, domain.token)
    dns.a(DOMAIN, "192.0.2.10")
    checked, report = await service.verify("alice@example.com", DOMAIN)
    assert report.txt == "found"
    assert report.addresses == ("192.0.2.10",)
    assert checked.state == VERIFIED
    assert checked.missing == ()
    assert checked.verified is not None


async def test_a_txt_value_split_into_strings_counts_as_one(service: DomainService, dns: DnsTestServer) -> None:
    domain = await service.add("alice@example.com", DOMAIN)
    dns.txt(CHALLENGE, domain.token[:10], domain.token[10:])
    dns.aaaa(DOMAIN, "2001:db8::10")
    checked, _ = await service.verify("alice@example.com", DOMAIN)
    assert checked.state == VERIFIED


async def test_a_domain_without_an_address_stays_pending_and_says_so(
    service: DomainService, dns: DnsTestServer
) -> None:
    domain = await service.add("alice@example.com", DOMAIN)
    dns.txt(CHALLENGE, domain.token)
    checked, report = await service.verify("alice@example.com", DOMAIN)
    assert report.txt == "found"
    assert not report.resolves
    assert checked.state == PENDING
    assert checked.missing == (f"No A, AAAA or CNAME record for {DOMAIN}: point it at this server",)


async def test_a_cname_to_a_name_with_an_address_is_enough(service: DomainService, dns: DnsTestServer) -> None:
    domain = await service.add("alice@example.com", DOMAIN)
    dns.txt(CHALLENGE, domain.token)
    dns.cname(DOMAIN, "edge.example.net")
    dns.a("edge.example.net", "192.0.2.20")
    checked, report = await service.verify("alice@example.com", DOMAIN)
    assert report.cname == "edge.example.net"
    assert report.addresses == ("192.0.2.20",)
    assert checked.state == VERIFIED


async def test_a_check_on_demand_withdraws_verification_when_the_record_is_gone(
    service: DomainService, dns: DnsTestServer
) -> None:
    domain = await service.add("alice@example.com", DOMAIN)
    dns.txt(CHALLENGE, domain.token)
    dns.a(DOMAIN, "192.0.2.10")
    assert (await service.verify("alice@example.com", DOMAIN))[0].state == VERIFIED
    dns.clear(CHALLENGE)
    checked, _ = await service.verify("alice@example.com", DOMAIN)
    assert checked.state == PENDING
    assert checked.verified is None


async def test_dns_that_does_not_answer_is_reported_and_verifies_nothing(
    redis: Redis, settings: Settings, service: DomainService
) -> None:
    await service.add("alice@example.com", DOMAIN)
    silent = DnsResolver("127.0.0.1", free_udp_tcp_port())  # nobody listens there
    unreachable = domain_service(redis, dataclasses.replace(settings, dns_resolver=silent))
    checked, report = await unreachable.verify("alice@example.com", DOMAIN)
    assert report.txt == "error"
    assert checked.state == PENDING
    assert f"DNS did not answer for {CHALLENGE}; try again later" in checked.missing


async def test_only_the_owner_can_verify_or_remove_a_domain(service: DomainService) -> None:
    await service.add("alice@example.com", DOMAIN)
    with pytest.raises(UnknownDomain, match=f"Unknown domain: {DOMAIN}"):
        await service.verify("bob@example.com", DOMAIN)
    with pytest.raises(UnknownDomain):
        await service.remove("bob@example.com", DOMAIN)
    assert (await service.owned("alice@example.com", DOMAIN)).owner == "alice@example.com"


async def test_a_removed_domain_is_gone_and_free_to_add_again(service: DomainService, redis: Redis) -> None:
    await service.add("alice@example.com", DOMAIN)
    await service.remove("alice@example.com", DOMAIN)
    assert await service.get(DOMAIN) is None
    assert await service.of_account("alice@example.com") == []
    assert await redis.keys("ots:domain*") == []
    taken = await service.add("bob@example.com", DOMAIN)
    assert taken.owner == "bob@example.com"
