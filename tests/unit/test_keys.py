import string
from collections import Counter

import pytest

from onetime import keys


def test_new_key_is_31_lowercase_base36_characters() -> None:
    for _ in range(200):
        key = keys.new_key()
        assert len(key) == keys.KEY_LENGTH == 31
        assert set(key) <= set(string.digits + string.ascii_lowercase)


def test_new_keys_do_not_repeat() -> None:
    assert len({keys.new_key() for _ in range(2000)}) == 2000


def test_every_position_of_a_new_key_draws_from_the_whole_alphabet_evenly() -> None:
    # Each of the 31 digits is drawn on its own: the first may be any of the 36 too, and no digit
    # is favoured (a byte % 36 over all 256 byte values would favour the first four).
    drawn = [keys.new_key() for _ in range(6000)]
    alphabet = set(string.digits + string.ascii_lowercase)
    assert {key[0] for key in drawn} == alphabet
    assert {key[-1] for key in drawn} == alphabet
    counts = Counter("".join(drawn))
    expected = 6000 * 31 / 36
    assert all(abs(count - expected) < 0.06 * expected for count in counts.values()), counts


def test_new_key_passes_its_own_shape_check() -> None:
    assert keys.is_key_shaped(keys.new_key())


@pytest.mark.parametrize("text", ["a" * 20, "0" * 64, "abc123" * 5 + "x"])
def test_key_shape_accepts_20_to_64_base36_characters(text: str) -> None:
    assert keys.is_key_shaped(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "a" * 19,
        "a" * 65,
        "A" * 31,
        "abc-" + "a" * 27,
        "a" * 30 + "_",
        "a" * 30 + "\n",
        "a" * 30 + "é",
        "a" * 30 + "٣",  # a non-ASCII digit
        "recent",
        "../" + "a" * 28,
    ],
)
def test_key_shape_rejects_anything_else(text: str) -> None:
    assert not keys.is_key_shaped(text)


def test_shorten_keeps_only_six_characters() -> None:
    key = keys.new_key()
    assert keys.shorten(key) == key[:6]


def test_same_token_compares_exact_bytes() -> None:
    assert keys.same_token(b"token", b"token")
    assert not keys.same_token(b"token", b"tokem")
    assert not keys.same_token(b"token", b"token2")
