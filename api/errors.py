"""The JSON face's error table: every v1 error is HTTP 404 with the real class in a header."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException

from api.schemas import UNSET, Error
from api.v2.errors import http_error_to_v2_response, is_v2_path, unexpected_error_to_v2_response
from onetime.errors import (
    InvalidRequest,
    NotAuthorized,
    OnetimeError,
    OutcomeUnknown,
    RateLimited,
    StorageUnavailable,
    UnknownSecret,
    WrongPassphrase,
    entry_for,
)
from onetime.policy import CreationRestricted, ReadOnlyDeployment

INTENDED_STATUS_HEADER = "X-OTS-Intended-Status"
NO_STORE = {"Cache-Control": "no-store"}
NOT_FOUND = {"error": "Not Found"}

_INTENDED_STATUS: dict[type[OnetimeError], int] = {
    UnknownSecret: 404,
    WrongPassphrase: 400,
    NotAuthorized: 401,
    RateLimited: 429,
    InvalidRequest: 400,
    StorageUnavailable: 503,
    # Redis took the reveal or burn and never answered: like a gateway whose upstream timed out.
    OutcomeUnknown: 504,
    # OTS_CREATE and OTS_MODE=read: the caller may not do this here (docs/architecture.md, issue 17).
    CreationRestricted: 403,
    ReadOnlyDeployment: 403,
}


def intended_status(error: OnetimeError) -> int:
    """Return the HTTP status this error would have in a less odd API."""
    status = entry_for(_INTENDED_STATUS, error)
    return 400 if status is None else status


def error_response(message: str, status: int, secret_key: str | None = None) -> Response[Error]:
    """Return a v1 error: always 404, always JSON, never cached."""
    body = Error(message=message, secret_key=UNSET if secret_key is None else secret_key)
    headers = {INTENDED_STATUS_HEADER: str(status), **NO_STORE}
    return Response(body, status_code=404, headers=headers, media_type="application/json")


def onetime_error_to_response(_: Request[Any, Any, Any], error: OnetimeError) -> Response[Error]:
    """Map a domain error to its v1 answer."""
    key = error.key if isinstance(error, UnknownSecret) else None
    return error_response(error.message, intended_status(error), key)


def unexpected_error_to_response(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    """Answer a bug with a JSON error (the access log module logs it without request data)."""
    if is_v2_path(request.url.path):  # a bug outside the v2 router's own table
        return unexpected_error_to_v2_response(request, error)
    return error_response("Something went wrong on our side", 500)


def http_error_to_response(request: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    """Map framework errors under /api/v1 (routing, body size, parsing) to v1 answers."""
    if is_v2_path(request.url.path):  # an unknown path or method under /api/v2 answers in v2's shape
        return http_error_to_v2_response(request, error)
    if error.status_code in {404, 405}:
        # The contract's body for an unknown route or method; a wrong method also says so in the
        # v1 error shape, and both carry the real class like every other v1 error.
        body = NOT_FOUND if error.status_code == 404 else {"message": "Method not allowed", **NOT_FOUND}  # noqa: PLR2004
        headers = {INTENDED_STATUS_HEADER: str(error.status_code), **NO_STORE}
        return Response(body, status_code=404, headers=headers, media_type="application/json")
    if error.status_code == 413:  # noqa: PLR2004
        return error_response("The request body is too large", 413)
    if error.status_code >= 500:  # noqa: PLR2004
        return unexpected_error_to_response(request, error)
    return error_response("The request could not be read", 400)


EXCEPTION_HANDLERS = {
    OnetimeError: onetime_error_to_response,
    HTTPException: http_error_to_response,
    Exception: unexpected_error_to_response,
}
