"""The HTML forms, read from what the browser posted."""

from __future__ import annotations

from dataclasses import dataclass

from litestar.datastructures import FormMultiDict

from onetime.secret_service import NewSecret


@dataclass(frozen=True, slots=True)
class SecretForm:
    """The home page's form: a secret (or none, to generate one), a passphrase and an expiry."""

    secret: str = ""
    passphrase: str = ""
    ttl: str = ""
    recipient: str = ""
    """Where to email the link (signed-in accounts only); "" for nobody."""
    site_domain: str = ""
    """The custom domain whose public page was posted ("" on the canonical site)."""
    share_domain: str = ""
    """The account's verified domain chosen for the links ("" for this site's own host)."""

    def new_secret(self) -> NewSecret:
        """Return the creation request this form describes."""
        return NewSecret(
            value=self.secret,
            ttl=self.ttl or None,
            passphrase=self.passphrase or None,
            recipients=(self.recipient,) if self.recipient else (),
            share_domain=self.share_domain or None,
            site_domain=self.site_domain or None,
        )


@dataclass(frozen=True, slots=True)
class PassphraseForm:
    """A form whose one field is a passphrase (reveal, burn); None when the form had no such field."""

    passphrase: str | None = None


def _text(form: FormMultiDict, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) else None


def read_secret_form(form: FormMultiDict, site_domain: str = "") -> SecretForm:
    """Read the home form.

    Browsers send a textarea's line breaks as CRLF; they become LF, which is what the recipient's
    textarea shows, what the byte counter counted, and what the creator pasted.
    """
    return SecretForm(
        secret=(_text(form, "secret") or "").replace("\r\n", "\n"),
        passphrase=_text(form, "passphrase") or "",
        ttl=_text(form, "ttl") or "",
        recipient=(_text(form, "recipient") or "").strip(),
        site_domain=site_domain,
        share_domain=(_text(form, "share_domain") or "").strip(),
    )


def read_passphrase_form(form: FormMultiDict) -> PassphraseForm:
    """Read a reveal or burn form."""
    return PassphraseForm(passphrase=_text(form, "passphrase"))
