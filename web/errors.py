"""The HTML face's error table: each error becomes a page, or a message next to a form's field.

Pages never show a stack trace or say why a secret is gone; a form posted with a mistake comes
back with what was typed (never the passphrase) and the message next to the field it concerns.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException
from litestar.plugins.htmx import ClientRedirect
from litestar.response import Redirect, Template

from api.errors import http_error_to_response as api_http_error
from api.errors import unexpected_error_to_response as api_unexpected_error
from onetime.errors import (
    ConfirmationLimited,
    EmailNotVerified,
    InvalidEmail,
    InvalidRequest,
    MailUnavailable,
    NothingToShare,
    OnetimeError,
    OnlyWhitespace,
    OutcomeUnknown,
    PassphraseLocked,
    PassphraseRejected,
    PasswordRejected,
    RateLimited,
    SecretWouldBeReplaced,
    SignInRequired,
    StorageUnavailable,
    TooLarge,
    UnknownSecret,
    WrongPassphrase,
    WrongPassword,
    WrongSecretPassphrase,
    entry_for,
)
from onetime.policy import CreationRestricted, ReadOnlyDeployment, SignUpClosed, UnknownInvitation
from onetime.secret_service import LOCKOUT
from web.access import policy_refusal
from web.after_sign_in import DEFAULT_AFTER_SIGN_IN, is_after_sign_in
from web.rendering import PAGE_HEADERS, is_htmx, redraw_of, render
from web.sites import serves_unrouted

API_PREFIX = "/api/"
SIGN_IN_PATH = "/signin"
ERROR_PAGES = frozenset({403, 404, 413, 429, 500, 503})
"""Statuses with a page of their own in templates/errors/; others use errors/error.html."""
GONE_PAGE = "errors/secret_gone.html"
"""The 404 of a secret or receipt link, distinct from the 404 of an address no page answers."""
OUTCOME_UNKNOWN_PAGE = "errors/outcome_unknown.html"
"""The 504 of a reveal or burn that Redis took and never answered: the secret may be gone."""

_FIELD: dict[type[OnetimeError], str] = {
    NothingToShare: "secret",
    SecretWouldBeReplaced: "secret",
    TooLarge: "secret",
    PassphraseRejected: "passphrase",
    WrongPassphrase: "passphrase",
    WrongSecretPassphrase: "passphrase",
    InvalidEmail: "email",
    PasswordRejected: "password",
    WrongPassword: "password",
    MailUnavailable: "recipient",
    EmailNotVerified: "recipient",
    ConfirmationLimited: "confirm",
}
_MESSAGE: dict[type[OnetimeError], str] = {
    WrongSecretPassphrase: "That passphrase is not right.",
    WrongPassphrase: "That passphrase is not right.",
    RateLimited: "Too many attempts. Please wait a few minutes, then try again.",
    OnlyWhitespace: "The secret is only spaces and line breaks. Type what you want to share, or empty the box to"
    " generate a password.",
}


def _minutes(seconds: int) -> str:
    minutes = max(-(-seconds // 60), 1)
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def _too_large(error: TooLarge) -> str:
    if error.account_limit is None:
        return f"This secret is {error.size:,} bytes, over the {error.limit:,} bytes allowed. Shorten it and try again."
    return (
        f"This secret is {error.size:,} bytes, over the {error.limit:,} bytes allowed without an account."
        f" Shorten it, or sign up: an account allows {error.account_limit:,} bytes."
    )


def page_message(error: OnetimeError) -> str:
    """Return the words a page shows for an error: the real wait, and the tries left, where known."""
    if isinstance(error, TooLarge):
        return _too_large(error)
    if isinstance(error, PassphraseLocked):
        return f"Too many wrong passphrases. Try again in {_minutes(error.seconds)}."
    # The exact class only: a subclass (a sign-in lockout, the mail limit) has words of its own.
    message = _MESSAGE.get(type(error)) or error.message
    if isinstance(error, WrongPassphrase | WrongSecretPassphrase):
        tries_left = error.tries_left
        if tries_left is None:
            return f"{message} Check it and try again."
        if tries_left == 0:
            return f"{message} No tries are left: try again in {_minutes(LOCKOUT.lock)}."
        return f"{message} Check it and try again: {tries_left} {'try' if tries_left == 1 else 'tries'} left."
    return message


def error_page(request: Request[Any, Any, Any], status: int, page: str | None = None) -> Template:
    """Answer with the status's error page, or the given one; htmx swaps it in place of the whole body."""
    headers = dict(PAGE_HEADERS)
    if is_htmx(request):
        headers.update({"HX-Retarget": "body", "HX-Reswap": "innerHTML"})
    if page is None:
        page = f"errors/{status}.html" if status in ERROR_PAGES else "errors/error.html"
    return Template(
        page,
        context={"status": status},
        status_code=status,
        headers=headers,
        media_type=MediaType.HTML,
    )


def form_error(request: Request[Any, Any, Any], error: OnetimeError) -> Response[Any]:
    """Draw the posted form again with the message next to its field (429 for too many tries)."""
    status = 429 if isinstance(error, RateLimited) else 422
    redraw = redraw_of(request)
    if redraw is None:
        return error_page(request, status)
    field = entry_for(_FIELD, error) or "form"
    message = page_message(error)
    return render(request, redraw.view, redraw.with_error(field, message), status_code=status)


def secret_gone(request: Request[Any, Any, Any], _: UnknownSecret) -> Response[Any]:
    """Say that a secret is gone, never whether it was read, burned, expired or never existed."""
    return error_page(request, 404, GONE_PAGE)


def sign_in_required(request: Request[Any, Any, Any], _: SignInRequired) -> Response[Any]:
    """Send someone who is not signed in (or no longer) to the sign-in page, as a whole new page.

    A page that was asked for (a GET of an account page) is named in `next`, so signing in leads back to it.
    """
    path = request.url.path
    wanted = request.method == "GET" and is_after_sign_in(path) and path != DEFAULT_AFTER_SIGN_IN
    target = f"{SIGN_IN_PATH}?{urlencode({'next': path})}" if wanted else SIGN_IN_PATH
    if is_htmx(request):
        response: Response[Any] = ClientRedirect(redirect_to=target)
        response.headers.update(PAGE_HEADERS)
        return response
    return Redirect(target, status_code=303, headers=PAGE_HEADERS)


def storage_unavailable(request: Request[Any, Any, Any], _: StorageUnavailable) -> Response[Any]:
    """Say that the service cannot answer right now."""
    return error_page(request, 503)


def outcome_unknown(request: Request[Any, Any, Any], _: OutcomeUnknown) -> Response[Any]:
    """Say that the secret may already be gone, rather than promising that trying again will work."""
    return error_page(request, 504, OUTCOME_UNKNOWN_PAGE)


def http_error(request: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    """Answer framework errors (unknown page or method, refused CSRF token, body too large) with a page."""
    return error_page(request, 404 if error.status_code == 405 else error.status_code)  # noqa: PLR2004


def server_error(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    """Answer a bug with a page that shows no detail (the access log module logs it)."""
    return error_page(request, 500)


PAGE_EXCEPTION_HANDLERS = {
    # The access policy (onetime.policy): a page that says what is not allowed here, and how to get access.
    CreationRestricted: policy_refusal,
    ReadOnlyDeployment: policy_refusal,
    SignUpClosed: policy_refusal,
    UnknownInvitation: policy_refusal,
    WrongSecretPassphrase: form_error,
    UnknownSecret: secret_gone,
    SignInRequired: sign_in_required,
    InvalidRequest: form_error,
    WrongPassphrase: form_error,
    RateLimited: form_error,
    OutcomeUnknown: outcome_unknown,
    StorageUnavailable: storage_unavailable,
    OnetimeError: form_error,
    HTTPException: http_error,
    Exception: server_error,
}
"""The error table of the HTML pages' router (the MRO of an error picks its entry)."""


def app_http_error(request: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    """Answer errors outside any router (unknown paths): v1 JSON under /api/, a page elsewhere."""
    if request.url.path.startswith(API_PREFIX):
        return api_http_error(request, error)
    if not serves_unrouted(request):
        # Another host: no page, whose look would tell whose server this is.
        return Response("Not Found\n", status_code=404, media_type=MediaType.TEXT, headers=PAGE_HEADERS)
    return http_error(request, error)


def app_server_error(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    """Answer a bug outside any router: v1 JSON under /api/, a page elsewhere."""
    if request.url.path.startswith(API_PREFIX):
        return api_unexpected_error(request, error)
    return server_error(request, error)


APP_EXCEPTION_HANDLERS = {HTTPException: app_http_error, Exception: app_server_error}
"""The app-wide table; the API router's own table overrides both entries for its routes."""
