"""Jinja2 set-up for the HTML face: filters for durations, times and QR codes; versioned assets."""

from __future__ import annotations

import base64
import functools
import hashlib
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import qrcode
from jinja2 import pass_context
from jinja2.runtime import Context
from jinja2.utils import Namespace
from litestar.handlers import BaseRouteHandler
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template import TemplateConfig
from litestar.template.base import url_for as litestar_url_for
from markupsafe import Markup
from qrcode.image.svg import SvgPathFillImage

from onetime.plans import DAY, HOUR, MINUTE
from web.sites import region_links, site_of_page

STATIC_PATH = "/static"


def duration(seconds: int) -> str:
    """Say a number of seconds as people do, in its two largest units: "6 days 23 hours".

    Seconds round to the nearest minute, so a week that started a second ago is still "7 days".
    """
    rounded = (max(0, int(seconds)) + MINUTE // 2) // MINUTE * MINUTE
    days, rest = divmod(rounded, DAY)
    hours, rest = divmod(rest, HOUR)
    minutes = rest // MINUTE
    if days:
        return _join(_count(days, "day"), _count(hours, "hour"))
    if hours:
        return _join(_count(hours, "hour"), _count(minutes, "minute"))
    return _count(minutes, "minute") or "less than a minute"


def _count(number: int, unit: str) -> str:
    if not number:
        return ""
    return f"{number} {unit}" if number == 1 else f"{number} {unit}s"


def _join(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def utc(timestamp: int) -> str:
    """Write a unix time as an exact UTC time people read: "2026-12-03 05:45 UTC"."""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


def iso_time(timestamp: int) -> str:
    """Write a unix time for a <time datetime> attribute."""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def byte_length(text: str) -> int:
    """Count the UTF-8 bytes of a text, as the plan's size limit does."""
    return len(text.encode())


def qr_svg(link: str) -> Markup:
    """Draw a link as an inline SVG QR code: dark modules on white, whatever the page's colours."""
    code = qrcode.QRCode(image_factory=SvgPathFillImage, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(link)
    attributes = {"class": "qr-code", "role": "img", "aria-label": "QR code of the share link"}
    image = code.make_image(None, **attributes)
    # The markup is qrcode's own, built from the link's bits: nothing of the link is echoed as text.
    return Markup(image.to_string(encoding="unicode"))  # noqa: S704


# The three page helpers below are Python globals rather than macros of a template: a macro that
# reads the request must be imported `with context`, and Jinja builds such an import again on
# every render (it measured about a third more CPU per page).


@pass_context
def csrf_field(context: Context) -> Markup:
    """Return the form field that proves a POST came from this site's own page (Litestar's CSRF check)."""
    token = context.call(context.resolve("csrf_token"))
    return Markup('<input type="hidden" name="_csrf_token" value="{}">').format(token)


@pass_context
def title_text(context: Context, name: str | None) -> str:
    """Return the text of a tab's title: the page's name, then the site's."""
    site = site_of_page(context).display_name
    return f"{name} · {site}" if name else site


@pass_context
def page_title(context: Context, name: str) -> Markup:
    """Name the page, once, at the top of its partial.

    In a whole page the name goes to the <title> in the head (base.html draws the main content
    first for this); a partial answering htmx alone carries its own <title>, which htmx puts on
    the tab after the swap.
    """
    head = context.resolve_or_missing("head")
    if isinstance(head, Namespace):
        head["title"] = name
        return Markup("")
    return Markup("<title>{}</title>").format(title_text(context, name))


def asset_url(static_dir: Path) -> Callable[[str], str]:
    """Return the template function that names a static file with a hash of its content.

    The hash changes the URL when the file changes, so browsers may cache assets for long.
    """

    @functools.cache
    def asset(path: str) -> str:
        digest = hashlib.sha256((static_dir / path).read_bytes()).hexdigest()[:12]
        return f"{STATIC_PATH}/{path}?v={digest}"

    return asset


def asset_integrity(static_dir: Path) -> Callable[[str], str]:
    """Return the template function that gives a static file's Subresource Integrity value.

    Worked out once per file from its bytes at start, so a script altered on disk or on the way
    (a tampered CDN or proxy) is refused by the browser instead of run.
    """

    @functools.cache
    def integrity(path: str) -> str:
        digest = hashlib.sha384((static_dir / path).read_bytes()).digest()
        return "sha384-" + base64.b64encode(digest).decode()

    return integrity


def fixed_paths_once() -> Callable[..., str]:
    """Return the template's `url_for`, which works out the path of a route without parameters once.

    Such a path cannot change while the app runs, yet Litestar walks its route map for it on every
    call, five times a page. Paths with parameters are never kept: they carry keys of secrets.
    """
    paths: dict[str, str] = {}

    def url_for(context: Mapping[str, Any], /, route_name: str | BaseRouteHandler, **path_parameters: Any) -> str:  # noqa: ANN401 - Litestar's signature
        if path_parameters or not isinstance(route_name, str):
            return litestar_url_for(context, route_name, **path_parameters)
        path = paths.get(route_name)
        if path is None:
            path = paths[route_name] = litestar_url_for(context, route_name)
        return path

    return url_for


def template_config(template_dir: Path, static_dir: Path) -> TemplateConfig[JinjaTemplateEngine]:
    """Return the Jinja2 configuration of the HTML face."""

    def configure(engine: JinjaTemplateEngine) -> None:
        environment = engine.engine
        environment.trim_blocks = True
        environment.lstrip_blocks = True
        # Templates are read once per process (a changed template needs a restart): with
        # auto_reload, Jinja stats every template file a page includes, on every render.
        environment.auto_reload = False
        environment.globals["url_for"] = pass_context(fixed_paths_once())
        environment.filters.update(
            duration=duration, utc=utc, iso_time=iso_time, byte_length=byte_length, qr_svg=qr_svg
        )
        environment.globals["asset"] = asset_url(static_dir)
        environment.globals["integrity"] = asset_integrity(static_dir)
        environment.globals.update(site_of_page=site_of_page, region_links=region_links)
        environment.globals.update(csrf_field=csrf_field, title_text=title_text, page_title=page_title)

    return TemplateConfig(directory=template_dir, engine=JinjaTemplateEngine, engine_callback=configure)
