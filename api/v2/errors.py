"""The v2 error table: real HTTP statuses and the body `{error, error_type, message, ..., request_id}`.

Upstream v2 sends `error` and `error_type`; `message` repeats `error` because older clients (and
Raycast, first) read `message`. Each domain error maps here, once, by its class.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException

from api.deps import services_of
from api.v2.request_id import request_id_of
from onetime.domains.custom_domain import UnknownDomain
from onetime.errors import (
    EmailNotVerified,
    InvalidRequest,
    MailLimited,
    MailUnavailable,
    NotAuthorized,
    NothingToShare,
    OnetimeError,
    OutcomeUnknown,
    PassphraseRejected,
    RateLimited,
    StorageUnavailable,
    TooLarge,
    UnknownSecret,
    WrongPassphrase,
    WrongSecretPassphrase,
    entry_for,
)
from onetime.policy import CreationRestricted, ReadOnlyDeployment
from onetime.secret_service import LOCKOUT, MAIL_LIMIT

V2_PREFIX = "/api/v2"
NO_STORE = {"Cache-Control": "no-store"}
AUTHENTICATION_REQUIRED = "Authentication Required"
INCORRECT_PASSPHRASE = "Incorrect passphrase"  # noqa: S105 - a message, not a password
NOT_FOUND = "Not Found"
SERVER_ERROR_MESSAGE = "An error occurred. Please try again later."


def is_v2_path(path: str) -> bool:
    """Tell whether a request path belongs to the v2 API."""
    return path == V2_PREFIX or path.startswith(V2_PREFIX + "/")


class CredentialsMissing(NotAuthorized):
    """The route needs HTTP Basic credentials and none were given."""

    message = "[AUTH_HEADER_MISSING] Authentication required"


class NotReceiptOwner(NotAuthorized):
    """Only the account that created a secret may change its receipt."""

    message = "Not authorized to update this receipt"


class GuestCreationDisabled(CreationRestricted):
    """An anonymous caller may not create secrets here (OTS_CREATE): upstream's guest gating answer."""

    def __init__(self, operation: str) -> None:
        super().__init__()
        self.code = f"GUEST_{operation.upper()}_DISABLED"


class UnreadableBody(InvalidRequest):
    """The request body cannot be read at all (not JSON, not a form, not UTF-8)."""


class FieldError(InvalidRequest):
    """A parameter of a v2 request is refused; the answer names it."""

    def __init__(self, message: str, field: str | None, error_type: str = "FormError") -> None:
        super().__init__(message)
        self.field = field
        self.error_type = error_type


class ErrorBody(msgspec.Struct, kw_only=True):
    """Every v2 error body; members that do not apply are left out."""

    error: str
    error_type: str
    message: str
    field: str | msgspec.UnsetType = msgspec.UNSET
    code: str | msgspec.UnsetType = msgspec.UNSET
    retry_after: int | msgspec.UnsetType = msgspec.UNSET
    timestamp: int | msgspec.UnsetType = msgspec.UNSET
    request_id: str | msgspec.UnsetType = msgspec.UNSET


@dataclass(frozen=True, slots=True)
class Problem:
    """How one class of domain error answers in v2."""

    status: int
    error_type: str
    field: str | None = None
    message: str | None = None
    """Replaces the domain's message; None keeps it."""


_PROBLEMS: dict[type[OnetimeError], Problem] = {
    CredentialsMissing: Problem(401, "AuthenticationRequired"),
    NotReceiptOwner: Problem(401, "Unauthorized"),
    NotAuthorized: Problem(401, "AuthenticationRequired", message="[CREDENTIALS_INVALID] Invalid credentials"),
    WrongSecretPassphrase: Problem(422, "FormError", "passphrase", INCORRECT_PASSPHRASE),
    WrongPassphrase: Problem(422, "FormError", "passphrase", INCORRECT_PASSPHRASE),
    UnknownSecret: Problem(404, "RecordNotFound"),
    NothingToShare: Problem(422, "missing", "secret"),
    TooLarge: Problem(422, "FormError", "secret"),
    PassphraseRejected: Problem(422, "FormError", "passphrase"),
    MailUnavailable: Problem(422, "FormError", "recipient"),
    EmailNotVerified: Problem(422, "FormError", "recipient"),
    UnknownDomain: Problem(422, "FormError", "share_domain"),
    GuestCreationDisabled: Problem(403, "GuestRoutesDisabled"),
    CreationRestricted: Problem(403, "GuestRoutesDisabled"),
    ReadOnlyDeployment: Problem(403, "Forbidden"),
    UnreadableBody: Problem(400, "BadRequest"),
    InvalidRequest: Problem(422, "FormError"),
    RateLimited: Problem(429, "LimitExceeded"),
    OutcomeUnknown: Problem(504, "OutcomeUnknown"),
    StorageUnavailable: Problem(503, "ServiceUnavailable"),
    OnetimeError: Problem(400, "BadRequest"),
}


def error_response(
    request: Request[Any, Any, Any], status: int, body: ErrorBody, headers: dict[str, str] | None = None
) -> Response[ErrorBody]:
    """Return a v2 error: JSON, never cached, with the request's id when it has one."""
    request_id = request_id_of(request)
    if request_id is not None:
        body.request_id = request_id
    return Response(body, status_code=status, headers={**NO_STORE, **(headers or {})}, media_type="application/json")


def retry_after(request: Request[Any, Any, Any], error: RateLimited) -> int:
    """Return seconds after which trying again makes sense: the longest wait the refusing limit can impose."""
    if isinstance(error, MailLimited):
        return MAIL_LIMIT.seconds
    settings = services_of(request.app.state).secret_service.settings
    return max(LOCKOUT.lock, settings.limit_create.seconds, settings.limit_reveal.seconds)


def onetime_error_to_v2_response(request: Request[Any, Any, Any], error: OnetimeError) -> Response[ErrorBody]:
    """Map a domain error to its v2 answer."""
    problem = entry_for(_PROBLEMS, error) or _PROBLEMS[OnetimeError]
    message = problem.message or error.message
    body = ErrorBody(error=message, error_type=problem.error_type, message=message)
    headers: dict[str, str] = {}
    field = error.field if isinstance(error, FieldError) else problem.field
    if field is not None:
        body.field = field
    if isinstance(error, FieldError):
        body.error_type = error.error_type
    if problem.status == 401 and problem.error_type == "AuthenticationRequired":  # noqa: PLR2004
        # The shape of upstream's authentication wrapper: a fixed `error`, the tagged reason in `message`.
        body.error, body.timestamp = AUTHENTICATION_REQUIRED, int(time.time())
    if isinstance(error, GuestCreationDisabled):
        body.code = error.code
    if isinstance(error, RateLimited):
        body.retry_after = retry_after(request, error)
        headers["Retry-After"] = str(body.retry_after)
    return error_response(request, problem.status, body, headers)


def unexpected_error_to_v2_response(request: Request[Any, Any, Any], _: Exception) -> Response[ErrorBody]:
    """Answer a bug with a JSON error (the access log module logs it without request data)."""
    body = ErrorBody(error="Internal Server Error", error_type="ServerError", message=SERVER_ERROR_MESSAGE)
    return error_response(request, 500, body)


def http_error_to_v2_response(request: Request[Any, Any, Any], error: HTTPException) -> Response[ErrorBody]:
    """Map framework errors under /api/v2 (routing, body size, unreadable forms) to v2 answers."""
    if error.status_code in {404, 405}:
        # Upstream answers an unknown path and an unknown method alike.
        return error_response(request, 404, ErrorBody(error=NOT_FOUND, error_type="NotFound", message=NOT_FOUND))
    if error.status_code == 413:  # noqa: PLR2004
        message = "The request body is too large"
        return error_response(request, 413, ErrorBody(error=message, error_type="PayloadTooLarge", message=message))
    if error.status_code >= 500:  # noqa: PLR2004
        return unexpected_error_to_v2_response(request, error)
    message = "The request could not be read"
    return error_response(request, 400, ErrorBody(error=message, error_type="BadRequest", message=message))


EXCEPTION_HANDLERS = {
    OnetimeError: onetime_error_to_v2_response,
    HTTPException: http_error_to_v2_response,
    Exception: unexpected_error_to_v2_response,
}
