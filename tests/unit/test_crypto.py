import base64
import stat
from pathlib import Path

import pytest

from onetime.crypto import (
    ENVELOPE_VERSION,
    KEY_ID_BYTES,
    NONCE_BYTES,
    SALT_BYTES,
    Cipher,
    DecryptionFailed,
    PassphraseHasher,
    key_id,
    load_or_create_master_secret,
)
from onetime.keys import new_key

MASTER_A = b"a" * 32
MASTER_B = b"b" * 32
HEADER = 1 + KEY_ID_BYTES + SALT_BYTES + NONCE_BYTES
GCM_TAG = 16


@pytest.fixture
def hasher() -> PassphraseHasher:
    return PassphraseHasher(cost=4)


@pytest.mark.parametrize("value", ["hunter2", "", "パスワード 🔑", "x" * 10_000, "line\nbreak\x00nul"])
def test_seal_then_open_gives_back_the_value(value: str) -> None:
    cipher, key = Cipher(MASTER_A), new_key()
    assert cipher.open(cipher.seal(value, key), key) == value


def test_seal_then_open_with_the_passphrase_gives_back_the_value() -> None:
    cipher, key = Cipher(MASTER_A), new_key()
    assert cipher.open(cipher.seal("value", key, "correct horse"), key, "correct horse") == "value"


def test_envelope_carries_version_key_id_salt_nonce_and_tag() -> None:
    envelope = Cipher(MASTER_A).seal("hunter2", new_key())
    assert envelope[0] == ENVELOPE_VERSION
    assert envelope[1 : 1 + KEY_ID_BYTES] == key_id(MASTER_A)
    assert len(envelope) == HEADER + len(b"hunter2") + GCM_TAG
    assert b"hunter2" not in envelope


def test_sealing_twice_gives_different_envelopes() -> None:
    cipher, key = Cipher(MASTER_A), new_key()
    first, second = cipher.seal("same", key), cipher.seal("same", key)
    assert first != second
    assert first[1 + KEY_ID_BYTES : HEADER] != second[1 + KEY_ID_BYTES : HEADER]


@pytest.mark.parametrize(("sealed_with", "opened_with"), [("right", "wrong"), ("right", None), (None, "extra")])
def test_wrong_or_missing_passphrase_does_not_open(sealed_with: str | None, opened_with: str | None) -> None:
    cipher, key = Cipher(MASTER_A), new_key()
    envelope = cipher.seal("value", key, sealed_with)
    with pytest.raises(DecryptionFailed):
        cipher.open(envelope, key, opened_with)


def test_ciphertext_copied_under_another_secret_key_does_not_open() -> None:
    cipher = Cipher(MASTER_A)
    envelope = cipher.seal("value", new_key())
    with pytest.raises(DecryptionFailed):
        cipher.open(envelope, new_key())


def test_another_master_secret_does_not_open() -> None:
    key = new_key()
    envelope = Cipher(MASTER_A).seal("value", key)
    with pytest.raises(DecryptionFailed, match="unknown key id"):
        Cipher(MASTER_B).open(envelope, key)


def test_rotated_out_master_secret_still_opens_while_listed_as_previous() -> None:
    key = new_key()
    envelope = Cipher(MASTER_A).seal("value", key)
    rotated = Cipher(MASTER_B, previous=(MASTER_A,))
    assert rotated.open(envelope, key) == "value"
    assert rotated.seal("new", key)[1 : 1 + KEY_ID_BYTES] == key_id(MASTER_B)


@pytest.mark.parametrize("position", [0, 1, HEADER - 1, HEADER, -1])
def test_any_changed_byte_is_refused(position: int) -> None:
    cipher, key = Cipher(MASTER_A), new_key()
    envelope = bytearray(cipher.seal("value", key))
    envelope[position] ^= 0x01
    with pytest.raises(DecryptionFailed):
        cipher.open(bytes(envelope), key)


@pytest.mark.parametrize("envelope", [b"", b"\x01", bytes([ENVELOPE_VERSION]) + b"\x00" * (HEADER - 2)])
def test_truncated_envelope_is_refused(envelope: bytes) -> None:
    with pytest.raises(DecryptionFailed):
        Cipher(MASTER_A).open(envelope, new_key())


async def test_passphrase_hash_verifies_the_right_passphrase_only(hasher: PassphraseHasher) -> None:
    hashed = await hasher.hash("correct horse")
    assert hashed.startswith(b"$2b$04$")
    assert await hasher.verify("correct horse", hashed)
    assert not await hasher.verify("correct hors", hashed)
    assert not await hasher.verify("", hashed)


async def test_passphrases_sharing_their_first_72_bytes_do_not_both_verify(hasher: PassphraseHasher) -> None:
    prefix = "p" * 72
    hashed = await hasher.hash(prefix + "-one")
    assert await hasher.verify(prefix + "-one", hashed)
    assert not await hasher.verify(prefix + "-two", hashed)
    assert not await hasher.verify(prefix, hashed)


async def test_long_multibyte_passphrase_verifies(hasher: PassphraseHasher) -> None:
    passphrase = "пароль🔑" * 20  # far beyond 72 bytes
    assert await hasher.verify(passphrase, await hasher.hash(passphrase))


async def test_passphrase_with_a_nul_byte_is_not_cut_short(hasher: PassphraseHasher) -> None:
    hashed = await hasher.hash("a\x00b")
    assert not await hasher.verify("a\x00c", hashed)


def test_master_secret_is_generated_once_with_mode_0600(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = load_or_create_master_secret(data_dir)
    second = load_or_create_master_secret(data_dir)
    assert first == second
    assert len(first) == 32
    key_file = data_dir / "master.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert base64.b64decode(key_file.read_text()) == first
