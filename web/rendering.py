"""How the HTML face answers: a whole page, or for htmx the partial that the page includes.

Every page template includes its partial, so one piece of markup serves both paths; an htmx
request (header `HX-Request: true`) gets the partial alone, swapped into `<main id="main">`.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

from litestar import MediaType, Request, Response
from litestar.plugins.htmx import HXLocation
from litestar.response import Redirect, Template
from litestar.utils.scope.state import ScopeState
from markupsafe import escape

from api.locale import locale_of
from web.return_path import return_path_of
from web.session import signed_in_of
from web.sites import current_site

MAIN_TARGET = "#main"
PAGE_HEADERS = {"Cache-Control": "no-store", "Vary": "HX-Request"}
"""Every page varies with HX-Request; none may be kept by a cache (receipts and secrets above all)."""

_REDRAW_STATE_KEY = "redraw"

FieldErrors = Mapping[str, str]
"""Messages by the name of the field they belong to; "form" for the form as a whole."""


@dataclass(frozen=True, slots=True)
class View:
    """A page template and the partial it includes."""

    page: str
    partial: str


@dataclass(frozen=True, slots=True)
class Redraw:
    """How to draw a posted form again, so that an error can be shown next to its field."""

    view: View
    context: Mapping[str, Any]

    def with_error(self, field: str, message: str) -> dict[str, Any]:
        """Return the context of the form with one message; a passphrase error shows that field."""
        context = {**self.context, "errors": {field: message}}
        if field == "passphrase":
            context["passphrase_required"] = True
        return context


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    """Tell whether htmx sent the request, so the answer is a partial."""
    return request.headers.get("hx-request") == "true"


def render(request: Request[Any, Any, Any], view: View, context: Mapping[str, Any], status_code: int = 200) -> Template:
    """Answer with the view's page, or its partial for htmx."""
    return Template(
        view.partial if is_htmx(request) else view.page,
        context={"errors": {}, **context},
        status_code=status_code,
        headers=PAGE_HEADERS,
        media_type=MediaType.HTML,
    )


PAGE_CACHE_SIZE = 256
"""Pages kept per process: a few views times the sites (custom domains) and, later, the languages."""
_PAGE_CACHE_STATE_KEY = "page_cache"


@dataclass
class PageCache:
    """Pages drawn once per process and answered again with this request's values put in.

    A page whose context holds no secret and whose only per-request values are the CSRF token and
    values named by the handler (a secret's key) is drawn once per variant with a random marker
    in place of each; later requests replace the markers, escaped as Jinja would escape them. A
    variant is the template, the site (with its brand) and every context value, so a change of
    brand or plan draws a new page. Only anonymous visitors' pages are kept: a signed-in header
    names its account.
    """

    size: int = PAGE_CACHE_SIZE
    pages: OrderedDict[Hashable, str] = field(default_factory=OrderedDict)
    markers: dict[str, str] = field(default_factory=dict)

    def marker(self, name: str) -> str:
        """Return the marker that stands for one per-request value in this process's pages."""
        found = self.markers.get(name)
        if found is None:
            found = self.markers[name] = f"ots{secrets.token_hex(16)}"
        return found

    def page(self, key: Hashable, draw: Callable[[], str]) -> str:
        """Return the page kept under `key`, drawing (and keeping) it the first time."""
        page = self.pages.get(key)
        if page is None:
            page = self.pages[key] = draw()
            if len(self.pages) > self.size:
                self.pages.popitem(last=False)
        return page


def page_cache_of(request: Request[Any, Any, Any]) -> PageCache:
    """Return the app's page cache (one per app: tests build apps with different settings)."""
    state = request.app.state
    cache: PageCache | None = state.get(_PAGE_CACHE_STATE_KEY)
    if cache is None:
        cache = state[_PAGE_CACHE_STATE_KEY] = PageCache()
    return cache


_PLAIN = frozenset({str, int, bool, float, type(None)})
"""Types that stand for themselves in a kept page's key (checked first: most context values are these)."""


def _frozen(value: object) -> Hashable:
    """Return a hashable stand-in of a context value; TypeError for a value that cannot be one."""
    if type(value) in _PLAIN:
        return value
    if isinstance(value, Mapping):
        return tuple(sorted((str(name), _frozen(item)) for name, item in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_frozen(item) for item in value)
    hash(value)
    return value


def page_variant(request: Request[Any, Any, Any], template: str) -> tuple[Hashable, ...]:
    """Return what a kept page depends on besides its context: the template and the site.

    Anything a template reads from the request must be named here: the language of the page is
    one more item of this tuple.
    """
    return (template, current_site(request), locale_of(request))


def render_kept(
    request: Request[Any, Any, Any], view: View, context: Mapping[str, Any], per_request: Mapping[str, str] = {}
) -> Response[Any]:
    """Answer like `render`, from a page drawn once per variant (see PageCache).

    `context` must hold nothing secret: it becomes part of a page kept for the process's life.
    `per_request` names the context values that change with every request (a secret's key); they
    may appear in the page only where Jinja escapes them. A signed-in visitor's page is drawn
    every time.
    """
    if signed_in_of(request) is not None:
        return render(request, view, {**context, **per_request})
    cache = page_cache_of(request)
    # The language picker's way back is this request's own address (it may hold a secret's key).
    per_request = {**per_request, "language_next": return_path_of(request)}
    template = view.partial if is_htmx(request) else view.page
    full = {"errors": {}, **context}
    try:
        key = (page_variant(request, template), _frozen(full), tuple(sorted(per_request)))
    except TypeError:
        return render(request, view, {**context, **per_request})
    csrf_marker = cache.marker("_csrf_token")
    markers = {name: cache.marker(name) for name in per_request}

    def draw() -> str:
        engine = request.app.template_engine
        assert engine is not None  # noqa: S101 - the app always has one
        csrf_input = f'<input type="hidden" name="_csrf_token" value="{csrf_marker}" />'
        values = {**full, **markers, "request": request, "csrf_token": lambda: csrf_marker, "csrf_input": csrf_input}
        return str(engine.get_template(template).render(**values))

    body = cache.page(key, draw)
    token = ScopeState.from_scope(request.scope).csrf_token
    body = body.replace(csrf_marker, str(escape(token if isinstance(token, str) else "")))
    for name, value in per_request.items():
        body = body.replace(markers[name], str(escape(value)))
    return Response(body, headers=PAGE_HEADERS, media_type=MediaType.HTML)


def see_other(request: Request[Any, Any, Any], path: str) -> Response[Any]:
    """Send the browser on after a POST: a 303 redirect, or for htmx a load of the page into main."""
    response: Response[Any]
    if is_htmx(request):
        response = HXLocation(redirect_to=path, target=MAIN_TARGET, swap="innerHTML", status_code=200)
        response.headers.update(PAGE_HEADERS)
    else:
        response = Redirect(path, status_code=303, headers=PAGE_HEADERS)
    return response


def remember_form(request: Request[Any, Any, Any], view: View, context: Mapping[str, Any]) -> None:
    """Keep, for this request, how to draw the posted form again (see `redraw_of`)."""
    request.state[_REDRAW_STATE_KEY] = Redraw(view, context)


def redraw_of(request: Request[Any, Any, Any]) -> Redraw | None:
    """Return how to draw the form this request posted, if it posted one."""
    redraw: Redraw | None = request.state.get(_REDRAW_STATE_KEY)
    return redraw
