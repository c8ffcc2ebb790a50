"""Endpoints for the machine's own tools, never for the outside: Caddy's on-demand TLS question.

Caddy asks `GET /api/internal/tls/ask?domain=<host>` before it obtains a certificate for a host
it has never seen; 200 allows, anything else refuses. Only a direct request from loopback gets an
answer: a request that came through a proxy (it carries forwarding headers) or from another
address gets a 404, as if the route did not exist. The Caddyfile also blocks the path.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import MediaType, Request, Response, Router, get
from litestar.params import QueryParameter

from onetime.domains.service import DomainService
from web.deps import DomainServiceDep
from web.sites import ANY_HOST, host_name, is_loopback

_FORWARDING_HEADERS = ("x-forwarded-for", "x-forwarded-host", "forwarded", "x-real-ip")
_NO_STORE = {"Cache-Control": "no-store"}


def is_direct_from_loopback(request: Request[Any, Any, Any]) -> bool:
    """Tell whether a request comes from this machine and not through a proxy (no forwarding headers)."""
    peer = request.client.host if request.client else None
    return is_loopback(peer) and not any(name in request.headers for name in _FORWARDING_HEADERS)


@get("/tls/ask", name="tls_ask", opt={ANY_HOST: True}, media_type=MediaType.TEXT)
async def tls_ask(
    request: Request[Any, Any, Any],
    domain_service: DomainServiceDep,
    domain: Annotated[str, QueryParameter(max_length=300)] = "",
) -> Response[str]:
    """Tell Caddy whether this deployment serves a host: its canonical host or a verified domain."""
    if not is_direct_from_loopback(request):
        return Response("Not Found\n", status_code=404, headers=_NO_STORE)
    site = await domain_service.site_for_host(host_name(domain)) if domain else None
    if site is None:
        return Response("no\n", status_code=403, headers=_NO_STORE)
    return Response("ok\n", status_code=200, headers=_NO_STORE)


def create_internal_router() -> Router:
    """Return the router of the loopback-only endpoints (not in the API schema)."""
    return Router(
        path="/api/internal",
        route_handlers=[tls_ask],
        include_in_schema=False,
        signature_namespace={"DomainService": DomainService},
    )
