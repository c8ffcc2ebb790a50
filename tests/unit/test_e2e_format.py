"""The end-to-end format in Python: what `ots send`/`ots receive` and the server's shape check use."""

from __future__ import annotations

import base64

import pytest

from onetime import e2e_format
from onetime.e2e_format import CannotDecrypt, DamagedFragment, FormatError, LinkKey, MissingFragment
from onetime.errors import InvalidRequest, PassphraseRejected
from onetime.new_secret import NewSecret

FAST = e2e_format.MIN_ITERATIONS


def test_a_sealed_text_opens_with_its_link_key_only() -> None:
    key = LinkKey.new(passphrase=False)
    sealed = e2e_format.seal("héllo\nworld", key)
    assert sealed.startswith("ots-e2e:v1:")
    assert "héllo" not in sealed
    assert e2e_format.open_sealed(sealed, key) == "héllo\nworld"
    with pytest.raises(CannotDecrypt):
        e2e_format.open_sealed(sealed, LinkKey.new(passphrase=False))


def test_a_passphrase_is_mixed_into_the_key() -> None:
    key = LinkKey.new(passphrase=True)
    sealed = e2e_format.seal("behind a passphrase", key, "open sesame", iterations=FAST)
    assert e2e_format.inspect(sealed).passphrase is True
    assert e2e_format.inspect(sealed).iterations == FAST
    assert e2e_format.open_sealed(sealed, key, "open sesame") == "behind a passphrase"
    with pytest.raises(CannotDecrypt):
        e2e_format.open_sealed(sealed, key, "open sesame!")
    with pytest.raises(CannotDecrypt):
        e2e_format.open_sealed(sealed, key, None)


def test_the_passphrase_is_compared_after_unicode_normalisation() -> None:
    key = LinkKey.new(passphrase=True)
    sealed = e2e_format.seal("x", key, "cafe\u0301", iterations=FAST)  # e + combining acute
    assert e2e_format.open_sealed(sealed, key, "caf\u00e9") == "x"  # the precomposed é


def test_a_fragment_round_trips_and_says_whether_a_passphrase_is_needed() -> None:
    for passphrase in (False, True):
        key = LinkKey.new(passphrase=passphrase)
        fragment = key.fragment()
        assert len(fragment) == e2e_format.FRAGMENT_LENGTH
        assert e2e_format.parse_fragment("#" + fragment) == key


def test_a_missing_or_damaged_fragment_is_told_apart_before_anything_is_fetched() -> None:
    fragment = LinkKey.new(passphrase=False).fragment()
    with pytest.raises(MissingFragment):
        e2e_format.parse_fragment("")
    damaged = [
        fragment[:-1],
        fragment + "A",
        fragment[:10] + ("B" if fragment[10] != "B" else "C") + fragment[11:],
        fragment.replace(fragment[5], "+"),
    ]
    for text in damaged:
        with pytest.raises(DamagedFragment):
            e2e_format.parse_fragment(text)


def test_altering_the_header_or_the_body_fails_the_tag() -> None:
    key = LinkKey.new(passphrase=False)
    sealed = e2e_format.seal("integrity", key)
    raw = bytearray(base64.urlsafe_b64decode(sealed[len(e2e_format.PREFIX) :] + "=="))
    raw[-1] ^= 1
    altered = e2e_format.PREFIX + base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    with pytest.raises(CannotDecrypt):
        e2e_format.open_sealed(altered, key)


def test_the_shape_check_refuses_what_is_not_a_ciphertext() -> None:
    for text in ["hello", "ots-e2e:v1:", "ots-e2e:v1:!!!!", "ots-e2e:v2:AAAA", "ots-e2e:v1:" + "A" * 10]:
        with pytest.raises(FormatError):
            e2e_format.inspect(text)


def test_an_iteration_count_out_of_bounds_is_refused() -> None:
    key = LinkKey.new(passphrase=True)
    too_weak = e2e_format.seal("x", key, "pw", iterations=1000)
    with pytest.raises(FormatError):
        e2e_format.inspect(too_weak)


def test_the_server_refuses_a_sent_passphrase_an_email_or_a_malformed_value() -> None:
    sealed = e2e_format.seal("x", LinkKey.new(passphrase=False))
    assert e2e_format.check_for_storage(NewSecret(value=sealed), passphrase_required=False) == len(sealed)
    with pytest.raises(InvalidRequest, match="never sent"):
        e2e_format.check_for_storage(NewSecret(value=sealed, passphrase="a passphrase"), passphrase_required=False)
    with pytest.raises(InvalidRequest, match="cannot email"):
        e2e_format.check_for_storage(NewSecret(value=sealed, recipients=("a@example.com",)), passphrase_required=False)
    with pytest.raises(InvalidRequest):
        e2e_format.check_for_storage(NewSecret(value="plain text"), passphrase_required=False)
    with pytest.raises(PassphraseRejected):
        e2e_format.check_for_storage(NewSecret(value=sealed), passphrase_required=True)
