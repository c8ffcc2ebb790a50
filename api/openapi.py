"""Request bodies for the OpenAPI schema.

The v1 handlers read their parameters themselves (query string merged with a form, multipart or
JSON body, as the contract requires), so Litestar cannot infer the bodies; these operations
describe them.
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar.enums import MediaType
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema

FORM = "application/x-www-form-urlencoded"

_TEXT = Schema(type=OpenAPIType.STRING)
_SECONDS = Schema(type=OpenAPIType.INTEGER, description="seconds; clamped into [60, the plan's maximum]")
_PASSPHRASE = Schema(type=OpenAPIType.STRING, description="the passphrase, when the secret has one")
_CREATE_FIELDS = {
    "ttl": _SECONDS,
    "passphrase": Schema(type=OpenAPIType.STRING, description="protects the secret; asked for on reveal"),
    "recipient": Schema(type=OpenAPIType.ARRAY, items=_TEXT, description="email the link to the first address"),
    "share_domain": Schema(type=OpenAPIType.STRING, description="one of the caller's verified custom domains"),
}


def _body(fields: dict[str, Schema], required: list[str] | None = None) -> RequestBody:
    schema = Schema(type=OpenAPIType.OBJECT, properties=dict(fields), required=required)
    media = OpenAPIMediaType(schema=schema)
    return RequestBody(content={FORM: media, MediaType.JSON.value: media}, required=bool(required))


SHARE_BODY = _body(
    {"secret": Schema(type=OpenAPIType.STRING, description="the value to share"), **_CREATE_FIELDS}, ["secret"]
)
GENERATE_BODY = _body(
    {"length": Schema(type=OpenAPIType.INTEGER, maximum=128, description="default 12"), **_CREATE_FIELDS}
)
PASSPHRASE_BODY = _body({"passphrase": _PASSPHRASE})


@dataclass
class ShareOperation(Operation):
    """POST /share and /create."""

    def __post_init__(self) -> None:
        self.request_body = SHARE_BODY


@dataclass
class GenerateOperation(Operation):
    """POST /generate."""

    def __post_init__(self) -> None:
        self.request_body = GENERATE_BODY


@dataclass
class PassphraseOperation(Operation):
    """Reveal and burn: the passphrase, when the secret has one."""

    def __post_init__(self) -> None:
        self.request_body = PASSPHRASE_BODY
