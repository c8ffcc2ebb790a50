"""Email confirmation: a link sent through the outbox proves that an account's address is its own.

A new browser account works at once, but cannot send recipient emails until it is confirmed; an
account never confirmed goes after `UNCONFIRMED_ACCOUNT_SECONDS` (only where mail is configured). Only
the digest of the link's token is stored, under a key that names the account, for two days.
"""

from __future__ import annotations

from onetime import keys
from onetime.errors import ConfirmationLimited, MailUnavailable, SignInRequired, UnknownVerification
from onetime.mail.outbox import Outbox
from onetime.mail.outgoing import CONFIRM_EMAIL
from onetime.settings import RequestLimit
from onetime.storage.counters import CONFIRM, Counters
from onetime.storage.customers import Customer, Customers
from onetime.storage.verifications import Verifications
from onetime.translations import DEFAULT_LOCALE

CONFIRMATION_SECONDS = 2 * 24 * 3600
"""How long the link that confirms an account's address works."""
UNCONFIRMED_ACCOUNT_SECONDS = 7 * 24 * 3600
"""How long a browser account lives when this deployment sends mail and its address is never
confirmed (confirming removes the limit); an account made by `ots account create` never expires."""
CONFIRMATION_LIMIT = RequestLimit(5, 3600)
"""Address confirmation emails one account may ask for per window."""


def _confirmation_mail_id(digest: str) -> str:
    """Return the outbox id of a confirmation email (never a secret key: those are base36)."""
    return f"confirm-{digest[:32]}"


class EmailConfirmations:
    """Send confirmation links, confirm addresses, and cancel a pending confirmation."""

    def __init__(  # noqa: PLR0913 - the composition root hands over every collaborator
        self,
        *,
        customers: Customers,
        verifications: Verifications,
        counters: Counters,
        outbox: Outbox,
        base_url: str,
        enabled: bool,
    ) -> None:
        self.customers = customers
        self.verifications = verifications
        self.counters = counters
        self.outbox = outbox
        self.base_url = base_url
        self.enabled = enabled
        """Whether mail is configured; without it no confirmation is sent."""

    async def request(self, custid: str, locale: str = DEFAULT_LOCALE) -> None:
        """Email the account a new link (the previous link stops working), within the hourly limit, in `locale`."""
        if not self.enabled:
            raise MailUnavailable
        limit = CONFIRMATION_LIMIT
        if await self.counters.count_request(CONFIRM, custid, limit.seconds) > limit.count:
            raise ConfirmationLimited
        await self.send(custid, locale)

    async def send(self, custid: str, locale: str = DEFAULT_LOCALE) -> None:
        """Email the account a new link that confirms its address, in `locale` (nothing when mail is not configured)."""
        if not self.enabled:
            return
        customer = await self.customers.get(custid)
        if customer is not None and customer.confirming:
            await self._forget(customer.confirming)
        token = keys.new_key()
        digest = keys.token_digest(token)
        await self.verifications.save(digest, custid, CONFIRMATION_SECONDS)
        if not await self.customers.set_confirming(custid, digest):
            await self._forget(digest)
            raise SignInRequired
        await self.customers.keep_at_least(custid, CONFIRMATION_SECONDS)  # the link outlives no account
        await self.outbox.queue(
            _confirmation_mail_id(digest),
            recipient=custid,
            sender="",
            secret_url=f"{self.base_url}/account/confirm/{token}",
            ttl=CONFIRMATION_SECONDS,
            kind=CONFIRM_EMAIL,
            locale=locale,
        )

    async def _forget(self, digest: str) -> None:
        await self.verifications.take(digest)
        await self.outbox.cancel(_confirmation_mail_id(digest))

    async def confirm(self, token: str) -> str:
        """Mark the account of a confirmation link as confirmed (once); return its email."""
        if not keys.is_key_shaped(token):
            raise UnknownVerification
        digest = keys.token_digest(token)
        custid = await self.verifications.take(digest)
        if custid is None or not await self.customers.mark_verified(custid):
            raise UnknownVerification
        await self.outbox.cancel(_confirmation_mail_id(digest))  # if still waiting for a retry: no need now
        return custid

    async def cancel_mail(self, customer: Customer) -> None:
        """Drop the confirmation email still queued for an account being deleted."""
        if customer.confirming:
            await self.outbox.cancel(_confirmation_mail_id(customer.confirming))

    async def forget(self, customer: Customer) -> None:
        """Forget the pending confirmation of an account that is gone (its link stops working)."""
        if customer.confirming:
            await self.verifications.delete(customer.confirming)
