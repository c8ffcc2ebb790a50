"""An account's webhook: its URL, and the signing secret shown once and kept sealed.

The server must sign every delivery, so it keeps the signing secret itself, sealed under the
master secret (AES-256-GCM, bound to the account): a copy of Redis alone does not give it, while
whoever holds the master secret too could sign in the account's name. That is acceptable for a
signing secret, which opens no secret: it only proves that a delivery came from this server.
"""

from __future__ import annotations

from dataclasses import dataclass

from onetime.crypto import Cipher, DecryptionFailed
from onetime.notifications.ssrf import TargetPolicy, resolve_target
from onetime.notifications.webhooks import new_signing_secret
from onetime.storage.webhook_accounts import AccountWebhooks


@dataclass(frozen=True, slots=True)
class AccountWebhook:
    """What the account page shows of a webhook: its URL ("" for none), and whether it has a signing secret."""

    url: str
    has_signing_secret: bool


def _binding(custid: str) -> str:
    return f"webhook signing secret\x00{custid}"


class WebhookSettings:
    """Set an account's webhook URL and signing secret; read them for deliveries."""

    def __init__(self, records: AccountWebhooks, cipher: Cipher, policy: TargetPolicy) -> None:
        self.records = records
        self.cipher = cipher
        self.policy = policy

    async def read(self, custid: str) -> AccountWebhook:
        """Return the account's webhook as its page shows it."""
        stored = await self.records.read(custid)
        return AccountWebhook(stored.url, stored.sealed_secret is not None)

    async def url_of(self, custid: str) -> str:
        """Return the account's webhook URL ("" for none)."""
        return (await self.records.read(custid)).url

    async def set_url(self, custid: str, url: str) -> str | None:
        """Set (or with "" remove) the URL; return a new signing secret when the account had none.

        The URL is checked, and its host resolved and checked, now, so a refused one is said at once
        (each delivery checks again: DNS answers change).
        """
        url = url.strip()
        if url:
            await resolve_target(url, self.policy)
        await self.records.set_url(custid, url)
        if url and (await self.records.read(custid)).sealed_secret is None:
            return await self.new_signing_secret(custid)
        return None

    async def new_signing_secret(self, custid: str) -> str:
        """Replace the signing secret and return it, to be shown this once."""
        secret = new_signing_secret()
        await self.records.set_sealed_secret(custid, self.cipher.seal(secret, _binding(custid)))
        return secret

    async def signing_secret(self, custid: str) -> str | None:
        """Return the account's signing secret for a delivery, or None when it has none (or it does not open)."""
        sealed = (await self.records.read(custid)).sealed_secret
        if sealed is None:
            return None
        try:
            return self.cipher.open(sealed, _binding(custid))
        except DecryptionFailed:
            return None

    async def forget(self, custid: str) -> None:
        """Delete the account's webhook."""
        await self.records.forget(custid)
