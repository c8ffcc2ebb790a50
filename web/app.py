"""The composition root: build the Litestar app from settings."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

from litestar import Litestar
from litestar.datastructures import CacheControlHeader, State
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.static_files import create_static_files_router

from api.controllers import create_api_router
from api.v2.routes import create_v2_router
from onetime.domains.names import canonical_host
from onetime.domains.sites import Site
from onetime.errors import StorageUnavailable
from onetime.mail.worker import MailWorker
from onetime.notifications.worker import NotificationWorker
from onetime.policy import IN_READ_MODE
from onetime.services import Services, master_secret_beside_data, webhook_target_policy, with_master_secret
from onetime.settings import Settings
from onetime.storage import embedded
from onetime.storage.client import RedisClient, StorageHealth, connect
from onetime.storage.compaction import AofCompaction
from onetime.storage.upgrade import upgrade_layout, upgrade_when_reachable
from web.access_log import log_uncaught_exception, log_unrouted_response, request_middleware
from web.deps import dependencies
from web.errors import APP_EXCEPTION_HANDLERS
from web.i18n import locale_middleware
from web.internal import create_internal_router
from web.log_format import app_logging_config
from web.methods import allow_every_method, answer_head_as_get
from web.monitoring import count_failure, metrics_page
from web.pages import create_pages_router
from web.read_mode import refuse_in_read_mode
from web.request_body import OnetimeRequest
from web.security import add_security_headers, csrf_middleware
from web.session import SessionCookie, load_signed_in
from web.sites import ON_CUSTOM_DOMAINS, site_middleware
from web.templating import template_config

log = logging.getLogger(__name__)
PROJECT_ROOT = Path(__file__).resolve().parent.parent
STATIC_DIR = PROJECT_ROOT / "static"
TEMPLATE_DIR = PROJECT_ROOT / "templates"
STATIC_CACHE = CacheControlHeader(public=True, max_age=365 * 24 * 3600)
"""Static URLs carry a hash of the file (see web.templating), so they may be cached for long."""


def create_app(settings: Settings | None = None) -> Litestar:
    """Return the app for these settings (read from the environment when not given)."""
    settings = with_master_secret(settings or Settings.from_env())
    assert settings.master_secret is not None  # noqa: S101 - with_master_secret sets it

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            redis_url = settings.redis_url
            if redis_url is None:
                redis_url = embedded.redis_url(settings.data_dir)
                if not embedded.is_running(settings.data_dir):
                    stack.enter_context(embedded.EmbeddedRedis(settings.data_dir, settings.fsync))
            client = connect(redis_url)
            stack.push_async_callback(client.aclose)
            services = Services.build(settings, client)
            app.state.services = services
            await warn_unless_noeviction(services.storage)
            warn_if_master_secret_beside_data(settings)
            await upgrade_before_serving(client, stack)
            if redis_url == embedded.redis_url(settings.data_dir):
                # The embedded Redis, whether this process started it or `ots serve` did (its workers
                # are handed its URL in OTS_REDIS_URL).
                await stack.enter_async_context(AofCompaction(client, settings.aof_compact_seconds).running())
            if services.outbox is not None:
                await stack.enter_async_context(
                    MailWorker.from_settings(services.outbox, settings, TEMPLATE_DIR / "mail").running()
                )
            notices = NotificationWorker(services.notifier, settings.webhook_delivery, webhook_target_policy(settings))
            await stack.enter_async_context(notices.running())
            yield

    # Without the app's access log (Caddy logs the requests), its hook does not run and its middleware
    # writes no line; the middleware still gives each request its id and times it for the metrics.
    access_log_hooks = [log_unrouted_response] if settings.app_access_log else []
    app = Litestar(
        route_handlers=[
            create_api_router(),
            create_v2_router(),
            create_pages_router(),
            create_internal_router(),
            metrics_page,
            create_static_files_router(
                path="/static",
                directories=[STATIC_DIR],
                cache_control=STATIC_CACHE,
                opt={ON_CUSTOM_DOMAINS: True, IN_READ_MODE: True},
            ),
        ],
        state=State(
            {
                "settings": settings,
                "canonical_site": Site(canonical_host(settings), settings.base_url),
                "session_cookie": SessionCookie.for_settings(settings),
            }
        ),
        lifespan=[lifespan],
        dependencies=dependencies(),
        exception_handlers=APP_EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        template_config=template_config(TEMPLATE_DIR, STATIC_DIR),
        before_send=[add_security_headers, allow_every_method, *access_log_hooks],
        before_request=load_signed_in,
        # OTS_MODE=read serves only the routes declared IN_READ_MODE. The guard is only installed there:
        # Litestar copies the route handler for each guard it runs, on every request (issue 13).
        guards=[refuse_in_read_mode] if settings.access.read_only else [],
        after_exception=[count_failure],
        request_max_body_size=settings.max_body_bytes,
        request_class=OnetimeRequest,
        middleware=[
            request_middleware(access_log=settings.app_access_log),
            locale_middleware,
            site_middleware,
            csrf_middleware(settings, settings.master_secret),
        ],
        logging_config=app_logging_config(settings.log_format, log_uncaught_exception),
        # The schema as JSON only: Litestar's HTML viewers load unpinned scripts from CDNs.
        openapi_config=OpenAPIConfig(
            title="Onetime Secret API", version="1.0.0", path="/api/schema", render_plugins=[JsonRenderPlugin()]
        ),
        debug=False,
    )
    app.asgi_handler = answer_head_as_get(app.asgi_handler)
    return app


def warn_if_master_secret_beside_data(settings: Settings) -> None:
    """Warn when a public deployment keeps its master secret inside the data directory."""
    found = master_secret_beside_data(settings)
    if found is not None and settings.base_url.startswith("https://"):
        log.warning(
            "the master secret lives in the data directory (%s): keep it apart from the data and its backups "
            "(OTS_SECRET_FILE or OTS_SECRET)",
            found,
        )


async def upgrade_before_serving(client: RedisClient, stack: AsyncExitStack) -> None:
    """Bring the database to this release's key layout; if Redis is down, keep trying in the background."""
    try:
        await upgrade_layout(client)
    except StorageUnavailable:
        task = asyncio.create_task(upgrade_when_reachable(client), name="layout-upgrade")
        stack.callback(task.cancel)


async def warn_unless_noeviction(storage: StorageHealth) -> None:
    """Warn loudly when Redis may evict keys: an evicted secret is silently lost."""
    policy = await storage.eviction_policy()
    if policy is None:
        log.warning("could not read Redis maxmemory-policy; make sure it is noeviction")
    elif policy != "noeviction":
        log.warning(
            "REDIS maxmemory-policy IS %s: Redis may silently drop unread secrets. Set it to noeviction.", policy
        )
