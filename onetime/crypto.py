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
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import bcrypt
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from onetime import metrics

ENVELOPE_VERSION = 1
KEY_ID_BYTES = 4
SALT_BYTES = 16
NONCE_BYTES = 12
_HEADER = 1 + KEY_ID_BYTES + SALT_BYTES + NONCE_BYTES
_INFO_PREFIX = b"onetime secret v1\x00"
MASTER_SECRET_FILE = "master.key"  # noqa: S105 - a file name, not a secret
T = TypeVar("T")


class DecryptionFailed(Exception):
    """The envelope does not open: wrong key, wrong passphrase, unknown key id or tampering."""


@functools.lru_cache(maxsize=16)
def key_id(master: bytes) -> bytes:
    """Return the short public identifier of a master secret (worked out once per secret: every seal and open asks)."""
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


class HasherBusy(Exception):
    """A bcrypt lane already has as many calls waiting as it accepts: refuse the request early."""


SECRETS_LANE = "secrets"
"""The lane of secret passphrases (reveals and burns)."""
ACCOUNTS_LANE = "accounts"
"""The lane of account passwords (sign-up, sign-in, deletion), apart so that a flood of sign-ins
cannot delay the reveal of a secret."""


class BcryptLane:
    """One low-priority thread for bcrypt, with a bound on the calls waiting for it (None: none)."""

    def __init__(self, name: str, max_waiting: int | None) -> None:
        self.name = name
        self.max_waiting = max_waiting
        self.waiting = 0
        """Calls queued or running on this lane now."""
        self._guard = threading.Lock()
        self._thread = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix=f"bcrypt-{name}", initializer=_lower_priority
        )

    async def run(self, work: Callable[[], T]) -> T:
        """Run `work` on this lane's thread; HasherBusy when the lane is full."""
        with self._guard:
            if self.max_waiting is not None and self.waiting >= self.max_waiting:
                raise HasherBusy
            self.waiting += 1
        metrics.bcrypt_queued(self.name)
        try:
            return await asyncio.get_running_loop().run_in_executor(self._thread, work)
        finally:
            metrics.bcrypt_done(self.name)
            with self._guard:
                self.waiting -= 1


_lanes: dict[str, BcryptLane] = {}
_lanes_guard = threading.Lock()


def bcrypt_lane(name: str, max_waiting: int | None = None) -> BcryptLane:
    """Return this process's lane of that name (its thread is made on first use, its bound then)."""
    with _lanes_guard:
        if name not in _lanes:
            _lanes[name] = BcryptLane(name, max_waiting)
        return _lanes[name]


@dataclass(frozen=True, slots=True)
class PassphraseHasher:
    """bcrypt passphrase hashes, computed off the event loop so that it keeps serving.

    Verifications queue on the lane's one low-priority thread per process: a flood of guesses
    then costs at most one core's idle time, and the event loop keeps serving everyone else. Each
    kind of work has its own lane, so that sign-ins never delay a secret's reveal. Hashes for new
    secrets run on the default thread pool unless `hash_in_lane` (account passwords: so that a
    flood of sign-ups waits in its own lane too, and is refused past its bound).
    """

    cost: int = 12
    lane: str = SECRETS_LANE
    max_waiting: int | None = None
    """Calls the lane lets wait (None: no bound); past it, HasherBusy."""
    hash_in_lane: bool = False

    def _lane(self) -> BcryptLane:
        return bcrypt_lane(self.lane, self.max_waiting)

    async def hash(self, passphrase: str) -> bytes:
        """Return a bcrypt hash of the passphrase."""
        work = functools.partial(bcrypt.hashpw, _bcrypt_input(passphrase), bcrypt.gensalt(self.cost))
        if self.hash_in_lane:
            return await self._lane().run(work)
        return await asyncio.to_thread(work)

    async def verify(self, passphrase: str, hashed: bytes) -> bool:
        """Tell whether the passphrase matches the hash (constant-time inside bcrypt)."""
        return await self._lane().run(functools.partial(bcrypt.checkpw, _bcrypt_input(passphrase), hashed))


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
