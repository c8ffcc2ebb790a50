"""The pages' side of `onetime.policy`: who may create here, and the page that says how to get access.

The rule itself lives in `onetime.policy.AccessPolicy`; this module only finds the client's own
address (behind the trusted proxies, like every other part of the app) and draws the refusals.
"""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request, Response
from litestar.response import Template

from api.deps import services_of
from onetime.accounts.caller import Caller
from onetime.clients import client_ip
from onetime.errors import OnetimeError
from onetime.policy import CreationRestricted, ReadOnlyDeployment, SignUpClosed, UnknownInvitation
from web.rendering import PAGE_HEADERS, is_htmx

REFUSED_PAGE = "errors/refused.html"
_HEADINGS: dict[type[OnetimeError], str] = {
    CreationRestricted: "Sign in to share a secret",
    ReadOnlyDeployment: "This server only opens secret links",
    SignUpClosed: "New accounts are not open here",
    UnknownInvitation: "This invitation link does not work",
}


def page_client_ip(request: Request[Any, Any, Any]) -> str:
    """Return the client's own address, believing X-Forwarded-For only from trusted proxies."""
    peer = request.client.host if request.client else None
    settings = services_of(request.app.state).settings
    return client_ip(peer, request.headers.get("x-forwarded-for"), settings.trusted_proxies)


def may_create(request: Request[Any, Any, Any], caller: Caller) -> bool:
    """Tell whether this caller may create secrets from where it calls (OTS_CREATE, OTS_MODE)."""
    access = services_of(request.app.state).settings.access
    return access.may_create(anonymous=caller.is_anonymous, client_ip=page_client_ip(request))


def check_create(request: Request[Any, Any, Any], caller: Caller) -> None:
    """Refuse a creation this deployment does not allow this caller (a 403 page that says why)."""
    access = services_of(request.app.state).settings.access
    access.check_create(anonymous=caller.is_anonymous, client_ip=page_client_ip(request))


def refused_page(request: Request[Any, Any, Any], error: OnetimeError, status_code: int = 403) -> Template:
    """Draw the page that says what is not allowed here and how to get access; htmx swaps the whole body."""
    headers = dict(PAGE_HEADERS)
    if is_htmx(request):
        headers.update({"HX-Retarget": "body", "HX-Reswap": "innerHTML"})
    settings = services_of(request.app.state).settings
    context = {
        "status": status_code,
        "heading": next((text for kind, text in _HEADINGS.items() if isinstance(error, kind)), "Not allowed here"),
        "message": error.message,
        "offer_sign_in": isinstance(error, CreationRestricted),
        "offer_sign_up": isinstance(error, CreationRestricted) and settings.access.signup_open,
    }
    return Template(REFUSED_PAGE, context=context, status_code=status_code, headers=headers, media_type=MediaType.HTML)


def policy_refusal(request: Request[Any, Any, Any], error: OnetimeError) -> Response[Any]:
    """Answer a refusal of the access policy (an entry of the pages' error table)."""
    return refused_page(request, error, 404 if isinstance(error, UnknownInvitation) else 403)
