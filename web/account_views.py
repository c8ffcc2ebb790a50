"""What the account pages draw, and the forms they post (never drawn again with a password)."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import Any

from litestar.datastructures import FormMultiDict

from onetime.accounts.password_rules import PASSWORD_MIN_LENGTH
from onetime.accounts.signin import SignedIn
from onetime.receipts import Receipt
from web.rendering import View

SIGN_IN = View("pages/signin.html", "partials/_signin.html")
SIGN_UP = View("pages/signup.html", "partials/_signup.html")
ACCOUNT = View("pages/account.html", "partials/_account.html")
ACCOUNT_DELETED = View("pages/account_deleted.html", "partials/_account_deleted.html")
DASHBOARD = View("pages/dashboard.html", "partials/_dashboard.html")
DASHBOARD_ITEM = View("pages/dashboard.html", "partials/_dashboard_item.html")
DASHBOARD_BURN = View("pages/dashboard_burn.html", "partials/_dashboard_burn.html")
CONFIRM_EMAIL = View("pages/confirm_email.html", "partials/_confirm_email.html")
EMAIL_CONFIRMED = View("pages/email_confirmed.html", "partials/_email_confirmed.html")

PER_PAGE = 50
"""Receipts on one page of the dashboard."""
STATE_LABELS = {
    "new": "New",
    "viewed": "Viewed",
    "received": "Received",
    "burned": "Burned",
    "expired": "Expired",
    "orphaned": "Gone",
}
"""How the dashboard names a receipt's state."""
TOKEN_PLACEHOLDER = "YOUR_API_TOKEN"  # noqa: S105 - the words shown in place of a hidden token


@dataclass(frozen=True, slots=True)
class CredentialsForm:
    """The sign-in and sign-up forms: an email and a password."""

    email: str = ""
    password: str = ""

    def __repr__(self) -> str:
        return f"CredentialsForm(email={self.email!r})"


@dataclass(frozen=True, slots=True)
class PasswordForm:
    """A form that confirms an action with the account's password (deleting the account)."""

    password: str = ""

    def __repr__(self) -> str:
        return "PasswordForm()"


@dataclass(frozen=True, slots=True)
class DashboardBurnForm:
    """Burning from the dashboard: the page to come back to, and whether the burn is confirmed."""

    page: int = 1
    confirmed: bool = False


def _text(form: FormMultiDict, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def read_credentials_form(form: FormMultiDict) -> CredentialsForm:
    """Read a sign-in or sign-up form."""
    return CredentialsForm(email=_text(form, "email").strip(), password=_text(form, "password"))


def read_password_form(form: FormMultiDict) -> PasswordForm:
    """Read a form whose one field is the account's password."""
    return PasswordForm(password=_text(form, "password"))


def read_dashboard_burn_form(form: FormMultiDict) -> DashboardBurnForm:
    """Read the burn button of a dashboard entry (or its no-JavaScript confirmation)."""
    page = _text(form, "page")
    return DashboardBurnForm(page=int(page) if page.isdigit() else 1, confirmed=_text(form, "confirm") == "yes")


def credentials_context(form: CredentialsForm | None = None) -> dict[str, Any]:
    """Return what the sign-in and sign-up pages draw: the email as typed, never the password."""
    return {"email": form.email if form else "", "password_min_length": PASSWORD_MIN_LENGTH}


def curl_line(email: str, token: str | None, base_url: str) -> str:
    """Return the command that shares a secret through the API with this account's token."""
    credentials = shlex.quote(f"{email}:{token or TOKEN_PLACEHOLDER}")
    return f"curl -u {credentials} -d 'secret=hello&ttl=3600' {base_url}/api/v1/share"


def account_context(
    signed_in: SignedIn, base_url: str, *, new_token: str | None = None, verification_sent: bool = False
) -> dict[str, Any]:
    """Return what the account page draws; `new_token` is shown this once and never again."""
    return {
        "account": signed_in,
        "new_token": new_token,
        "curl_line": curl_line(signed_in.email, new_token, base_url),
        "verification_sent": verification_sent,
    }


@dataclass(frozen=True, slots=True)
class DashboardPage:
    """One page of the dashboard: its receipts, newest first, and where it sits among the pages."""

    receipts: list[Receipt]
    page: int
    pages: int
    total: int


def page_count(total: int) -> int:
    """Return how many dashboard pages `total` receipts fill (at least one, even empty)."""
    return max(1, -(-total // PER_PAGE))


def dashboard_context(listing: DashboardPage) -> dict[str, Any]:
    """Return what the dashboard draws."""
    return {"listing": listing, "state_labels": STATE_LABELS}


def dashboard_item_context(receipt: Receipt, page: int, *, just_burned: bool = False) -> dict[str, Any]:
    """Return what one dashboard entry draws (swapped in place after a burn)."""
    return {"receipt": receipt, "page": page, "state_labels": STATE_LABELS, "just_burned": just_burned}


def dashboard_burn_context(metadata_key: str, page: int) -> dict[str, Any]:
    """Return what the no-JavaScript confirmation of a dashboard burn draws."""
    return {"metadata_key": metadata_key, "page": page}
