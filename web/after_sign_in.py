"""Where signing in leads: the account page that asked for it, else the dashboard."""

from __future__ import annotations

import re

DEFAULT_AFTER_SIGN_IN = "/dashboard"
"""Where signing in leads when no page asked for it."""
_AFTER_SIGN_IN = re.compile(r"^/(dashboard|account)(/[A-Za-z0-9._-]+)*$")
"""The pages that need a signed-in account: only these may be named in `next` (never another host)."""


def is_after_sign_in(path: str) -> bool:
    """Tell whether signing in may lead to this path (an account page of this site, nothing else)."""
    # A confirmation link carries a token and needs no sign-in: never named in a query string.
    return bool(_AFTER_SIGN_IN.match(path)) and not path.startswith("/account/confirm")


def after_sign_in(next_path: str) -> str:
    """Return where signing in leads: `next_path` if it is an account page, else the dashboard."""
    return next_path if is_after_sign_in(next_path) else DEFAULT_AFTER_SIGN_IN
