"""How the HTML face answers: a whole page, or for htmx the partial that the page includes.

Every page template includes its partial, so one piece of markup serves both paths; an htmx
request (header `HX-Request: true`) gets the partial alone, swapped into `<main id="main">`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from litestar import MediaType, Request, Response
from litestar.plugins.htmx import HXLocation
from litestar.response import Redirect, Template

from onetime.plans import Plan
from onetime.receipts import Receipt, Revealed
from web.forms import SecretForm

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


HOME = View("pages/home.html", "partials/_create.html")
RECEIPT = View("pages/receipt.html", "partials/_receipt.html")
BURN = View("pages/burn.html", "partials/_burn.html")
REVEAL = View("pages/reveal.html", "partials/_reveal.html")
REVEALED = View("pages/revealed.html", "partials/_revealed.html")


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


def home_context(plan: Plan, form: SecretForm | None = None, share_domains: Sequence[str] = ()) -> dict[str, Any]:
    """Return what the home page draws: the form as typed (never the passphrase), the plan, the domains."""
    form = form or SecretForm()
    chosen = plan.apply_ttl(form.ttl or None)
    return {
        "secret": form.secret,
        "recipient": form.recipient,
        "share_domains": list(share_domains),
        "selected_domain": form.share_domain,
        "plan": plan,
        "selected_ttl": chosen if chosen in plan.ttl_choices else max(plan.ttl_choices),
    }


def receipt_context(receipt: Receipt) -> dict[str, Any]:
    """Return what the receipt page draws."""
    return {"receipt": receipt, "expires_at": receipt.created + receipt.ttl}


def burn_context(metadata_key: str, *, passphrase_required: bool) -> dict[str, Any]:
    """Return what the burn confirmation draws."""
    return {"metadata_key": metadata_key, "passphrase_required": passphrase_required}


def reveal_context(secret_key: str, *, passphrase_required: bool) -> dict[str, Any]:
    """Return what the page before a reveal draws."""
    return {"secret_key": secret_key, "passphrase_required": passphrase_required}


def revealed_context(revealed: Revealed) -> dict[str, Any]:
    """Return what the page of a revealed secret draws: the value, in a box sized to it."""
    lines = revealed.value.count("\n") + 1
    return {"value": revealed.value, "rows": min(max(lines, 3), 20)}
