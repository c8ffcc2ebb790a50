import ipaddress

import pytest

from onetime.clients import UNKNOWN_CLIENT, client_address, client_bucket

LOCAL = (ipaddress.ip_network("127.0.0.1/32"),)
PROXIES = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("::1/128"))


def test_no_peer_is_the_unknown_client() -> None:
    assert client_address(None, "198.51.100.1", LOCAL) == UNKNOWN_CLIENT


def test_peer_without_forwarded_header_is_the_client() -> None:
    assert client_address("203.0.113.5", None, LOCAL) == "203.0.113.5"


def test_forwarded_header_from_an_untrusted_peer_is_ignored() -> None:
    assert client_address("203.0.113.5", "198.51.100.1", LOCAL) == "203.0.113.5"


def test_a_peer_that_is_not_an_address_is_never_trusted() -> None:
    assert client_address("testclient", "198.51.100.1", LOCAL) == "testclient"


def test_forwarded_header_from_a_trusted_peer_names_the_client() -> None:
    assert client_address("127.0.0.1", "198.51.100.1", LOCAL) == "198.51.100.1"


def test_client_cannot_choose_its_address_by_sending_the_header_itself() -> None:
    # The client sent "X-Forwarded-For: 1.2.3.4"; the trusted proxy appended the real address.
    assert client_address("127.0.0.1", "1.2.3.4, 198.51.100.1", LOCAL) == "198.51.100.1"


def test_trusted_hops_are_skipped_from_the_right() -> None:
    assert client_address("10.0.0.1", "198.51.100.1, 10.0.0.7, 10.2.3.4", PROXIES) == "198.51.100.1"


def test_only_trusted_hops_fall_back_to_the_peer() -> None:
    assert client_address("10.0.0.1", "10.0.0.7, 10.2.3.4", PROXIES) == "10.0.0.1"


@pytest.mark.parametrize("header", ["garbage", "198.51.100.1, not-an-ip", "198.51.100.1:443"])
def test_unreadable_hop_falls_back_to_the_peer(header: str) -> None:
    assert client_address("127.0.0.1", header, LOCAL) == "127.0.0.1"


def test_ipv6_proxy_and_client() -> None:
    assert client_address("::1", "2001:db8::1", PROXIES, ipv6_prefix=128) == "2001:db8::1"


def test_addresses_are_normalised() -> None:
    assert client_address("::1", "2001:DB8:0:0::1", PROXIES, ipv6_prefix=128) == "2001:db8::1"


# IPv6 clients are counted by network: a host with a /64 is one client.


def test_ipv6_addresses_of_one_64_are_one_client() -> None:
    first = client_address("::1", "2001:db8:1:2::1", PROXIES)
    second = client_address("::1", "2001:db8:1:2:ffff:abcd:1234:5678", PROXIES)
    assert first == second == "2001:db8:1:2::/64"


def test_ipv6_addresses_of_another_64_are_another_client() -> None:
    assert client_address("::1", "2001:db8:1:3::1", PROXIES) != client_address("::1", "2001:db8:1:2::1", PROXIES)


def test_an_ipv6_peer_without_proxy_is_grouped_too() -> None:
    assert client_address("2001:db8:1:2::9", None, LOCAL) == "2001:db8:1:2::/64"


def test_the_ipv6_prefix_is_configurable() -> None:
    assert client_address("::1", "2001:db8:1:2::1", PROXIES, ipv6_prefix=48) == "2001:db8:1::/48"
    assert client_address("::1", "2001:db8:1:2::1", PROXIES, ipv6_prefix=128) == "2001:db8:1:2::1"


def test_ipv4_addresses_are_unchanged() -> None:
    assert client_bucket("198.51.100.7") == "198.51.100.7"
    assert client_bucket("198.51.100.7", 32) == "198.51.100.7"


def test_an_ipv4_mapped_address_is_the_ipv4_client() -> None:
    assert client_bucket("::ffff:198.51.100.7") == "198.51.100.7"


def test_a_name_that_is_not_an_address_is_kept() -> None:
    assert client_bucket("testclient") == "testclient"
