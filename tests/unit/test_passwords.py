import string

import pytest

from onetime import passwords
from onetime.errors import InvalidRequest

AMBIGUOUS = set("ilo1IO0")
SYMBOLS = set("!@#$%^&*()_-+=[]{}|:;\"'<>,.?/~`")
UPPER = set(string.ascii_uppercase) - AMBIGUOUS
LOWER = set(string.ascii_lowercase) - AMBIGUOUS
DIGITS = set(string.digits) - AMBIGUOUS


def test_character_sets_are_the_documented_ones_without_ambiguous_characters() -> None:
    assert [set(chars) for chars in passwords.CHARACTER_SETS] == [UPPER, LOWER, DIGITS, SYMBOLS]


def test_default_password_has_12_characters() -> None:
    assert len(passwords.generate_password()) == 12


@pytest.mark.parametrize("length", [4, 5, 12, 40, 128])
def test_password_has_every_character_class_and_no_ambiguous_character(length: int) -> None:
    for _ in range(100):
        password = passwords.generate_password(length)
        assert len(password) == length
        chars = set(password)
        assert chars & UPPER
        assert chars & LOWER
        assert chars & DIGITS
        assert chars & SYMBOLS
        assert not chars & AMBIGUOUS
        assert chars <= UPPER | LOWER | DIGITS | SYMBOLS


def test_required_characters_are_shuffled_into_any_position() -> None:
    first_classes = set()
    for _ in range(300):
        first = passwords.generate_password(4)[0]
        first_classes.add(next(i for i, chars in enumerate(passwords.CHARACTER_SETS) if first in chars))
    assert first_classes == {0, 1, 2, 3}


def test_passwords_do_not_repeat() -> None:
    assert len({passwords.generate_password() for _ in range(1000)}) == 1000


@pytest.mark.parametrize(
    ("raw", "expected"), [(None, 12), ("", 12), ("abc", 12), (" 20 ", 20), (128, 128), ("128", 128)]
)
def test_password_length_reads_the_request(raw: object, expected: int) -> None:
    assert passwords.password_length(raw) == expected


@pytest.mark.parametrize("raw", ["0", "1", "3", "-5"])
def test_password_length_is_at_least_one_character_per_class(raw: str) -> None:
    assert passwords.password_length(raw) == 4


@pytest.mark.parametrize("raw", ["129", 1000, "99999999999999999999"])
def test_password_length_over_128_is_refused(raw: object) -> None:
    with pytest.raises(InvalidRequest, match=r"^Generated password length must be no more than 128 characters$"):
        passwords.password_length(raw)
