"""What the faces tell Prometheus: the /metrics endpoint, and the failures counted as they are raised.

`/metrics` answers a direct request from loopback (no forwarding headers: Caddy adds them, and the
Caddyfile blocks the path too), or a request carrying `Authorization: Bearer <OTS_METRICS_TOKEN>`.
Anyone else gets a 404, as if the route did not exist.
"""

from __future__ import annotations

import hmac
from typing import Any

from litestar import MediaType, Request, Response, get
from litestar.types import Scope

from onetime import metrics
from onetime.errors import RateLimited, SignInLocked, StorageUnavailable, UnknownSecret, WrongSecretPassphrase
from onetime.services import Services
from onetime.settings import Settings
from web.internal import is_direct_from_loopback
from web.sites import ANY_HOST

_NO_STORE = {"Cache-Control": "no-store"}


def may_scrape(request: Request[Any, Any, Any], token: str | None) -> bool:
    """Tell whether this request may read the metrics: loopback and not forwarded, or the right token."""
    if is_direct_from_loopback(request):
        return True
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if token is None or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


@get("/metrics", name="metrics", opt={ANY_HOST: True}, include_in_schema=False, media_type=MediaType.TEXT)
async def metrics_page(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Answer a scrape with every worker's figures in the Prometheus text format."""
    settings: Settings = request.app.state.settings
    if not may_scrape(request, settings.metrics_token):
        return Response(b"Not Found\n", status_code=404, headers=_NO_STORE, media_type=MediaType.TEXT)
    services: Services = request.app.state.services
    depth = None
    if services.outbox is not None:
        try:
            depth = await services.outbox.entries.depth()
        except StorageUnavailable:
            depth = None  # the rest still answers; ots_redis_failures tells why the depth is missing
    return Response(metrics.exposition(depth), headers=_NO_STORE, media_type=metrics.CONTENT_TYPE)


async def count_failure(error: Exception, scope: Scope) -> None:
    """Count what an error raised by a handler says about the service: an after-exception hook."""
    if isinstance(error, StorageUnavailable):
        metrics.redis_failed(error.__cause__ or error.__context__)
    elif isinstance(error, SignInLocked):
        metrics.locked_out(metrics.SIGN_IN)
    handler = scope.get("route_handler")
    if handler is None or not handler.opt.get(metrics.REVEALS_SECRET, False):
        return
    if isinstance(error, WrongSecretPassphrase):
        metrics.reveal_failed(metrics.WRONG_PASSPHRASE)
    elif isinstance(error, UnknownSecret):
        metrics.reveal_failed(metrics.UNKNOWN)
    elif isinstance(error, RateLimited):
        metrics.reveal_failed(metrics.LOCKED if metrics.was_passphrase_locked() else metrics.LIMITED)
