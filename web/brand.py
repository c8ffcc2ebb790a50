"""A custom domain's brand assets: its stylesheet (the colour, without inline styles) and its logo.

The pages' Content-Security-Policy forbids inline styles, so a brand colour reaches the page as a
stylesheet of its own, served from the same origin. Both answers carry the brand's version in
their URL (see templates/base.html), so they may be cached for long.
"""

from __future__ import annotations

from typing import TypeAlias

from litestar import MediaType, Response, Router, get
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.response import Template

from onetime.domains.branding import text_colour_on
from onetime.domains.service import DomainService
from onetime.domains.sites import Site
from web.errors import PAGE_EXCEPTION_HANDLERS
from web.sites import ANY_SITE, provide_site

SiteDep: TypeAlias = NamedDependency[Site]
DomainServiceDep: TypeAlias = NamedDependency[DomainService]
ASSET_CACHE = CacheControlHeader(public=True, max_age=7 * 24 * 3600)


@get("/brand/style.css", name="brand_stylesheet", opt={ANY_SITE: True}, cache_control=ASSET_CACHE)
async def brand_stylesheet(site: SiteDep) -> Template:
    """Serve the colours of the site's brand as CSS custom properties."""
    colour = site.branding.primary_colour if site.branding else ""
    if not colour:
        raise NotFoundException
    return Template(
        "brand/style.css", context={"colour": colour, "on_colour": text_colour_on(colour)}, media_type="text/css"
    )


@get("/brand/logo", name="brand_logo", opt={ANY_SITE: True}, cache_control=ASSET_CACHE)
async def brand_logo(site: SiteDep, domain_service: DomainServiceDep) -> Response[bytes]:
    """Serve the site's logo, as re-encoded when it was uploaded."""
    logo = await domain_service.logo(site.domain) if site.domain else None
    if logo is None:
        raise NotFoundException
    return Response(logo.data, media_type=logo.content_type, headers={"Content-Disposition": "inline"})


def create_brand_router() -> Router:
    """Return the router of the brand assets."""
    return Router(
        path="/",
        route_handlers=[brand_stylesheet, brand_logo],
        dependencies={"site": Provide(provide_site, sync_to_thread=False)},
        exception_handlers=PAGE_EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        include_in_schema=False,
        signature_namespace={"Site": Site, "DomainService": DomainService, "MediaType": MediaType},
    )
