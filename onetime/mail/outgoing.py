"""Outgoing mail as the outbox keeps it, and where a secret link's delivery stands."""

from __future__ import annotations

from dataclasses import dataclass

SECRET_LINK, CONFIRM_EMAIL, INVITATION, RESET_PASSWORD = "secret_link", "confirm_email", "invitation", "reset_password"
"""Kinds of email, each with its templates in templates/mail/ (`<kind>.txt`, `<kind>.html`)."""
QUEUED, SENT, FAILED = "queued", "sent", "failed"
"""States of a secret link's delivery, as its receipt shows them."""


@dataclass(frozen=True, slots=True)
class OutgoingMail:
    """One email: a secret's link for a recipient, or the link that confirms an account's address."""

    recipient: str
    """The address the link goes to."""
    sender: str
    """The account that shared the secret: named in the subject, and the Reply-To ("" for none)."""
    secret_url: str
    """The link to the secret (on the share domain when one is set), or the confirmation link."""
    expires: int
    """Unix time at which the link stops working."""
    message_id: str
    """A random token, the same on every try, so that a repeated message can be recognised."""
    kind: str = SECRET_LINK
    """SECRET_LINK, CONFIRM_EMAIL (the link that confirms a new account's address), or RESET_PASSWORD
    (the link that chooses a new password); the last two have no sender."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """Where the email of a secret's link stands: queued (tries so far), sent, or failed."""

    state: str
    attempts: int
