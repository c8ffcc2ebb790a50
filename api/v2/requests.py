"""Request bodies of the v2 API, as upstream reads them: creations nested under `secret`, the rest flat.

Numbers may arrive as text and are read leniently by the domain (a TTL is clamped, never refused);
fields upstream ignores (`kind`) or that a deployment has no use for are ignored here too.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from api.v2.errors import FieldError
from onetime.new_secret import NewSecret
from onetime.passwords import DEFAULT_LENGTH, MAX_LENGTH
from onetime.plans import MIN_TTL

MAX_STATUS_IDENTIFIERS = 100
"""Secrets one status request may ask about."""


class CreateFields(msgspec.Struct, kw_only=True):
    """What every creation takes, under `secret`."""

    ttl: Annotated[
        int | float | str | None, Meta(description=f"seconds; clamped into [{MIN_TTL}, the plan's maximum]")
    ] = None
    passphrase: Annotated[str | None, Meta(description="protects the secret; empty means none")] = None
    recipient: Annotated[str | list[str] | None, Meta(description="email the link to the first address")] = None
    share_domain: Annotated[str | None, Meta(description="one of the caller's verified custom domains")] = None
    notify: Annotated[
        str | list[str] | None,
        Meta(description="additive: email, webhook or both (email,webhook): be told when revealed, burned or expired"),
    ] = None

    def new_secret(self, value: str | None = None) -> NewSecret:
        """Return the creation request these fields describe."""
        recipients = [self.recipient] if isinstance(self.recipient, str) else self.recipient or []
        return NewSecret(
            value=value,
            ttl=self.ttl,
            passphrase=self.passphrase,
            recipients=[address for address in recipients if address.strip()],
            share_domain=(self.share_domain or "").strip() or None,
            notify=[self.notify] if isinstance(self.notify, str) else self.notify or [],
        )


class ConcealFields(CreateFields, kw_only=True):
    """The secret to store, under `secret`."""

    secret: Annotated[str | None, Meta(description="the value to share")] = None


class GenerateFields(CreateFields, kw_only=True):
    """The password to generate, under `secret`."""

    length: Annotated[int | str | None, Meta(description=f"default {DEFAULT_LENGTH}, at most {MAX_LENGTH}")] = None
    character_sets: Annotated[
        dict[str, bool | str] | None,
        Meta(description="accepted and ignored: passwords always mix upper, lower, digits and symbols"),
    ] = None


class ConcealRequest(msgspec.Struct, kw_only=True):
    """The body of POST /secret/conceal."""

    secret: ConcealFields = msgspec.field(default_factory=ConcealFields)


class GenerateRequest(msgspec.Struct, kw_only=True):
    """The body of POST /secret/generate (it may be empty)."""

    secret: GenerateFields = msgspec.field(default_factory=GenerateFields)


class ConfirmRequest(msgspec.Struct, kw_only=True):
    """The body of a reveal or a burn: nothing is consumed unless `continue` is true."""

    passphrase: Annotated[str | None, Meta(description="the secret's passphrase, if it has one")] = None
    continue_: Annotated[bool | str | None, Meta(description="true to go ahead")] = msgspec.field(
        default=None, name="continue"
    )

    @property
    def confirmed(self) -> bool:
        """Tell whether the caller said to go ahead (`true` or `"true"`, as upstream reads it)."""
        return self.continue_ is True or self.continue_ == "true"


class StatusListRequest(msgspec.Struct, kw_only=True):
    """The body of POST /secret/status."""

    identifiers: Annotated[
        str | list[str] | None,
        Meta(description=f"secret identifiers, comma-separated or a list; at most {MAX_STATUS_IDENTIFIERS}"),
    ] = None

    def secret_keys(self) -> list[str]:
        """Return the identifiers asked about, each once, in the order given."""
        given = self.identifiers.split(",") if isinstance(self.identifiers, str) else self.identifiers or []
        keys = list(dict.fromkeys(key.strip() for key in given if key.strip()))
        if len(keys) > MAX_STATUS_IDENTIFIERS:
            raise FieldError(f"At most {MAX_STATUS_IDENTIFIERS} identifiers at once", field="identifiers")
        return keys


class MemoRequest(msgspec.Struct, kw_only=True):
    """The body of PATCH /receipt/:identifier."""

    memo: Annotated[str | None, Meta(description="a note for the creator (not stored by this server)")] = None


class RecentQuery(msgspec.Struct, kw_only=True):
    """The query of GET /receipt/recent."""

    scope: str | None = None
    domain_extid: str | None = None
