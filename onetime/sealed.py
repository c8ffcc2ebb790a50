"""Small values sealed under a key derived from a random token that storage never holds.

A secret's link is kept on its receipt sealed under the receipt key; an account's history key is
kept sealed under its API token and in a browser session under the session id. Each seal is
AES-256-GCM under HKDF-SHA256 of the token and a purpose, with a fresh nonce stored in front; the
context (the record's name) is the associated data, so a sealed value moved elsewhere does not open.
The tokens carry 160 random bits or more, so a fast derivation is enough: a copy of the database
holds only digests of them (`keys.secret_id`, `keys.token_digest`), from which no key follows.
"""

from __future__ import annotations

import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from onetime.crypto import DecryptionFailed

NONCE_BYTES = 12
SEAL_OVERHEAD = NONCE_BYTES + 16
"""Bytes a seal adds to its plaintext: the nonce and the GCM tag."""

RECEIPT_LINK = b"receipt link"
"""Purpose: a secret's key, on its receipt, under the receipt key."""
SESSION_HISTORY = b"session history key"
"""Purpose: an account's history key, in a browser session, under the session id."""
TOKEN_HISTORY = b"token history key"
"""Purpose: an account's history key, on the account, under its API token."""


def token_key(token: str, purpose: bytes) -> bytes:
    """Return the 256-bit key a random token gives for one purpose."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"ots sealed\x00" + purpose)
    return hkdf.derive(token.encode())


def seal(key: bytes, plaintext: bytes, context: bytes) -> bytes:
    """Encrypt `plaintext` under `key`, bound to `context`."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, context)


def open_sealed(key: bytes, sealed: bytes, context: bytes) -> bytes:
    """Decrypt what `seal` made under the same key and context, or raise DecryptionFailed."""
    if len(sealed) < SEAL_OVERHEAD:
        raise DecryptionFailed("sealed value too short")
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], context)
    except InvalidTag:
        raise DecryptionFailed("sealed value does not open") from None


def seal_secret_key(metadata_key: str, receipt_id: str, secret_key: str) -> bytes:
    """Seal a secret's key for its receipt index: only the receipt key opens it."""
    return seal(token_key(metadata_key, RECEIPT_LINK), secret_key.encode(), receipt_id.encode())


def open_secret_key(metadata_key: str, receipt_id: str, sealed_key: bytes) -> str | None:
    """Return the secret key a receipt index entry seals, or None when this receipt key does not open it."""
    try:
        return open_sealed(token_key(metadata_key, RECEIPT_LINK), sealed_key, receipt_id.encode()).decode()
    except DecryptionFailed:
        return None
