"""The dashboard: the account's receipts of the last 30 days, and burning from the list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

from litestar import Controller, Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery

from onetime.accounts.caller import Caller
from onetime.notifications.history import SecretHistory, history_csv
from onetime.receipts import Receipt
from onetime.secret_service import SecretService
from onetime.translations import N_
from web.deps import AnyRequest, ClientAddressDep, SecretServiceDep, SignedInDep
from web.pages.fields import text
from web.pages.webhooks import NotifierDep, provide_notifier
from web.rendering import PAGE_HEADERS, View, is_htmx, remember_form, render, see_other

DASHBOARD = View("pages/dashboard.html", "partials/_dashboard.html")
DASHBOARD_ITEM = View("pages/dashboard.html", "partials/_dashboard_item.html")
DASHBOARD_BURN = View("pages/dashboard_burn.html", "partials/_dashboard_burn.html")
DASHBOARD_PATH = "/dashboard"
"""The dashboard's page, where signing in leads."""
PER_PAGE = 50
"""Receipts on one page of the dashboard."""
STATE_LABELS = {
    "new": N_("New"),
    "viewed": N_("Viewed"),
    "received": N_("Received"),
    "burned": N_("Burned"),
    "expired": N_("Expired"),
    "orphaned": N_("Gone"),
}
"""How the dashboard names a receipt's state (English words, translated by the template)."""
HISTORY_SHOWN = 50
"""Secrets whose history the dashboard shows (the CSV download has them all)."""
CSV_HEADERS = {
    **PAGE_HEADERS,
    "Content-Disposition": 'attachment; filename="secret-history.csv"',
    "X-Content-Type-Options": "nosniff",
}


@dataclass(frozen=True, slots=True)
class DashboardBurnForm:
    """Burning from the dashboard: the page to come back to, and whether the burn is confirmed."""

    page: int = 1
    confirmed: bool = False


DashboardBurnFormDep: TypeAlias = NamedDependency[DashboardBurnForm]


def read_dashboard_burn_form(form: FormMultiDict) -> DashboardBurnForm:
    """Read the burn button of a dashboard entry (or its no-JavaScript confirmation)."""
    page = text(form, "page")
    return DashboardBurnForm(page=int(page) if page.isdigit() else 1, confirmed=text(form, "confirm") == "yes")


@dataclass(frozen=True, slots=True)
class DashboardPage:
    """One page of the dashboard: its receipts, newest first, and where it sits among the pages."""

    receipts: list[Receipt]
    page: int
    pages: int
    total: int


def page_count(total: int) -> int:
    """Return how many dashboard pages `total` receipts fill (at least one, even empty)."""
    return max(1, -(-total // PER_PAGE))


async def dashboard_page(secret_service: SecretService, caller: Caller, page: int) -> DashboardPage:
    """Return one page of the caller's receipts; a page out of range gives the nearest one."""
    total = await secret_service.recent_count(caller)
    pages = page_count(total)
    page = min(max(page, 1), pages)
    receipts = await secret_service.recent(caller, offset=(page - 1) * PER_PAGE, limit=PER_PAGE)
    return DashboardPage(receipts, page, pages, total)


def dashboard_context(
    listing: DashboardPage, history: list[SecretHistory] | None = None, history_days: int = 0
) -> dict[str, Any]:
    """Return what the dashboard draws: the receipts, and the newest of the event history."""
    rows = history or []
    return {
        "listing": listing,
        "state_labels": STATE_LABELS,
        "history": rows[:HISTORY_SHOWN],
        "history_total": len(rows),
        "history_days": history_days,
    }


def dashboard_item_context(receipt: Receipt, page: int, *, just_burned: bool = False) -> dict[str, Any]:
    """Return what one dashboard entry draws (swapped in place after a burn)."""
    return {"receipt": receipt, "page": page, "state_labels": STATE_LABELS, "just_burned": just_burned}


def dashboard_burn_context(metadata_key: str, page: int) -> dict[str, Any]:
    """Return what the no-JavaScript confirmation of a dashboard burn draws."""
    return {"metadata_key": metadata_key, "page": page}


async def provide_dashboard_burn_form(request: AnyRequest, metadata_key: FromPath[str]) -> DashboardBurnForm:
    """Read a dashboard burn, remembering how to draw its confirmation again with an error."""
    form = read_dashboard_burn_form(await request.form())
    remember_form(request, DASHBOARD_BURN, dashboard_burn_context(metadata_key, form.page))
    return form


class DashboardController(Controller):
    """The account's receipts of the last 30 days, and burning from the list."""

    path = DASHBOARD_PATH
    dependencies = {"notifier": Provide(provide_notifier, sync_to_thread=False)}  # noqa: RUF012 - Litestar's API

    @get(name="dashboard")
    async def dashboard(
        self,
        request: AnyRequest,
        signed_in: SignedInDep,
        secret_service: SecretServiceDep,
        notifier: NotifierDep,
        page: FromQuery[int] = 1,
    ) -> Response[Any]:
        """List the receipts, newest first, PER_PAGE to a page (the same list as the API's recent), and the history."""
        listing = await dashboard_page(secret_service, signed_in.caller, page)
        history = await notifier.history.rows(signed_in.email)
        return render(request, DASHBOARD, dashboard_context(listing, history, notifier.history.days))

    @get("/history.csv", name="dashboard_history_csv")
    async def history_csv(self, signed_in: SignedInDep, notifier: NotifierDep) -> Response[str]:
        """Download the event history of the account's secrets as CSV (no value, no link: labels and times)."""
        rows = await notifier.history.rows(signed_in.email)
        return Response(history_csv(rows), media_type="text/csv; charset=utf-8", headers=CSV_HEADERS)

    @post(
        "/{metadata_key:str}/burn",
        name="dashboard_burn",
        dependencies={"burn_form": Provide(provide_dashboard_burn_form)},
    )
    async def burn(  # noqa: PLR0913, PLR0917 - each is one injected value
        self,
        request: AnyRequest,
        metadata_key: FromPath[str],
        burn_form: DashboardBurnFormDep,
        signed_in: SignedInDep,
        client_address: ClientAddressDep,
        secret_service: SecretServiceDep,
    ) -> Response[Any]:
        """Burn one of the account's secrets once confirmed; htmx gets the entry back, burned."""
        if not burn_form.confirmed:
            return render(request, DASHBOARD_BURN, dashboard_burn_context(metadata_key, burn_form.page))
        burned = await secret_service.burn(metadata_key, None, client_address, owner=signed_in.caller)
        if is_htmx(request):
            context = dashboard_item_context(burned.receipt, burn_form.page, just_burned=True)
            return render(request, DASHBOARD_ITEM, context)
        return see_other(request, f"{DASHBOARD_PATH}?page={burn_form.page}")
