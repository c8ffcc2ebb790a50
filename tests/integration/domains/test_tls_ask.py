"""Caddy's on-demand TLS question: 200 for hosts this deployment serves, 403 otherwise, loopback only."""

from __future__ import annotations

import dataclasses

import pytest
from redis.asyncio import Redis

from onetime.settings import Settings
from tests.support.api import create_account, serve
from tests.support.dns_server import DnsTestServer
from tests.support.domains import domain_service, verified_domain

ASK = "http://127.0.0.1:8000/api/internal/tls/ask"


@pytest.fixture
async def ask_settings(settings: Settings, redis: Redis, dns: DnsTestServer) -> Settings:
    settings = dataclasses.replace(settings, dns_resolver=dns.resolver)
    await create_account(redis, settings, "alice@example.com")
    await verified_domain(redis, settings, dns, email="alice@example.com", name="secrets.acme.example")
    await domain_service(redis, settings).add("alice@example.com", "pending.acme.example")
    return settings


@pytest.mark.parametrize(
    ("domain", "status"),
    [
        ("secrets.example.com", 200),  # the canonical host
        ("secrets.acme.example", 200),  # a verified custom domain
        ("SECRETS.ACME.EXAMPLE", 200),
        ("pending.acme.example", 403),  # added, never verified
        ("unknown.example", 403),
        ("", 403),
    ],
)
@pytest.mark.parametrize("peer", ["127.0.0.1", "::1"])
async def test_loopback_gets_200_for_served_hosts_and_403_for_the_rest(
    ask_settings: Settings, domain: str, status: int, peer: str
) -> None:
    async with serve(ask_settings, peer=peer) as (_, client):
        response = await client.get(ASK, params={"domain": domain})
    assert response.status_code == status
    assert response.headers["cache-control"] == "no-store"


async def test_the_question_answers_whatever_host_it_is_asked_on(ask_settings: Settings) -> None:
    async with serve(ask_settings, peer="127.0.0.1") as (_, client):
        response = await client.get(
            "http://unknown.example/api/internal/tls/ask", params={"domain": "secrets.acme.example"}
        )
    assert response.status_code == 200


@pytest.mark.parametrize("peer", ["203.0.113.7", "10.0.0.5", "192.168.1.10"])
async def test_other_peers_get_404_as_if_there_were_no_such_route(ask_settings: Settings, peer: str) -> None:
    async with serve(ask_settings, peer=peer) as (_, client):
        for domain in ("secrets.example.com", "secrets.acme.example", "unknown.example"):
            response = await client.get(ASK, params={"domain": domain})
            assert response.status_code == 404


@pytest.mark.parametrize("header", ["X-Forwarded-For", "X-Forwarded-Host", "Forwarded", "X-Real-IP"])
async def test_a_request_that_came_through_a_proxy_gets_404_even_from_loopback(
    ask_settings: Settings, header: str
) -> None:
    async with serve(ask_settings, peer="127.0.0.1") as (_, client):
        response = await client.get(ASK, params={"domain": "secrets.acme.example"}, headers={header: "203.0.113.7"})
    assert response.status_code == 404


async def test_the_question_is_not_in_the_api_schema(ask_settings: Settings) -> None:
    async with serve(ask_settings) as (_, client):
        schema = (await client.get("https://secrets.example.com/api/schema/openapi.json")).json()
    assert not any(path.startswith("/api/internal") for path in schema["paths"])
