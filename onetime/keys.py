"""Random keys and tokens: CSPRNG only, lowercase base36, checked before storage is touched."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

KEY_LENGTH = 31
"""Characters of a key: 31 independent uniform base36 digits, 160.3 bits."""
_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
_USABLE_BYTES = 7 * len(_ALPHABET)
"""A random byte below 252 names a digit uniformly (byte % 36); the four above are dropped."""
_TO_DIGIT = bytes(ord(_ALPHABET[value % len(_ALPHABET)]) for value in range(_USABLE_BYTES)) + bytes(256 - _USABLE_BYTES)
_DROPPED = bytes(range(_USABLE_BYTES, 256))
_KEY_SHAPE = re.compile(r"[a-z0-9]{20,64}")
RECORD_ID_LENGTH = 22
"""Characters of a record id: 128 bits of SHA-256 in unpadded base64url."""


def new_key() -> str:
    """Return a fresh key: 31 base36 digits, each drawn uniformly from the CSPRNG's bytes.

    One `translate` maps the bytes to digits and drops the few that would bias them (about 1 in
    64), in C: a base conversion of a 160-bit integer took 31 Python divisions (issue 13).
    """
    digits = b""
    while len(digits) < KEY_LENGTH:
        digits += secrets.token_bytes(KEY_LENGTH + 4).translate(_TO_DIGIT, _DROPPED)
    return digits[:KEY_LENGTH].decode("ascii")


def is_key_shaped(text: str) -> bool:
    """Tell whether `text` could be a key: 20 to 64 lowercase base36 characters."""
    return _KEY_SHAPE.fullmatch(text) is not None


def shorten(key: str) -> str:
    """Return the first six characters of a key, the most a log line may show."""
    return key[:6]


def same_token(given: bytes, expected: bytes) -> bool:
    """Compare two secrets in constant time."""
    return hmac.compare_digest(given, expected)


def token_digest(token: str) -> str:
    """Return what storage keeps of a random token (an API token, a session id, a link token).

    SHA-256, in hex: the tokens carry 160 random bits or more, so a fast digest is enough, and a
    copy of Redis cannot be replayed as the tokens themselves.
    """
    return hashlib.sha256(token.encode()).hexdigest()


def _record_id(purpose: bytes, link_key: str) -> str:
    digest = hashlib.sha256(b"ots record id\x00" + purpose + b"\x00" + link_key.encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


def secret_id(secret_key: str) -> str:
    """Return the name storage files a secret under: a digest of its key, never the key itself.

    Domain-separated SHA-256 cut to 128 bits, in base64url (22 characters, shorter than the key):
    the key carries 160 random bits, so the id cannot be turned back into a link, and a copy of the
    database names no secret anyone could open.
    """
    return _record_id(b"secret", secret_key)


def receipt_id(metadata_key: str) -> str:
    """Return the name storage files a receipt under: a digest of the receipt key (as `secret_id`)."""
    return _record_id(b"receipt", metadata_key)
