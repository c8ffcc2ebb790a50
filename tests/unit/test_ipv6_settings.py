import pytest

from onetime.errors import SettingsError
from onetime.settings import Settings


def test_ipv6_clients_are_grouped_by_64_by_default() -> None:
    assert Settings.from_env({}).ipv6_prefix == 64


def test_ipv6_prefix_is_read() -> None:
    assert Settings.from_env({"OTS_IPV6_PREFIX": "56"}).ipv6_prefix == 56


@pytest.mark.parametrize("value", ["16", "129", "sixty-four"])
def test_a_bad_ipv6_prefix_names_the_variable(value: str) -> None:
    with pytest.raises(SettingsError, match="OTS_IPV6_PREFIX"):
        Settings.from_env({"OTS_IPV6_PREFIX": value})
