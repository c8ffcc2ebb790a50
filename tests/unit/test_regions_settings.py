"""OTS_REGION, OTS_REGIONS and OTS_DNS_RESOLVER: parsed once, errors name the variable."""

from __future__ import annotations

import pytest

from onetime.errors import SettingsError
from onetime.regions import Region
from onetime.settings import DnsResolver, Settings

REGIONS = "us=https://us.example.com,eu=https://eu.example.com"


def test_regions_are_parsed_in_order_and_this_regions_origin_is_the_base_url() -> None:
    settings = Settings.from_env({"OTS_REGION": "eu", "OTS_REGIONS": REGIONS})
    assert settings.regions == (Region("us", "https://us.example.com"), Region("eu", "https://eu.example.com"))
    assert settings.region == "eu"
    assert settings.base_url == "https://eu.example.com"
    assert settings.regions[1].host == "eu.example.com"


def test_a_base_url_that_matches_the_region_is_accepted() -> None:
    env = {"OTS_REGION": "us", "OTS_REGIONS": REGIONS, "OTS_BASE_URL": "https://us.example.com/"}
    assert Settings.from_env(env).base_url == "https://us.example.com"


def test_a_region_alone_is_a_label_for_status() -> None:
    settings = Settings.from_env({"OTS_REGION": "eu"})
    assert settings.region == "eu"
    assert settings.regions == ()
    assert settings.base_url == "http://127.0.0.1:8000"


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"OTS_REGIONS": REGIONS}, "OTS_REGIONS"),  # which one is this?
        ({"OTS_REGION": "ap", "OTS_REGIONS": REGIONS}, "OTS_REGION"),
        ({"OTS_REGION": "us", "OTS_REGIONS": "us"}, "OTS_REGIONS"),
        ({"OTS_REGION": "us", "OTS_REGIONS": "us=ftp://us.example.com"}, "OTS_REGIONS"),
        ({"OTS_REGION": "us", "OTS_REGIONS": "us=https://us.example.com/path"}, "OTS_REGIONS"),
        ({"OTS_REGION": "us", "OTS_REGIONS": "US East=https://us.example.com"}, "OTS_REGIONS"),
        ({"OTS_REGION": "us", "OTS_REGIONS": "us=https://a.example.com,us=https://b.example.com"}, "OTS_REGIONS"),
        ({"OTS_REGION": "us", "OTS_REGIONS": REGIONS, "OTS_BASE_URL": "https://other.example.com"}, "OTS_BASE_URL"),
    ],
)
def test_bad_regions_raise_an_error_naming_the_variable(env: dict[str, str], name: str) -> None:
    with pytest.raises(SettingsError, match=f"^{name} "):
        Settings.from_env(env)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("127.0.0.1:5353", DnsResolver("127.0.0.1", 5353)),
        ("192.0.2.53", DnsResolver("192.0.2.53", 53)),
        ("[::1]:5353", DnsResolver("::1", 5353)),
        ("::1", DnsResolver("::1", 53)),
    ],
)
def test_dns_resolver_is_an_address_and_port(raw: str, expected: DnsResolver) -> None:
    assert Settings.from_env({"OTS_DNS_RESOLVER": raw}).dns_resolver == expected


def test_without_a_dns_resolver_the_systems_is_used() -> None:
    assert Settings.from_env({}).dns_resolver is None


@pytest.mark.parametrize("raw", ["dns.example.com:53", "127.0.0.1:port", "127.0.0.1:70000", "127.0.0.1:0"])
def test_a_bad_dns_resolver_raises_an_error_naming_the_variable(raw: str) -> None:
    with pytest.raises(SettingsError, match=r"^OTS_DNS_RESOLVER "):
        Settings.from_env({"OTS_DNS_RESOLVER": raw})
