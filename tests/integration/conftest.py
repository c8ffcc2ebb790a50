"""Fixtures of the integration tests: a DNS server of the tests' own, for domain verification."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.dns_server import DnsTestServer


@pytest.fixture(scope="session")
def dns_server() -> Iterator[DnsTestServer]:
    """Serve DNS on loopback for the whole session; each test sets (and clears) its records."""
    server = DnsTestServer().start()
    yield server
    server.stop()


@pytest.fixture
def dns(dns_server: DnsTestServer) -> Iterator[DnsTestServer]:
    """Return the test DNS server with no records; forget the test's records afterwards."""
    dns_server.clear()
    yield dns_server
    dns_server.clear()
