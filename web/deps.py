"""What the HTML face's handlers receive by name: every provider, guard and dependency alias.

`dependencies()` is what the app registers; a handler asks for a value by its key (`site`,
`signed_in`, ...) and annotates it with the alias below. Forms are read by providers that live
with their page (web/pages/), since drawing a refused form again is that page's business.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException

from api.deps import services_of
from onetime.accounts.caller import Caller
from onetime.accounts.service import AccountService
from onetime.accounts.signin import SignedIn, SignInService
from onetime.clients import client_address
from onetime.domains.service import DomainService
from onetime.domains.sites import Site
from onetime.errors import SignInRequired
from onetime.secret_service import SecretService
from web.session import SessionCookie, session_cookie_of, signed_in_of
from web.sites import current_site

AnyRequest: TypeAlias = Request[Any, Any, Any]
SecretServiceDep: TypeAlias = NamedDependency[SecretService]
AccountServiceDep: TypeAlias = NamedDependency[AccountService]
SignInServiceDep: TypeAlias = NamedDependency[SignInService]
DomainServiceDep: TypeAlias = NamedDependency[DomainService]
ClientAddressDep: TypeAlias = NamedDependency[str]
SiteDep: TypeAlias = NamedDependency[Site]
CallerDep: TypeAlias = NamedDependency[Caller]
SignedInDep: TypeAlias = NamedDependency[SignedIn]
SessionCookieDep: TypeAlias = NamedDependency[SessionCookie]


def provide_secret_service(state: State) -> SecretService:
    """Return the process's secret service."""
    return services_of(state).secret_service


def provide_account_service(state: State) -> AccountService:
    """Return the process's account service."""
    return services_of(state).account_service


def provide_sign_in_service(state: State) -> SignInService:
    """Return the process's browser account service."""
    return services_of(state).sign_in_service


def provide_domain_service(state: State) -> DomainService:
    """Return the process's custom domain service."""
    return services_of(state).domain_service


def provide_client_address(request: AnyRequest) -> str:
    """Return the client as the limits count it (IPv6 by network); X-Forwarded-For only from trusted proxies."""
    peer = request.client.host if request.client else None
    settings = services_of(request.app.state).settings
    return client_address(peer, request.headers.get("x-forwarded-for"), settings.trusted_proxies, settings.ipv6_prefix)


def provide_site(request: AnyRequest) -> Site:
    """Return the request's site (the site middleware has refused unknown hosts)."""
    site = current_site(request)
    if site is None:
        raise NotFoundException
    return site


def provide_page_caller(request: AnyRequest) -> Caller:
    """Return who is using the browser app: the signed-in account, else anonymous.

    The account service comes from the app's state, not as a dependency: a handler asking for
    `caller` and one more value would otherwise have them resolved in an anyio task group.
    """
    signed_in = signed_in_of(request)
    return signed_in.caller if signed_in else services_of(request.app.state).account_service.anonymous()


def provide_session_cookie(state: State) -> SessionCookie:
    """Return the session cookie of this deployment."""
    return session_cookie_of(state)


def requires_signed_in(request: AnyRequest) -> SignedIn:
    """Return who is signed in, sending everyone else to the sign-in page."""
    signed_in = signed_in_of(request)
    if signed_in is None:
        raise SignInRequired
    return signed_in


def dependencies() -> dict[str, Provide]:
    """Return the providers and guards of the HTML face, by the key handlers ask for."""
    return {
        "secret_service": Provide(provide_secret_service, sync_to_thread=False),
        "account_service": Provide(provide_account_service, sync_to_thread=False),
        "sign_in_service": Provide(provide_sign_in_service, sync_to_thread=False),
        "domain_service": Provide(provide_domain_service, sync_to_thread=False),
        "client_address": Provide(provide_client_address, sync_to_thread=False),
        "site": Provide(provide_site, sync_to_thread=False),
        "caller": Provide(provide_page_caller, sync_to_thread=False),
        "session_cookie": Provide(provide_session_cookie, sync_to_thread=False),
        "signed_in": Provide(requires_signed_in, sync_to_thread=False),
    }
