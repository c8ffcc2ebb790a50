"""A bcrypt hasher that counts its work, so tests can prove a limit stopped bcrypt from running."""

from __future__ import annotations

from onetime.crypto import PassphraseHasher


class CountingHasher:
    """The app's real bcrypt hasher, counting the hashes it makes and the checks it runs."""

    def __init__(self, inner: PassphraseHasher) -> None:
        self.inner = inner
        self.hashed = 0
        self.verified = 0

    async def hash(self, passphrase: str) -> bytes:
        """Hash for real, and count it."""
        self.hashed += 1
        return await self.inner.hash(passphrase)

    async def verify(self, passphrase: str, hashed: bytes) -> bool:
        """Verify for real, and count it."""
        self.verified += 1
        return await self.inner.verify(passphrase, hashed)
