"""Mail configuration: the SMTP server (OTS_SMTP_URL), the sender (OTS_MAIL_FROM), the retry policy."""

from __future__ import annotations

from dataclasses import dataclass, field
from email.utils import formataddr, getaddresses
from typing import Literal
from urllib.parse import unquote, urlsplit

from onetime.errors import InvalidRequest, SettingsError
from onetime.recipients import validate_address

SmtpSecurity = Literal["none", "tls", "starttls"]
# Scheme of OTS_SMTP_URL -> how the connection is secured, and the port it defaults to.
SMTP_SCHEMES: dict[str, tuple[SmtpSecurity, int]] = {
    "smtp": ("none", 25),
    "smtps": ("tls", 465),
    "smtp+starttls": ("starttls", 587),
}


@dataclass(frozen=True, slots=True)
class SmtpServer:
    """The outgoing mail server named by OTS_SMTP_URL. The password never shows in repr()."""

    host: str
    port: int
    security: SmtpSecurity
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @classmethod
    def parse(cls, name: str, raw: str) -> SmtpServer:
        """Parse `smtp[s|+starttls]://[user:password@]host[:port]`, naming the variable when it is bad.

        The message never quotes the value: it may hold the password.
        """
        try:
            parts = urlsplit(raw)
            port = parts.port
        except ValueError:
            raise SettingsError(f"{name} is not a valid URL (is the port a number up to 65535?)") from None
        if parts.scheme not in SMTP_SCHEMES:
            allowed = ", ".join(f"{scheme}://" for scheme in SMTP_SCHEMES)
            raise SettingsError(f"{name} must start with one of {allowed}")
        if not parts.hostname:
            raise SettingsError(f"{name} needs a host, e.g. smtp+starttls://user:password@mail.example.com:587")
        if parts.path not in {"", "/"} or parts.query or parts.fragment:
            raise SettingsError(f"{name} must be scheme://[user:password@]host[:port], without a path or query")
        if (parts.username is None) != (parts.password is None) or parts.username == "":
            raise SettingsError(f"{name} needs both a user and a password, or neither")
        security, default_port = SMTP_SCHEMES[parts.scheme]
        return cls(
            host=parts.hostname,
            port=port or default_port,
            security=security,
            username=None if parts.username is None else unquote(parts.username),
            password=None if parts.password is None else unquote(parts.password),
        )


def parse_mail_from(name: str, raw: str) -> str:
    """Return the sender of outgoing mail as `Name <address>` or `address`, naming the variable when it is bad."""
    found = getaddresses([raw])
    address = found[0][1] if len(found) == 1 and "\r" not in raw and "\n" not in raw else ""
    try:
        return formataddr((found[0][0], validate_address(address)))
    except InvalidRequest:
        raise SettingsError(f"{name} must be one email address, or Name <address>, got {raw[:254]!r}") from None


@dataclass(frozen=True, slots=True)
class MailDelivery:
    """How the outbox worker retries: not read from the environment (tests make it fast)."""

    attempts: int = 5
    """Tries before a message is given up as failed."""
    first_delay: float = 60.0
    """Seconds before the second try; each later wait doubles (60 s, 2, 4, 8 min)."""
    max_delay: float = 3600.0
    """Longest wait between two tries."""
    poll: float = 1.0
    """Seconds an idle worker waits before it looks for due messages queued by other processes."""
    send_timeout: float = 30.0
    """Longest time one delivery to the SMTP server may take."""
    lease: float = 120.0
    """Seconds a claimed message stays invisible to other workers; must exceed `send_timeout`."""

    def delay(self, attempt: int) -> float:
        """Return how long to wait after failed try number `attempt` (counted from 1)."""
        return float(min(self.first_delay * 2 ** (attempt - 1), self.max_delay))
