"""Encryption of secret values and hashing of passphrases.

Envelope (bytes): version (1) | key id (4) | salt (16) | nonce (12) | AES-256-GCM ciphertext+tag.
The AES key is HKDF-SHA256 over the master secret named by the key id, the per-secret salt, and
an info string binding the secret key and the passphrase. The secret key is also the associated
data, so a ciphertext copied under another key does not decrypt.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import hashlib
import hmac
import os
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import bcrypt
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

ENVELOPE_VERSION = 1
KEY_ID_BYTES = 4
SALT_BYTES = 16
NONCE_BYTES = 12
_HEADER = 1 + KEY_ID_BYTES + SALT_BYTES + NONCE_BYTES
_INFO_PREFIX = b"onetime secret v1\x00"
MASTER_SECRET_FILE = "master.key"  # noqa: S105 - a file name, not a secret


class DecryptionFailed(Exception):
    """The envelope does not open: wrong key, wrong passphrase, unknown key id or tampering."""


def key_id(master: bytes) -> bytes:
    """Return the short public identifier of a master secret."""
    return hmac.new(master, b"onetime key id", hashlib.sha256).digest()[:KEY_ID_BYTES]


@dataclass(frozen=True, slots=True)
class Cipher:
    """Seal and open secret values with the current master secret; open with older ones too."""

    current: bytes
    previous: tuple[bytes, ...] = ()

    def seal(self, plaintext: str, secret_key: str, passphrase: str | None = None) -> bytes:
        """Encrypt `plaintext` for the secret stored under `secret_key`."""
        salt = secrets.token_bytes(SALT_BYTES)
        nonce = secrets.token_bytes(NONCE_BYTES)
        aes = AESGCM(_derive(self.current, salt, secret_key, passphrase))
        sealed = aes.encrypt(nonce, plaintext.encode(), secret_key.encode())
        return bytes([ENVELOPE_VERSION]) + key_id(self.current) + salt + nonce + sealed

    def open(self, envelope: bytes, secret_key: str, passphrase: str | None = None) -> str:
        """Decrypt an envelope sealed by `seal` under the same key and passphrase."""
        if len(envelope) < _HEADER or envelope[0] != ENVELOPE_VERSION:
            raise DecryptionFailed("unsupported envelope")
        wanted_id = envelope[1 : 1 + KEY_ID_BYTES]
        master = next((m for m in (self.current, *self.previous) if key_id(m) == wanted_id), None)
        if master is None:
            raise DecryptionFailed("unknown key id")
        salt = envelope[1 + KEY_ID_BYTES : 1 + KEY_ID_BYTES + SALT_BYTES]
        nonce = envelope[_HEADER - NONCE_BYTES : _HEADER]
        aes = AESGCM(_derive(master, salt, secret_key, passphrase))
        try:
            return aes.decrypt(nonce, envelope[_HEADER:], secret_key.encode()).decode()
        except InvalidTag:
            raise DecryptionFailed("envelope does not open") from None


def _derive(master: bytes, salt: bytes, secret_key: str, passphrase: str | None) -> bytes:
    binding = b"\x00" if not passphrase else b"\x01" + passphrase.encode()
    hkdf = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=salt, info=_INFO_PREFIX + secret_key.encode() + b"\x00" + binding
    )
    return hkdf.derive(master)


def _bcrypt_input(passphrase: str) -> bytes:
    # bcrypt reads at most 72 bytes (bcrypt 5 refuses more): pre-hash so that every byte of a
    # long passphrase counts, and base64 so that no NUL byte can cut the input short.
    return base64.b64encode(hashlib.sha256(passphrase.encode()).digest())


@dataclass(frozen=True, slots=True)
class PassphraseHasher:
    """bcrypt passphrase hashes, computed in a worker thread so the event loop keeps serving."""

    cost: int = 12

    async def hash(self, passphrase: str) -> bytes:
        """Return a bcrypt hash of the passphrase."""
        salt = bcrypt.gensalt(self.cost)
        return await asyncio.to_thread(bcrypt.hashpw, _bcrypt_input(passphrase), salt)

    async def verify(self, passphrase: str, hashed: bytes) -> bool:
        """Tell whether the passphrase matches the hash (constant-time inside bcrypt).

        Verifications queue on one low-priority thread per process: a flood of guesses then costs
        at most one core's idle time, and the event loop keeps serving everyone else.
        """
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(_verifier(), bcrypt.checkpw, _bcrypt_input(passphrase), hashed)


@functools.cache
def _verifier() -> ThreadPoolExecutor:
    """Return this process's one thread for passphrase verification (created on first use)."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="bcrypt-verify", initializer=_lower_priority)


def _lower_priority() -> None:
    # Linux applies a nice value to one thread when given its thread id.
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


def load_or_create_master_secret(data_dir: Path) -> bytes:
    """Read the generated master secret from the data dir, creating it (mode 0600) if absent."""
    path = data_dir / MASTER_SECRET_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return base64.b64decode(path.read_text().strip())
    with os.fdopen(descriptor, "w") as handle:
        handle.write(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
    return base64.b64decode(path.read_text().strip())
