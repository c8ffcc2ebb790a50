import pytest

from onetime.errors import InvalidRequest
from onetime.recipients import obfuscate, validate_address


@pytest.mark.parametrize(
    ("address", "shown"),
    [
        ("tom@example.com", "to*****@e*****.com"),
        ("john.smith@mail.example.org", "jo*****@m*****.org"),
        ("a@b.co", "a*****@b*****.co"),
        ("ab@cd.io", "ab*****@c*****.io"),
        ("someone@example.co.uk", "so*****@e*****.uk"),
    ],
)
def test_obfuscate_follows_the_contract_examples(address: str, shown: str) -> None:
    assert obfuscate(address) == shown


@pytest.mark.parametrize("address", ["a@b.co", "tom@example.com", "x@y.z"])
def test_obfuscated_address_is_masked_however_short(address: str) -> None:
    masked = obfuscate(address)
    assert address not in masked
    assert masked.count("*****") == 2


@pytest.mark.parametrize("address", ["tom@example.com", " tom@example.com ", "first.last+tag@sub.example.org"])
def test_valid_address_is_returned_trimmed(address: str) -> None:
    assert validate_address(address) == address.strip()


@pytest.mark.parametrize(
    "address",
    ["", "tom", "tom@", "@example.com", "tom@example", "tom@@example.com", "tom @example.com", "tom@exa_mple.com"],
)
def test_invalid_address_is_refused_by_name(address: str) -> None:
    with pytest.raises(InvalidRequest) as raised:
        validate_address(address)
    assert raised.value.message == f"Undeliverable email address: {address.strip()}"


def test_overlong_address_is_refused() -> None:
    address = "a" * 250 + "@example.com"
    with pytest.raises(InvalidRequest) as raised:
        validate_address(address)
    assert raised.value.message == f"Undeliverable email address: {address[:254]}"
