"""Customers of the API: plans, API tokens (stored only as digests), and authentication.

The browser app (`onetime.web_accounts`) signs up the same customers, adding a password hash and
whether the email is confirmed; an account made by `ots account create` has neither.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from onetime import keys
from onetime.errors import AccountExists, InvalidEmail, InvalidRequest, NotAuthorized, UnknownAccount
from onetime.plans import ACCOUNT_PLANS, Plan
from onetime.recipients import validate_address
from onetime.settings import Settings
from onetime.store import RedisStore

ANONYMOUS_CUSTID = "anon"
# Compared against when the customer does not exist, so both paths do the same work.
_ABSENT_DIGEST = hashlib.sha256(b"no such customer").digest()
# Customer fields (ots:customer:{email}).
CREATED, PLAN, TOKEN, PASSWORD, VERIFIED = "created", "plan", "token", "password", "verified"


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling: a customer id and the plan that sets their limits."""

    custid: str
    plan: Plan
    verified: bool = True
    """False for a browser account that has not confirmed its email: it may not send recipient emails."""

    @property
    def is_anonymous(self) -> bool:
        """Tell whether the caller gave no credentials."""
        return self.custid == ANONYMOUS_CUSTID

    @classmethod
    def anonymous(cls, settings: Settings) -> Caller:
        """Return the caller without credentials."""
        return cls(ANONYMOUS_CUSTID, settings.plans["anonymous"])


def _token_digest(token: str) -> bytes:
    # Tokens carry 160 random bits, so a fast digest is enough; bcrypt would only slow the API.
    return hashlib.sha256(token.encode()).digest()


def normalize_email(email: str) -> str:
    """Return the account id for an email: trimmed and lowercased, or raise if not an address."""
    try:
        return validate_address(email).lower()
    except InvalidRequest:
        raise InvalidEmail(f"Not a valid email address: {email.strip()[:254]}") from None


class AccountService:
    """Create accounts, rotate their tokens and authenticate API callers."""

    def __init__(self, store: RedisStore, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    async def create(
        self, email: str, plan: str = "basic", *, password_hash: bytes | None = None, verified: bool = True
    ) -> str:
        """Create an account and return its new API token.

        Args:
            email: The account's email, its id (case-insensitive).
            plan: The plan that sets its limits.
            password_hash: bcrypt hash of the browser password; None for an API-only account.
            verified: False for a browser sign-up whose email is not confirmed yet.
        """
        if plan not in ACCOUNT_PLANS:
            raise InvalidRequest(f"Unknown plan: {plan} (choose {' or '.join(ACCOUNT_PLANS)})")
        custid = normalize_email(email)
        token = keys.new_key()
        fields = {CREATED: str(int(time.time())), PLAN: plan, TOKEN: _token_digest(token).hex()}
        if password_hash is not None:
            fields[PASSWORD] = password_hash.decode()
        if not verified:
            fields[VERIFIED] = "0"
        if not await self.store.create_customer(custid, fields):
            raise AccountExists
        return token

    async def rotate_token(self, email: str) -> str:
        """Give an account a new API token; the old one stops working at once."""
        token = keys.new_key()
        if not await self.store.update_customer(normalize_email(email), {TOKEN: _token_digest(token).hex()}):
            raise UnknownAccount
        return token

    def anonymous(self) -> Caller:
        """Return the caller without credentials."""
        return Caller.anonymous(self.settings)

    async def authenticate(self, custid: str, token: str) -> Caller:
        """Return the caller these credentials name; unknown user and wrong token look the same."""
        customer = await self.store.customer(custid.strip().lower()) if custid else None
        expected = bytes.fromhex(customer[TOKEN]) if customer else _ABSENT_DIGEST
        matches = keys.same_token(_token_digest(token), expected)
        if customer is None or not matches or not token:
            raise NotAuthorized
        return self.caller(custid.strip().lower(), customer)

    def caller(self, custid: str, customer: dict[str, str]) -> Caller:
        """Return the caller that a stored customer is: its plan, and whether its email is confirmed."""
        plan = self.settings.plans.get(customer.get(PLAN, "basic"), self.settings.plans["basic"])
        return Caller(custid, plan, verified=customer.get(VERIFIED) != "0")
