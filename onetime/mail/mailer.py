"""The mailer: emails composed from templates/mail/, sent over SMTP with aiosmtplib.

An email carries the link to a secret (or to an account's confirmation) and never the secret itself.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from pathlib import Path

import aiosmtplib
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from onetime.mail.config import SmtpServer
from onetime.mail.outgoing import CONFIRM_EMAIL, INVITATION, RESET_PASSWORD, SECRET_LINK, OutgoingMail

PERMANENT_FAILURE = 500
"""SMTP reply codes from here on mean that trying again will not help."""
_UNITS = (("day", 86400), ("hour", 3600), ("minute", 60))
CONFIRM_EMAIL_SUBJECT = "Confirm your email address"
INVITATION_SUBJECT = "You are invited to create an account"
RESET_PASSWORD_SUBJECT = "Choose a new password"  # noqa: S105 - a subject line


class DeliveryFailed(Exception):
    """The SMTP server did not take a message. `reason` names the error class, never an address."""

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


def expires_in(seconds: int) -> str:
    """Say how long a link still works, in its largest whole unit ("3 days", "1 hour")."""
    for unit, size in _UNITS:
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return "less than a minute"


class Mailer:
    """Compose emails and hand them to the configured SMTP server."""

    def __init__(self, server: SmtpServer, mail_from: str, template_dir: Path, *, timeout: float = 30.0) -> None:
        self.server = server
        self.mail_from = mail_from
        self.timeout = timeout
        self._templates = Environment(
            loader=FileSystemLoader(template_dir),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        )

    def compose(self, mail: OutgoingMail, now: int) -> EmailMessage:
        """Return the message for `mail`: a plain-text part and an HTML alternative."""
        context = {
            "sender": mail.sender,
            "secret_url": mail.secret_url,
            "expires_in": expires_in(max(mail.expires - now, 0)),
        }
        message = EmailMessage()
        account_mail = {
            CONFIRM_EMAIL: CONFIRM_EMAIL_SUBJECT,
            INVITATION: INVITATION_SUBJECT,
            RESET_PASSWORD: RESET_PASSWORD_SUBJECT,
        }
        confirming = mail.kind in account_mail  # about an account: no sender, no Reply-To
        message["Subject"] = account_mail.get(mail.kind, f"{mail.sender} sent you a secret")
        message["From"] = self.mail_from
        message["To"] = mail.recipient
        if not confirming:
            message["Reply-To"] = mail.sender
        message["Date"] = formatdate(now, usegmt=True)
        message["Message-ID"] = f"<{mail.message_id}@{_domain(self.mail_from)}>"
        kind = mail.kind if confirming else SECRET_LINK
        message.set_content(self._templates.get_template(f"{kind}.txt").render(context))
        message.add_alternative(self._templates.get_template(f"{kind}.html").render(context), subtype="html")
        return message

    async def send(self, mail: OutgoingMail, now: int) -> None:
        """Deliver one email; raise DeliveryFailed, saying whether a later try could succeed."""
        message = self.compose(mail, now)
        try:
            await aiosmtplib.send(
                message,
                sender=parseaddr(self.mail_from)[1],
                recipients=[mail.recipient],
                hostname=self.server.host,
                port=self.server.port,
                username=self.server.username,
                password=self.server.password,
                use_tls=self.server.security == "tls",
                start_tls=self.server.security == "starttls",
                timeout=self.timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as error:
            permanent = all(refused.code >= PERMANENT_FAILURE for refused in error.recipients)
            raise DeliveryFailed("recipient refused", permanent=permanent) from None
        except aiosmtplib.SMTPResponseException as error:
            # Only the class and code: the server's text may quote the recipient's address.
            raise DeliveryFailed(f"{type(error).__name__} {error.code}", permanent=False) from None
        except (aiosmtplib.SMTPException, OSError) as error:
            raise DeliveryFailed(type(error).__name__, permanent=False) from None


def _domain(address: str) -> str:
    return parseaddr(address)[1].rpartition("@")[2]
