import pytest

from onetime.errors import SettingsError
from onetime.settings import Settings


def test_the_header_timeout_defaults_to_ten_seconds() -> None:
    assert Settings.from_env({}).header_timeout == 10


def test_the_header_timeout_is_read_from_the_environment() -> None:
    assert Settings.from_env({"OTS_HEADER_TIMEOUT": "3"}).header_timeout == 3


@pytest.mark.parametrize("value", ["0", "301", "soon"])
def test_a_bad_header_timeout_is_refused_by_name(value: str) -> None:
    with pytest.raises(SettingsError, match="OTS_HEADER_TIMEOUT"):
        Settings.from_env({"OTS_HEADER_TIMEOUT": value})
