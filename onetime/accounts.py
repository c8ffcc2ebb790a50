"""Customers of the API: plans, API tokens (stored only as digests), and authentication."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from onetime import keys
from onetime.errors import AccountExists, InvalidRequest, NotAuthorized, UnknownAccount
from onetime.plans import ACCOUNT_PLANS, Plan
from onetime.recipients import validate_address
from onetime.settings import Settings
from onetime.store import RedisStore

ANONYMOUS_CUSTID = "anon"
# Compared against when the customer does not exist, so both paths do the same work.
_ABSENT_DIGEST = hashlib.sha256(b"no such customer").digest()


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling: a customer id and the plan that sets their limits."""

    custid: str
    plan: Plan

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
        raise InvalidRequest(f"Not a valid email address: {email.strip()[:254]}") from None


class AccountService:
    """Create accounts, rotate their tokens and authenticate API callers."""

    def __init__(self, store: RedisStore, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    async def create(self, email: str, plan: str = "basic") -> str:
        """Create an account and return its new API token."""
        if plan not in ACCOUNT_PLANS:
            raise InvalidRequest(f"Unknown plan: {plan} (choose {' or '.join(ACCOUNT_PLANS)})")
        custid = normalize_email(email)
        token = keys.new_key()
        fields = {"created": str(int(time.time())), "plan": plan, "token": _token_digest(token).hex()}
        if not await self.store.create_customer(custid, fields):
            raise AccountExists
        return token

    async def rotate_token(self, email: str) -> str:
        """Give an account a new API token; the old one stops working at once."""
        token = keys.new_key()
        if not await self.store.update_customer(normalize_email(email), {"token": _token_digest(token).hex()}):
            raise UnknownAccount
        return token

    def anonymous(self) -> Caller:
        """Return the caller without credentials."""
        return Caller.anonymous(self.settings)

    async def authenticate(self, custid: str, token: str) -> Caller:
        """Return the caller these credentials name; unknown user and wrong token look the same."""
        customer = await self.store.customer(custid.strip().lower()) if custid else None
        expected = bytes.fromhex(customer["token"]) if customer else _ABSENT_DIGEST
        matches = keys.same_token(_token_digest(token), expected)
        if customer is None or not matches or not token:
            raise NotAuthorized
        plan = self.settings.plans.get(customer.get("plan", "basic"), self.settings.plans["basic"])
        return Caller(custid.strip().lower(), plan)
