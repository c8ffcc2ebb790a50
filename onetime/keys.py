"""Random keys and tokens: CSPRNG only, lowercase base36, checked before storage is touched."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

KEY_LENGTH = 31
KEY_RANDOM_BYTES = 20  # 160 bits; 36**31 > 2**160, so every value fits in 31 characters
_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
_KEY_SHAPE = re.compile(r"[a-z0-9]{20,64}")


def new_key() -> str:
    """Return a fresh 31-character base36 key made from 160 random bits."""
    number = int.from_bytes(secrets.token_bytes(KEY_RANDOM_BYTES), "big")
    digits = []
    for _ in range(KEY_LENGTH):
        number, digit = divmod(number, 36)
        digits.append(_ALPHABET[digit])
    return "".join(reversed(digits))


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
