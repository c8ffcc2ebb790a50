"""The HTML pages, one module a feature, each with its controllers, forms and what its pages draw."""

from __future__ import annotations

from litestar import Router

from web.errors import PAGE_EXCEPTION_HANDLERS
from web.pages.accounts import AccountController, SessionController
from web.pages.dashboard import DashboardController
from web.pages.domains import BrandController, DomainsController
from web.pages.invitations import InvitationController
from web.pages.recovery import RecoveryController
from web.pages.secrets import CreateController, ReceiptController, RevealController


def create_pages_router() -> Router:
    """Return the router of every HTML page, with the pages' error table."""
    return Router(
        path="/",
        route_handlers=[
            CreateController,
            ReceiptController,
            RevealController,
            SessionController,
            InvitationController,
            AccountController,
            DashboardController,
            DomainsController,
            BrandController,
            RecoveryController,
        ],
        exception_handlers=PAGE_EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        include_in_schema=False,
    )
