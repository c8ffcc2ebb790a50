"""The account history key: what opens a sealed receipt key, and what does not."""

import pytest

from onetime import keys
from onetime.accounts.history import (
    HistoryKey,
    open_receipt_key,
    seal_receipt_key,
    unwrap_with_password,
    unwrap_with_token,
    wrap_for_password,
    wrap_for_token,
)
from onetime.crypto import DecryptionFailed

ALICE = "alice@example.com"


def test_a_receipt_key_sealed_to_the_public_half_opens_only_with_the_private_half() -> None:
    mine, other = HistoryKey.generate(), HistoryKey.generate()
    receipt_key = keys.new_key()
    entry = seal_receipt_key(mine.public, receipt_key)
    assert receipt_key.encode() not in entry
    assert open_receipt_key(mine, entry) == receipt_key
    assert open_receipt_key(other, entry) is None
    assert open_receipt_key(HistoryKey(mine.public), entry) is None  # the public half alone
    assert open_receipt_key(mine, entry[:-1] + bytes([entry[-1] ^ 1])) is None  # tampered
    assert seal_receipt_key(mine.public, receipt_key) != entry  # a fresh ephemeral key each time


def test_the_private_half_unwraps_with_its_token_only() -> None:
    history, token = HistoryKey.generate(), keys.new_key()
    wrapped = wrap_for_token(history, ALICE, token)
    assert unwrap_with_token(wrapped, ALICE, token) == history.private
    with pytest.raises(DecryptionFailed):
        unwrap_with_token(wrapped, ALICE, keys.new_key())
    with pytest.raises(DecryptionFailed):
        unwrap_with_token(wrapped, "mallory@example.com", token)  # bound to the account
    with pytest.raises(DecryptionFailed):
        unwrap_with_token(wrapped, ALICE, keys.token_digest(token))  # the stored digest is no key


async def test_the_private_half_unwraps_with_its_password_only() -> None:
    history = HistoryKey.generate()
    wrapped = await wrap_for_password(history, ALICE, "plum tree under winter rain", work=10)
    assert wrapped[0] == 10  # the work factor travels with the wrapped key
    assert await unwrap_with_password(wrapped, ALICE, "plum tree under winter rain") == history.private
    with pytest.raises(DecryptionFailed):
        await unwrap_with_password(wrapped, ALICE, "plum tree under winter snow")


def test_a_private_half_that_does_not_match_the_public_one_is_dropped() -> None:
    mine, other = HistoryKey.generate(), HistoryKey.generate()
    assert HistoryKey.opened(mine.public, mine.private).private == mine.private
    assert HistoryKey.opened(mine.public, other.private).private is None
    assert HistoryKey.opened(mine.public, None).private is None
    assert "private" not in repr(mine) or repr(mine.private) not in repr(mine)
