"""Account deletion: the account and every key that names it go; what it shared stays readable.

Each part goes through the service that owns it: sessions end, receipts pass to the anonymous
owner, queued emails are cancelled, pending password reset links stop working, custom domains are
released.
"""

from __future__ import annotations

from onetime.accounts.caller import ANONYMOUS_CUSTID
from onetime.accounts.confirmation import EmailConfirmations
from onetime.accounts.recovery import PasswordRecovery
from onetime.accounts.sessions import SessionService
from onetime.domains.service import DomainService
from onetime.errors import SignInRequired
from onetime.mail.outbox import Outbox
from onetime.secret_service import SecretService
from onetime.storage.counters import Counters
from onetime.storage.customers import Customer, Customers


class AccountDeletion:
    """Delete an account through the services that own what it holds."""

    def __init__(  # noqa: PLR0913 - the composition root hands over every collaborator
        self,
        *,
        customers: Customers,
        counters: Counters,
        sessions: SessionService,
        confirmations: EmailConfirmations,
        secrets: SecretService,
        outbox: Outbox,
        domains: DomainService,
        recovery: PasswordRecovery,
    ) -> None:
        self.customers = customers
        self.counters = counters
        self.sessions = sessions
        self.confirmations = confirmations
        self.secrets = secrets
        self.outbox = outbox
        self.domains = domains
        self.recovery = recovery

    async def delete(self, custid: str, customer: Customer) -> None:
        """Delete an account (read as `customer`) whose password was just confirmed.

        The customer record goes first, so its sessions stop working even if a later step fails.
        Its secrets stay readable by their recipients until they expire; their receipts no longer
        name the account, and emails of theirs still queued are not sent. Its domains are released.
        """
        await self.confirmations.cancel_mail(customer)
        if not await self.customers.delete(custid):
            raise SignInRequired
        await self.sessions.end_all(custid)
        handed_over = await self.secrets.hand_over_receipts(custid, ANONYMOUS_CUSTID)
        await self.counters.forget_account(custid)
        await self.confirmations.forget(customer)
        await self.recovery.forget(custid)  # pending reset links, and their emails still queued
        for secret_id in handed_over:
            await self.outbox.cancel_secret_link(secret_id)
        await self.domains.release_all(custid)
