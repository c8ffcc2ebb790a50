"""Customers of the API: plans, API tokens (stored only as digests), and authentication.

The browser (`onetime.accounts.signin`) signs up the same customers, adding a password hash and
whether the email is confirmed; an account made by `ots account create` has neither.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from onetime import keys
from onetime.accounts.caller import Caller, normalize_email
from onetime.accounts.history import AccountHistory, HistoryKey
from onetime.errors import AccountExists, InvalidRequest, NotAuthorized, UnknownAccount
from onetime.plans import ACCOUNT_PLANS
from onetime.settings import Settings
from onetime.storage.customers import Customer, Customers

# Compared against when the customer does not exist, so both paths do the same work.
_ABSENT_DIGEST = keys.token_digest("no such customer")


@dataclass(frozen=True, slots=True)
class NewCredentials:
    """A new account's API token (shown once, stored only as a digest) and its history key."""

    token: str = field(repr=False)
    history: HistoryKey


class AccountService:
    """Create accounts, rotate their tokens and authenticate API callers."""

    def __init__(self, customers: Customers, history: AccountHistory, settings: Settings) -> None:
        self.customers = customers
        self.history = history
        self.settings = settings

    async def create(  # noqa: PLR0913 - the fields of a new account
        self,
        email: str,
        plan: str = "basic",
        *,
        password_hash: bytes | None = None,
        password: str | None = None,
        verified: bool = True,
        expires_in: int | None = None,
    ) -> NewCredentials:
        """Create an account and return its new API token and history key.

        Args:
            email: The account's email, its id (case-insensitive).
            plan: The plan that sets its limits.
            password_hash: bcrypt hash of the browser password; None for an API-only account.
            password: The browser password itself, which wraps the history key (never stored).
            verified: False for a browser sign-up whose email is not confirmed yet.
            expires_in: Seconds the account lives unless confirmed first; None: for good.
        """
        if plan not in ACCOUNT_PLANS:
            raise InvalidRequest(f"Unknown plan: {plan} (choose {' or '.join(ACCOUNT_PLANS)})")
        custid = normalize_email(email)
        token = keys.new_key()
        history, wrapped = await self.history.new_account(custid, token, password)
        customer = Customer(
            created=int(time.time()),
            plan=plan,
            token_digest=keys.token_digest(token),
            password_hash=password_hash,
            verified=verified,
            history=wrapped,
        )
        if not await self.customers.create(custid, customer, expires_in):
            raise AccountExists
        return NewCredentials(token, history)

    async def rotate_token(self, email: str, history: HistoryKey | None = None) -> str:
        """Give an account a new API token; the old one stops working at once.

        The history key in hand (a browser session's) is wrapped under the new token; without it
        a new history starts (see `onetime.accounts.history`).
        """
        token = keys.new_key()
        if not await self.history.rotate_token(normalize_email(email), keys.token_digest(token), token, history):
            raise UnknownAccount
        return token

    def anonymous(self) -> Caller:
        """Return the caller without credentials."""
        return Caller.anonymous(self.settings)

    async def authenticate(self, custid: str, token: str) -> Caller:
        """Return the caller these credentials name; unknown user and wrong token look the same."""
        customer = await self.customers.get(custid.strip().lower()) if custid else None
        expected = customer.token_digest if customer else _ABSENT_DIGEST
        matches = keys.same_token(keys.token_digest(token).encode(), expected.encode())
        if customer is None or not matches or not token:
            raise NotAuthorized
        custid = custid.strip().lower()
        return self.caller(custid, customer, await self.history.for_token(custid, customer, token))

    def caller(self, custid: str, customer: Customer, history: HistoryKey | None = None) -> Caller:
        """Return the caller that a stored customer is: its plan, whether its email is confirmed, its history key.

        Without a `history` opened by a credential, the caller still seals new receipts to the
        account's public key, but cannot list them.
        """
        plan = self.settings.plans.get(customer.plan, self.settings.plans["basic"])
        if history is None and customer.history is not None:
            history = HistoryKey(customer.history.public)
        return Caller(custid, plan, verified=customer.verified, history=history)
