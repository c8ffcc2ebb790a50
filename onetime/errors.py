"""Domain errors. Each face maps them, in one place, to its own responses; and the settings error.

Messages never carry a secret value, passphrase, token or full key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

T = TypeVar("T")


class SettingsError(ValueError):
    """A configuration value is invalid; the message names the variable."""


class OnetimeError(Exception):
    """Base of every error the service raises on purpose."""

    message = "Something went wrong"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message


class UnknownSecret(OnetimeError):
    """The key names no secret that can be used: unknown, consumed, expired or locked away."""

    message = "Unknown secret"

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key

    def __str__(self) -> str:
        # The key stays out of str() so that a logged exception cannot leak it.
        return self.message


class WrongSecretPassphrase(UnknownSecret):
    """The secret exists, but the passphrase to reveal it is wrong or missing.

    The v1 API answers this as an unknown secret, as its contract says; the browser tells the
    recipient to check the passphrase. Either way the secret survives.
    """

    tries_left: int | None = None
    """Passphrase attempts this client has left before the lock (set by the secret service)."""


class WrongPassphrase(OnetimeError):
    """The creator's passphrase for a burn did not match."""

    message = "Double check that passphrase"
    tries_left: int | None = None
    """Passphrase attempts this client has left before the lock (set by the secret service)."""


class NotAuthorized(OnetimeError):
    """Credentials were required, or were given and are wrong."""

    message = "Not authorized"


class RateLimited(OnetimeError):
    """The caller made too many requests, or the secret is locked after failed passphrases."""

    message = "Rate limit exceeded. Please try again later."


class PassphraseLocked(RateLimited):
    """Passphrase attempts on a secret are locked for this client (or for everyone): wait `seconds`.

    Keeps the v1 API's words; the pages say how long the wait is.
    """

    def __init__(self, seconds: int) -> None:
        super().__init__()
        self.seconds = seconds


class MailLimited(RateLimited):
    """The account queued as many recipient emails as its window allows."""

    def __init__(self, count: int, minutes: int) -> None:
        super().__init__(f"Too many recipient emails: at most {count} every {minutes} minutes. Please try again later.")


class InvalidRequest(OnetimeError):
    """The request breaks a rule; the message says which."""


class NothingToShare(InvalidRequest):
    """The secret to create is empty."""

    message = "You did not provide anything to share"


class PassphraseRejected(InvalidRequest):
    """The passphrase given for a new secret breaks this deployment's rules."""


class PassphraseNotRetyped(PassphraseRejected):
    """A form drawn again after a mistake asked to keep its passphrase, but none was typed."""

    message = (
        "Type the passphrase again: it is never sent back to the page. Or untick the box below to share without one."
    )


class SecretWouldBeReplaced(InvalidRequest):
    """A password was to be generated while a secret was typed: generating would throw it away."""

    message = (
        "You typed a secret, and a generated password would replace it. "
        "Choose Create a secret link to share what you typed, or empty the box to generate a password."
    )


class OnlyWhitespace(NothingToShare):
    """The secret is only spaces and line breaks: a link to nothing is a mistake.

    The APIs answer it as an empty secret (the same words); the pages say what was wrong.
    """


class TooLarge(InvalidRequest):
    """The secret is larger than the caller's plan allows."""

    def __init__(self, size: int, limit: int, account_limit: int | None = None) -> None:
        super().__init__(f"Secret value exceeds the maximum size of {limit} bytes")
        self.size = size
        """The secret's size in bytes (UTF-8)."""
        self.limit = limit
        """The most the caller's plan allows."""
        self.account_limit = account_limit
        """The most an account allows, when that is more than the caller's plan (None otherwise)."""


class MailUnavailable(InvalidRequest):
    """A recipient was given but this server has no mail delivery configured."""

    message = "Email delivery is not configured on this server"


class StorageUnavailable(OnetimeError):
    """Redis cannot be reached or refused the write."""

    message = "Service unavailable, please try again shortly"


class OutcomeUnknown(StorageUnavailable):
    """A reveal or burn reached Redis, but its answer never came: the secret may be gone.

    Redis may have run the script (or will when it wakes), so "try again" would be a false
    promise. A fault before the script was sent stays StorageUnavailable.
    """

    message = "The secret may already have been revealed. If it is gone, ask the sender for a new link."


class AccountExists(OnetimeError):
    """An account with this email already exists."""

    message = "An account with that email already exists"


class UnknownAccount(OnetimeError):
    """No account has this email."""

    message = "No account with that email"


class InvalidEmail(InvalidRequest):
    """An account's email is not an address that can receive mail."""


class PasswordRejected(InvalidRequest):
    """A new account password breaks the rules: too short, too long, too common, or the email itself."""


class WrongCredentials(OnetimeError):
    """A sign-in or a password confirmation failed; never says whether the email has an account."""

    message = "The email or password is not right."


class WrongPassword(WrongCredentials):
    """A signed-in account confirmed an action (deleting it) with a password that is not its own."""

    message = "That is not your password. Type the password you sign in with."


class SignInLocked(RateLimited):
    """Too many failed sign-ins for this account or from this address: wait until the window ends."""

    def __init__(self, minutes: int) -> None:
        unit = "minute" if minutes == 1 else "minutes"
        super().__init__(f"Too many failed attempts. Try again in {minutes} {unit}.")
        self.minutes = minutes


class SignInBusy(RateLimited):
    """The server already has as many password checks waiting as it accepts: try again shortly."""

    message = "Too many sign-ins right now. Please try again in a moment."


class SignUpLimited(RateLimited):
    """This client address made as many accounts as the sign-up window allows."""

    message = "Too many new accounts from your address. Please try again later."


class SignUpRefused(OnetimeError):
    """A sign-up was not completed; the same words whether or not the email has an account."""

    message = "No new account was created with these details. If you already have an account, sign in instead."


class SignInRequired(NotAuthorized):
    """A page of the browser app needs a signed-in account."""

    message = "Sign in to see this page."


class EmailNotVerified(InvalidRequest):
    """A browser account that has not confirmed its email address asked to send a recipient email."""

    message = "Confirm your email address (see the account page) before sending secrets by email."


class UnknownVerification(OnetimeError):
    """An email confirmation link is unknown, used or expired."""

    message = "This confirmation link is no longer valid. Ask for a new one on your account page."


class UnknownRecovery(OnetimeError):
    """A password reset link that was used, expired, or never existed."""

    message = "This password reset link is no longer valid: it was used or it expired. Ask for a new one."


class RecoveryLimited(RateLimited):
    """Too many password reset emails asked for one address, or from one client address."""

    def __init__(self, minutes: int) -> None:
        unit = "minute" if minutes == 1 else "minutes"
        super().__init__(f"Too many password reset requests. Please try again in {minutes} {unit}.")
        self.minutes = minutes


class ConfirmationLimited(RateLimited):
    """The account asked for as many address confirmation emails as its window allows."""

    message = "Too many confirmation emails. Please try again in an hour."


def entry_for(table: Mapping[type[OnetimeError], T], error: OnetimeError) -> T | None:
    """Return the table's entry for the error's own class, or else for its nearest base class."""
    for kind in type(error).__mro__:
        if kind in table:
            return table[kind]
    return None
