"""Who is calling: an account (or nobody) and the plan that sets its limits."""

from __future__ import annotations

from dataclasses import dataclass

from onetime.accounts.history import HistoryKey
from onetime.errors import InvalidEmail, InvalidRequest
from onetime.plans import Plan
from onetime.recipients import validate_address
from onetime.settings import Settings
from onetime.translations import N_

ANONYMOUS_CUSTID = "anon"


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling: a customer id and the plan that sets their limits."""

    custid: str
    plan: Plan
    verified: bool = True
    """False for a browser account that has not confirmed its email: it may not send recipient emails."""
    history: HistoryKey | None = None
    """The account's history key: new receipts are sealed to it, and its private half (when the
    caller's credentials opened it) lists them. None for anonymous callers."""

    @property
    def is_anonymous(self) -> bool:
        """Tell whether the caller gave no credentials."""
        return self.custid == ANONYMOUS_CUSTID

    @classmethod
    def anonymous(cls, settings: Settings) -> Caller:
        """Return the caller without credentials."""
        return cls(ANONYMOUS_CUSTID, settings.plans["anonymous"])


def normalize_email(email: str) -> str:
    """Return the account id for an email: trimmed and lowercased, or raise if not an address."""
    try:
        return validate_address(email).lower()
    except InvalidRequest:
        raise InvalidEmail(N_("Not a valid email address: %(address)s"), address=email.strip()[:254]) from None
