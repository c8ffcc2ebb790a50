"""What a browser account's password must be: long enough, not too long, not common, not the email."""

from __future__ import annotations

import functools
from importlib import resources

from onetime.errors import PasswordRejected

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 1024
_COMMON_PASSWORDS = "data/common-passwords.txt"


@functools.cache
def common_passwords() -> frozenset[str]:
    """Return the shipped list of the most common passwords of 12 characters or more, lowercased."""
    text = resources.files("onetime").joinpath(_COMMON_PASSWORDS).read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("# "))


def check_password(password: str, email: str) -> None:
    """Refuse a new password that is too short, too long, too common, or the email itself."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise PasswordRejected(f"Choose a password of at least {PASSWORD_MIN_LENGTH} characters.")
    if len(password) > PASSWORD_MAX_LENGTH:
        raise PasswordRejected(f"Choose a password of at most {PASSWORD_MAX_LENGTH} characters.")
    folded = password.strip().lower()
    if folded in common_passwords():
        raise PasswordRejected("This password is one of the most common ones. Choose another.")
    if folded in {email.lower(), email.lower().partition("@")[0]}:
        raise PasswordRejected("Do not use your email address as your password.")
