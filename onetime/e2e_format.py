"""The end-to-end format, version 1: what a browser or `ots send` stores, and the key in the link.

The server never holds the key: it stores the ciphertext text as a secret's value (under its own
encryption at rest, as any value) and checks only its shape. `docs/e2e-format.md` is the
specification; static/js/e2e-format.js is the browser's implementation of the same bytes.

Link fragment: base64url (no padding) of 36 bytes: a marker byte (0x10, or 0x11 when a passphrase
is mixed in), the 32-byte link key, then 3 check bytes (SHA-256 of "ots-e2e:v1:check" and the first
33 bytes), so a damaged link is recognised before anything is consumed.

Ciphertext: "ots-e2e:v1:" then base64url (no padding) of flags (1 byte), with a passphrase the
PBKDF2 iteration count (4 bytes, big-endian) and salt (16 bytes), then the nonce (12 bytes) and the
AES-256-GCM ciphertext with its tag. The associated data is the prefix and every byte before the nonce.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from onetime.errors import InvalidRequest, PassphraseRejected

PREFIX = "ots-e2e:v1:"
"""The start of every version-1 ciphertext; the server flags a secret end-to-end only with it."""
KEY_BYTES = 32
CHECK_BYTES = 3
FRAGMENT_LENGTH = 48
"""Characters of a fragment: 36 bytes in base64url, with no padding."""
MARKER = 0x10
PASSPHRASE_FLAG = 0x01
NONCE_BYTES = 12
SALT_BYTES = 16
TAG_BYTES = 16
ITERATIONS = 600_000
"""PBKDF2-SHA256 iterations that new ciphertexts use (OWASP's 2023 figure for this hash)."""
MIN_ITERATIONS = 100_000
MAX_ITERATIONS = 10_000_000
"""Readers refuse counts outside these bounds: too weak, or a sender making the reader's device spin."""
_CHECK_LABEL = b"ots-e2e:v1:check"
_CONTENT_INFO = b"ots-e2e:v1:content"
_PASSPHRASE_INFO = b"ots-e2e:v1:content+passphrase"
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")


class FormatError(ValueError):
    """A fragment or ciphertext that is not of this format (the message never quotes it)."""


class MissingFragment(FormatError):
    """A link without the part after '#', which holds the key."""


class DamagedFragment(FormatError):
    """A link whose key part is cut short, altered or not of this format."""


class CannotDecrypt(ValueError):
    """The key (or passphrase) does not open the ciphertext: it was consumed for nothing."""


@dataclass(frozen=True, slots=True)
class LinkKey:
    """The key that travels in a link's fragment, and whether a passphrase is mixed into it."""

    key: bytes
    passphrase: bool

    @classmethod
    def new(cls, *, passphrase: bool) -> LinkKey:
        """Return a fresh random key (from the operating system's CSPRNG)."""
        return cls(secrets.token_bytes(KEY_BYTES), passphrase)

    def fragment(self) -> str:
        """Return the text after '#' in the link."""
        head = bytes([MARKER | (PASSPHRASE_FLAG if self.passphrase else 0)]) + self.key
        return _encode(head + _check(head))


@dataclass(frozen=True, slots=True)
class Header:
    """What a ciphertext says of itself in the clear: whether a passphrase is needed, and how slow."""

    passphrase: bool
    iterations: int | None
    size: int
    """Characters of the whole ciphertext text (its bytes: it is ASCII)."""


def parse_fragment(fragment: str) -> LinkKey:
    """Return the key a link's fragment carries; raise MissingFragment or DamagedFragment."""
    fragment = fragment.removeprefix("#")
    if not fragment:
        raise MissingFragment("The link has no key after '#'.")
    if len(fragment) != FRAGMENT_LENGTH or not _BASE64URL.fullmatch(fragment):
        raise DamagedFragment("The key after '#' in the link is damaged.")
    raw = _decode(fragment)
    head, check = raw[: 1 + KEY_BYTES], raw[1 + KEY_BYTES :]
    if head[0] & ~PASSPHRASE_FLAG != MARKER or not hmac.compare_digest(check, _check(head)):
        raise DamagedFragment("The key after '#' in the link is damaged.")
    return LinkKey(head[1:], passphrase=bool(head[0] & PASSPHRASE_FLAG))


def inspect(ciphertext: str) -> Header:
    """Check a ciphertext's shape (never its content, which needs the key) and read its header."""
    if not ciphertext.startswith(PREFIX):
        raise FormatError("Not an end-to-end ciphertext of version 1.")
    body = ciphertext[len(PREFIX) :]
    if not _BASE64URL.fullmatch(body) or len(body) % 4 == 1:
        raise FormatError("The end-to-end ciphertext is not base64url.")
    raw = _decode(body)
    header_length = _header_length(raw)
    if len(raw) < header_length + NONCE_BYTES + TAG_BYTES:
        raise FormatError("The end-to-end ciphertext is too short.")
    iterations = int.from_bytes(raw[1:5]) if raw[0] else None
    return Header(passphrase=bool(raw[0]), iterations=iterations, size=len(ciphertext))


def seal(plaintext: str, link_key: LinkKey, passphrase: str | None = None, iterations: int = ITERATIONS) -> str:
    """Encrypt a text under a link key (and a passphrase, when the key says one is mixed in)."""
    if link_key.passphrase != bool(passphrase):
        msg = "A passphrase is needed exactly when the link key says so."
        raise ValueError(msg)
    header = bytes([1 if passphrase else 0])
    if passphrase:
        header += iterations.to_bytes(4) + secrets.token_bytes(SALT_BYTES)
    nonce = secrets.token_bytes(NONCE_BYTES)
    key = _content_key(link_key, header, passphrase)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), PREFIX.encode() + header)
    return PREFIX + _encode(header + nonce + sealed)


def open_sealed(ciphertext: str, link_key: LinkKey, passphrase: str | None = None) -> str:
    """Decrypt a ciphertext; raise FormatError for a bad shape, CannotDecrypt for a wrong key or passphrase."""
    header_info = inspect(ciphertext)
    if header_info.passphrase != link_key.passphrase:
        raise CannotDecrypt("The link's key does not belong to this secret.")
    if link_key.passphrase and not passphrase:
        raise CannotDecrypt("This secret needs its passphrase.")
    raw = _decode(ciphertext[len(PREFIX) :])
    header_length = _header_length(raw)
    header, nonce = raw[:header_length], raw[header_length : header_length + NONCE_BYTES]
    key = _content_key(link_key, header, passphrase if link_key.passphrase else None)
    try:
        plain = AESGCM(key).decrypt(nonce, raw[header_length + NONCE_BYTES :], PREFIX.encode() + header)
    except InvalidTag:
        raise CannotDecrypt("The key or passphrase does not open this secret.") from None
    return plain.decode()


def _header_length(raw: bytes) -> int:
    if not raw or raw[0] not in {0, 1}:
        raise FormatError("The end-to-end ciphertext has unknown flags.")
    if raw[0] == 0:
        return 1
    if len(raw) < 1 + 4 + SALT_BYTES:
        raise FormatError("The end-to-end ciphertext is too short.")
    iterations = int.from_bytes(raw[1:5])
    if not MIN_ITERATIONS <= iterations <= MAX_ITERATIONS:
        raise FormatError("The end-to-end ciphertext asks for an iteration count out of bounds.")
    return 1 + 4 + SALT_BYTES


def _content_key(link_key: LinkKey, header: bytes, passphrase: str | None) -> bytes:
    """Derive the AES key: HKDF of the link key, with the PBKDF2 result mixed in for a passphrase."""
    if not passphrase:
        return HKDF(hashes.SHA256(), KEY_BYTES, salt=None, info=_CONTENT_INFO).derive(link_key.key)
    iterations, salt = int.from_bytes(header[1:5]), header[5 : 5 + SALT_BYTES]
    normalized = unicodedata.normalize("NFC", passphrase).encode()
    stretched = PBKDF2HMAC(hashes.SHA256(), KEY_BYTES, salt, iterations).derive(normalized)
    return HKDF(hashes.SHA256(), KEY_BYTES, salt=salt, info=_PASSPHRASE_INFO).derive(link_key.key + stretched)


def _check(head: bytes) -> bytes:
    return hashlib.sha256(_CHECK_LABEL + head).digest()[:CHECK_BYTES]


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise FormatError("Not base64url.") from None


class PostedSecret(Protocol):
    """What `check_for_storage` reads of a creation request (`onetime.secret_service.NewSecret`)."""

    @property
    def value(self) -> str | None: ...  # noqa: D102
    @property
    def passphrase(self) -> str | None: ...  # noqa: D102
    @property
    def recipients(self) -> Sequence[str]: ...  # noqa: D102


def check_for_storage(request: PostedSecret, passphrase_required: bool) -> int:
    """Check a ciphertext posted as an end-to-end secret; return its size in bytes for the record.

    The passphrase of an end-to-end secret is mixed into the key in the sender's browser: one that
    reaches the server was sent by mistake, and is refused rather than stored or ignored. Its link
    cannot be emailed either: the server never has the key that completes it.
    """
    if request.recipients:
        raise InvalidRequest("This server cannot email the link of an end-to-end secret: it never sees its key.")
    if request.passphrase:
        raise InvalidRequest("An end-to-end secret's passphrase stays with the sender: it is never sent.")
    try:
        header = inspect(request.value or "")
    except FormatError as error:
        raise InvalidRequest(str(error)) from None
    if passphrase_required and not header.passphrase:
        raise PassphraseRejected("A passphrase is required for all secrets")
    return header.size
