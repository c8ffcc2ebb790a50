"""The mailer: emails composed from templates/mail/, sent over SMTP with aiosmtplib.

An email carries the link to a secret (or to an account's confirmation) and never the secret itself.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from pathlib import Path

import aiosmtplib
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context

from onetime.mail.config import SmtpServer
from onetime.mail.outgoing import CONFIRM_EMAIL, INVITATION, READ_NOTICE, RESET_PASSWORD, SECRET_LINK, OutgoingMail
from onetime.translations import DEFAULT_LOCALE, N_, html_lang, translate, translate_plural, translations

PERMANENT_FAILURE = 500
"""SMTP reply codes from here on mean that trying again will not help."""
CONFIRM_EMAIL_SUBJECT = N_("Confirm your email address")
INVITATION_SUBJECT = N_("You are invited to create an account")
RESET_PASSWORD_SUBJECT = N_("Choose a new password")
SECRET_LINK_SUBJECT = N_("%(sender)s sent you a secret")


class DeliveryFailed(Exception):
    """The SMTP server did not take a message. `reason` names the error class, never an address."""

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


def expires_in(seconds: int, locale: str = DEFAULT_LOCALE) -> str:
    """Say how long a link still works, in its largest whole unit ("3 days", "1 hour"), in a language."""
    if seconds >= 86400:  # noqa: PLR2004
        return translate_plural(locale, "%(num)s day", "%(num)s days", seconds // 86400)
    if seconds >= 3600:  # noqa: PLR2004
        return translate_plural(locale, "%(num)s hour", "%(num)s hours", seconds // 3600)
    if seconds >= 60:  # noqa: PLR2004
        return translate_plural(locale, "%(num)s minute", "%(num)s minutes", seconds // 60)
    return translate(locale, N_("less than a minute"))


def _locale(context: Context) -> str:
    locale = context.get("locale")
    return locale if isinstance(locale, str) else DEFAULT_LOCALE


@pass_context
def _gettext(context: Context, message: str) -> str:
    return translations(_locale(context)).gettext(message)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, count: int) -> str:
    return translations(_locale(context)).ngettext(singular, plural, count)


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
            extensions=["jinja2.ext.i18n"],
        )
        # The same i18n set-up as the pages: each email in the language of its `locale`.
        self._templates.policies["ext.i18n.trimmed"] = True
        self._templates.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]

    def compose(self, mail: OutgoingMail, now: int) -> EmailMessage:
        """Return the message for `mail`: a plain-text part and an HTML alternative."""
        locale = mail.locale
        context = {
            "sender": mail.sender,
            "secret_url": mail.secret_url,
            "expires_in": expires_in(max(mail.expires - now, 0), locale),
            "locale": locale,
            "lang": html_lang(locale),
            "note": mail.note,
        }
        message = EmailMessage()
        account_mail = {
            CONFIRM_EMAIL: CONFIRM_EMAIL_SUBJECT,
            INVITATION: INVITATION_SUBJECT,
            RESET_PASSWORD: RESET_PASSWORD_SUBJECT,
            READ_NOTICE: mail.note,
        }
        confirming = mail.kind in account_mail  # about an account: no sender, no Reply-To
        if mail.kind == READ_NOTICE:
            message["Subject"] = mail.note  # composed when the event happened, in English (onetime.notifications)
        else:
            subject = account_mail.get(mail.kind, SECRET_LINK_SUBJECT)
            message["Subject"] = translate(locale, subject, {"sender": mail.sender})
        message["From"] = self.mail_from
        message["To"] = mail.recipient
        if not confirming:
            message["Reply-To"] = mail.sender
        message["Date"] = formatdate(now, usegmt=True)
        message["Message-ID"] = f"<{mail.message_id}@{_domain(self.mail_from)}>"
        kind = mail.kind if confirming else SECRET_LINK
        message.set_content(self._templates.get_template(f"{kind}.txt").render(context))
        message.add_alternative(self._templates.get_template(f"{kind}.html").render(context), subtype="html")
        message["Content-Language"] = html_lang(locale)  # after the body: setting content clears Content-* headers
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
