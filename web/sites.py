"""Per-host behaviour: which site a request's host is, and what that site may serve.

Every routed request passes `site_middleware` before anything else reads it (CSRF included):

- the canonical host of this deployment is served in full;
- a verified custom domain serves only the routes declared `opt={ON_CUSTOM_DOMAINS: True}` (its
  reveal pages, the receipts of its own secrets, its brand assets and static files), and those
  declared `opt={ON_PUBLIC_HOMEPAGE: True}` (the create page) when its owner allows a public
  homepage; anything else is the site's 404 page, and a secret of another link host is "unknown";
- any other host gets a plain 404: no page, no brand, no redirect. A route declared
  `opt={ANY_HOST: True}` is left alone (it checks its caller itself).

The host is the Host header, or X-Forwarded-Host when the peer is a trusted proxy.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from litestar import Request
from litestar.datastructures import Headers
from litestar.enums import ScopeType
from litestar.exceptions import NotFoundException
from litestar.types import ASGIApp, Receive, Scope, Send

from api.deps import services_of
from onetime.clients import is_trusted_proxy
from onetime.domains.service import DomainService
from onetime.domains.sites import Site
from onetime.errors import UnknownSecret
from onetime.settings import Settings

SITE_STATE_KEY = "site"
ANY_HOST = "any_host"
"""Route option: the route answers on any host (it checks its caller itself)."""
ON_CUSTOM_DOMAINS = "on_custom_domains"
"""Route option: verified custom domains serve the route too (a recipient's reveal, the creator's
receipt, whose link uses the link host as the v1 contract says, brand assets, static files)."""
ON_PUBLIC_HOMEPAGE = "on_public_homepage"
"""Route option: a custom domain serves the route when its owner allows a public homepage."""
_SECRET_PARAM, _RECEIPT_PARAM = "secret_key", "metadata_key"
_NO_REQUEST_SITE = Site(host="", origin="")
_PLAIN_NOT_FOUND_HEADERS = [(b"content-type", b"text/plain; charset=utf-8"), (b"cache-control", b"no-store")]


def request_host(scope: Scope, settings: Settings) -> str:
    """Return the host name a request asked for, believing X-Forwarded-Host only from trusted proxies."""
    headers = Headers.from_scope(scope)
    peer = (scope.get("client") or ("", 0))[0]
    forwarded = headers.get("x-forwarded-host")
    if forwarded and is_trusted_proxy(peer, settings.trusted_proxies):
        return host_name(forwarded.split(",")[0])
    return host_name(headers.get("host") or "")


def host_name(raw: str) -> str:
    """Return the host name of a Host header value: lowercase, without port or trailing dot."""
    raw = raw.strip().lower()
    if raw.startswith("["):  # an IPv6 literal, "[::1]:8000"
        return raw[1:].partition("]")[0]
    if raw.count(":") == 1:
        raw = raw.partition(":")[0]
    return raw.rstrip(".")


def is_loopback(address: str | None) -> bool:
    """Tell whether an address is this machine's own."""
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


async def send_plain_not_found(send: Send) -> None:
    """Answer 404 with a bare text body: what a host this deployment does not serve gets."""
    await send({"type": "http.response.start", "status": 404, "headers": _PLAIN_NOT_FOUND_HEADERS})
    await send({"type": "http.response.body", "body": b"Not Found\n", "more_body": False})


async def _check_custom_route(site: Site, scope: Scope, domains: DomainService) -> None:
    """Refuse what a custom domain does not serve, and secrets whose link host is another."""
    opt = scope["route_handler"].opt
    allowed = opt.get(ON_CUSTOM_DOMAINS, False) or (
        opt.get(ON_PUBLIC_HOMEPAGE, False) and site.branding is not None and site.branding.public_homepage
    )
    if not allowed:
        raise NotFoundException
    params: dict[str, Any] = scope.get("path_params", {})
    if _SECRET_PARAM in params and not await domains.may_serve_secret(site, params[_SECRET_PARAM]):
        raise UnknownSecret(params[_SECRET_PARAM])
    if _RECEIPT_PARAM in params and not await domains.may_serve_receipt(site, params[_RECEIPT_PARAM]):
        raise UnknownSecret(params[_RECEIPT_PARAM])


def site_middleware(app: ASGIApp) -> ASGIApp:
    """Resolve the request's site into the request state, and refuse what the site does not serve."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        route_handler = scope.get("route_handler")
        if scope["type"] != ScopeType.HTTP or route_handler is None or route_handler.opt.get(ANY_HOST, False):
            await app(scope, receive, send)
            return
        domains: DomainService = services_of(scope["litestar_app"].state).domain_service
        site = await domains.site_for_host(request_host(scope, domains.settings))
        if site is None:
            await send_plain_not_found(send)
            return
        scope["state"][SITE_STATE_KEY] = site
        if site.is_custom:
            await _check_custom_route(site, scope, domains)
        await app(scope, receive, send)

    return middleware


def current_site(request: Request[Any, Any, Any]) -> Site | None:
    """Return the site the middleware resolved for this request; None when it did not run."""
    site: Site | None = request.state.get(SITE_STATE_KEY)
    return site


def provide_site(request: Request[Any, Any, Any]) -> Site:
    """Return the request's site (a dependency; the middleware has refused unknown hosts)."""
    site = current_site(request)
    if site is None:
        raise NotFoundException
    return site


@pass_context
def site_of_page(context: Context) -> Site:
    """Return the site a template draws for: the request's, else the canonical site."""
    request = context.get("request")
    if not isinstance(request, Request):
        return _NO_REQUEST_SITE  # a template rendered on its own, outside any request
    return current_site(request) or request.app.state.canonical_site


@dataclass(frozen=True, slots=True)
class RegionLink:
    """One entry of the region switcher: a link to that region's home page."""

    id: str
    origin: str
    current: bool


@pass_context
def region_links(context: Context) -> list[RegionLink]:
    """Return the region switcher of the canonical site; empty for a single region or a custom domain."""
    request = context.get("request")
    if not isinstance(request, Request) or site_of_page(context).is_custom:
        return []
    settings: Settings = request.app.state.settings
    return [RegionLink(r.id, r.origin, r.id == settings.region) for r in settings.regions]


def serves_unrouted(request: Request[Any, Any, Any]) -> bool:
    """Tell, without any lookup, whether an unrouted request may get a page rather than a plain 404.

    Only the canonical host may: a custom domain cannot be told from an unknown host without a
    lookup, and both get the plain answer for paths no route serves.
    """
    settings: Settings = request.app.state.settings
    domains: DomainService = services_of(request.app.state).domain_service
    return domains.is_canonical_host(request_host(request.scope, settings))
