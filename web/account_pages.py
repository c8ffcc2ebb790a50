"""Accounts in the browser: sign up, sign in and out, the account page and the dashboard.

Handlers parse, call `WebAccountService` or the secret service, and render; errors go to
`web.errors`. The session cookie is read once per page request by `load_signed_in`, which
leaves who is signed in (or None) in the request state for the handlers, the page caller and the
header of every page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

from litestar import Controller, Request, Response, Router, get, post
from litestar.datastructures import Cookie, State
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from api.dependencies import ClientAddressDep, SecretServiceDep
from api.deps import services_of
from onetime.accounts.sessions import Session
from onetime.accounts.signin import SignedIn, WebAccountService
from onetime.errors import SignInRequired
from onetime.receipts import Receipt
from onetime.settings import Settings
from web.account_views import (
    ACCOUNT,
    ACCOUNT_DELETED,
    CONFIRM_EMAIL,
    DASHBOARD,
    DASHBOARD_BURN,
    DASHBOARD_ITEM,
    EMAIL_CONFIRMED,
    PER_PAGE,
    SIGN_IN,
    SIGN_UP,
    CredentialsForm,
    DashboardBurnForm,
    DashboardPage,
    PasswordForm,
    account_context,
    credentials_context,
    dashboard_burn_context,
    dashboard_context,
    dashboard_item_context,
    page_count,
    read_credentials_form,
    read_dashboard_burn_form,
    read_password_form,
)
from web.errors import PAGE_EXCEPTION_HANDLERS
from web.rendering import PAGE_HEADERS, is_htmx, remember_form, render, see_other

AnyRequest: TypeAlias = Request[Any, Any, Any]
WebAccountServiceDep: TypeAlias = NamedDependency[WebAccountService]
SignedInDep: TypeAlias = NamedDependency[SignedIn]
CredentialsFormDep: TypeAlias = NamedDependency[CredentialsForm]
PasswordFormDep: TypeAlias = NamedDependency[PasswordForm]
DashboardBurnFormDep: TypeAlias = NamedDependency[DashboardBurnForm]

SIGNED_IN_STATE_KEY = "signed_in"
_SKIPPED_PREFIXES = ("/api/", "/static/")


@dataclass(frozen=True, slots=True)
class SessionCookie:
    """The session cookie: HttpOnly, SameSite=Lax, and Secure (with the __Host- prefix) over https."""

    secure: bool

    @classmethod
    def for_settings(cls, settings: Settings) -> SessionCookie:
        """Return the cookie for a deployment: Secure when its links are https, like the CSRF cookie."""
        return cls(secure=settings.base_url.startswith("https://"))

    @property
    def name(self) -> str:
        """Return the cookie's name; "__Host-" binds it to this exact origin."""
        return "__Host-ots_session" if self.secure else "ots_session"

    def issue(self, session: Session) -> Cookie:
        """Return the cookie that carries a new session id (until the browser closes)."""
        return Cookie(
            key=self.name, value=session.session_id, path="/", secure=self.secure, httponly=True, samesite="lax"
        )

    def clear(self) -> Cookie:
        """Return the cookie that makes the browser forget the session id."""
        return Cookie(key=self.name, value="", max_age=0, path="/", secure=self.secure, httponly=True, samesite="lax")


async def load_signed_in(request: AnyRequest) -> None:
    """Resolve the session cookie of a page request into who is signed in (a before-request hook).

    A request without the cookie costs nothing; the API and static files are skipped.
    """
    if request.url.path.startswith(_SKIPPED_PREFIXES):
        return
    cookie: SessionCookie = request.app.state.session_cookie
    session_id = request.cookies.get(cookie.name)
    service: WebAccountService = services_of(request.app.state).web_account_service
    request.state[SIGNED_IN_STATE_KEY] = await service.signed_in(session_id) if session_id else None


def signed_in_of(request: AnyRequest) -> SignedIn | None:
    """Return who is signed in on this request, if anyone."""
    signed_in: SignedIn | None = request.state.get(SIGNED_IN_STATE_KEY)
    return signed_in


def _now_signed_in(request: AnyRequest, signed_in: SignedIn | None) -> None:
    # The header of the page this request answers with shows the new state, not the old one.
    request.state[SIGNED_IN_STATE_KEY] = signed_in


def _previous_session(request: AnyRequest) -> Session | None:
    signed_in = signed_in_of(request)
    return signed_in.session if signed_in else None


def provide_web_account_service(state: State) -> WebAccountService:
    """Return the process's browser account service."""
    service: WebAccountService = services_of(state).web_account_service
    return service


def requires_signed_in(request: AnyRequest) -> SignedIn:
    """Return who is signed in, sending everyone else to the sign-in page."""
    signed_in = signed_in_of(request)
    if signed_in is None:
        raise SignInRequired
    return signed_in


def _session_cookie(request: AnyRequest) -> SessionCookie:
    cookie: SessionCookie = request.app.state.session_cookie
    return cookie


async def provide_sign_in_form(request: AnyRequest) -> CredentialsForm:
    """Read the sign-in form, remembering how to draw it again with an error."""
    form = read_credentials_form(await request.form())
    remember_form(request, SIGN_IN, credentials_context(form))
    return form


async def provide_sign_up_form(request: AnyRequest) -> CredentialsForm:
    """Read the sign-up form, remembering how to draw it again with an error."""
    form = read_credentials_form(await request.form())
    remember_form(request, SIGN_UP, credentials_context(form))
    return form


async def provide_delete_form(
    request: AnyRequest, signed_in: SignedInDep, web_account_service: WebAccountServiceDep
) -> PasswordForm:
    """Read the delete-account confirmation, remembering how to draw the account page again."""
    form = read_password_form(await request.form())
    remember_form(request, ACCOUNT, account_context(signed_in, web_account_service.base_url))
    return form


async def provide_dashboard_burn_form(request: AnyRequest, metadata_key: FromPath[str]) -> DashboardBurnForm:
    """Read a dashboard burn, remembering how to draw its confirmation again with an error."""
    form = read_dashboard_burn_form(await request.form())
    remember_form(request, DASHBOARD_BURN, dashboard_burn_context(metadata_key, form.page))
    return form


class SessionController(Controller):
    """Signing up, in and out."""

    @get("/signin", name="signin_page")
    async def sign_in_page(self, request: AnyRequest) -> Response[Any]:
        """Offer to sign in; someone signed in already goes to the dashboard."""
        if signed_in_of(request):
            return see_other(request, "/dashboard")
        return render(request, SIGN_IN, credentials_context())

    @post("/signin", name="signin", dependencies={"credentials": Provide(provide_sign_in_form)})
    async def sign_in(
        self,
        request: AnyRequest,
        credentials: CredentialsFormDep,
        client_address: ClientAddressDep,
        web_account_service: WebAccountServiceDep,
    ) -> Response[Any]:
        """Sign in under a new session id and go to the dashboard."""
        signed_in = await web_account_service.sign_in(
            credentials.email, credentials.password, client_address, _previous_session(request)
        )
        response = Redirect("/dashboard", status_code=303, headers=PAGE_HEADERS)
        response.set_cookie(_session_cookie(request).issue(signed_in.session))
        return response

    @get("/signup", name="signup_page")
    async def sign_up_page(self, request: AnyRequest) -> Response[Any]:
        """Offer to create an account; someone signed in already goes to the dashboard."""
        if signed_in_of(request):
            return see_other(request, "/dashboard")
        return render(request, SIGN_UP, credentials_context())

    @post("/signup", name="signup", dependencies={"credentials": Provide(provide_sign_up_form)})
    async def sign_up(
        self,
        request: AnyRequest,
        credentials: CredentialsFormDep,
        client_address: ClientAddressDep,
        web_account_service: WebAccountServiceDep,
    ) -> Response[Any]:
        """Create the account, sign it in, and show its API token this once (in this answer only)."""
        created = await web_account_service.sign_up(
            credentials.email, credentials.password, client_address, _previous_session(request)
        )
        _now_signed_in(request, created.signed_in)
        context = account_context(
            created.signed_in,
            web_account_service.base_url,
            new_token=created.token,
            verification_sent=created.verification_sent,
        )
        response = render(request, ACCOUNT, context)
        response.set_cookie(_session_cookie(request).issue(created.signed_in.session))
        return response

    @post("/signout", name="signout")
    async def sign_out(self, request: AnyRequest, web_account_service: WebAccountServiceDep) -> Response[Any]:
        """End this browser's session and go to the home page."""
        signed_in = signed_in_of(request)
        if signed_in is not None:
            await web_account_service.sign_out(signed_in)
        response = Redirect("/", status_code=303, headers=PAGE_HEADERS)
        response.set_cookie(_session_cookie(request).clear())
        return response


class AccountController(Controller):
    """The account page: plan, API token, confirming the email address, deleting the account."""

    path = "/account"
    dependencies = {"signed_in": Provide(requires_signed_in, sync_to_thread=False)}  # noqa: RUF012

    @get(name="account")
    async def account(
        self, request: AnyRequest, signed_in: SignedInDep, web_account_service: WebAccountServiceDep
    ) -> Response[Any]:
        """Show the plan and the API token, hidden."""
        return render(request, ACCOUNT, account_context(signed_in, web_account_service.base_url))

    @post("/token", name="rotate_token")
    async def rotate_token(
        self, request: AnyRequest, signed_in: SignedInDep, web_account_service: WebAccountServiceDep
    ) -> Response[Any]:
        """Replace the API token (the old one is refused at once) and show the new one this once."""
        token = await web_account_service.rotate_token(signed_in)
        return render(request, ACCOUNT, account_context(signed_in, web_account_service.base_url, new_token=token))

    @post("/confirm", name="send_confirmation")
    async def send_confirmation(
        self, request: AnyRequest, signed_in: SignedInDep, web_account_service: WebAccountServiceDep
    ) -> Response[Any]:
        """Email a new link that confirms the account's address."""
        remember_form(request, ACCOUNT, account_context(signed_in, web_account_service.base_url))
        await web_account_service.send_confirmation(signed_in)
        context = account_context(signed_in, web_account_service.base_url, verification_sent=True)
        return render(request, ACCOUNT, context)

    @get("/confirm/{token:str}", name="confirm_email_page")
    async def confirm_email_page(self, request: AnyRequest, token: FromPath[str]) -> Response[Any]:
        """Offer to confirm the address (a GET confirms nothing: mail scanners open links too)."""
        return render(request, CONFIRM_EMAIL, {"token": token})

    @post("/confirm/{token:str}", name="confirm_email")
    async def confirm_email(
        self, request: AnyRequest, token: FromPath[str], web_account_service: WebAccountServiceDep
    ) -> Response[Any]:
        """Confirm the address the link was sent to; the account may now send secret links by email."""
        remember_form(request, CONFIRM_EMAIL, {"token": token})
        email = await web_account_service.confirm_email(token)
        return render(request, EMAIL_CONFIRMED, {"email": email})

    @post("/delete", name="delete_account", dependencies={"password_form": Provide(provide_delete_form)})
    async def delete(
        self,
        request: AnyRequest,
        signed_in: SignedInDep,
        password_form: PasswordFormDep,
        client_address: ClientAddressDep,
        web_account_service: WebAccountServiceDep,
    ) -> Response[Any]:
        """Delete the account once its password is confirmed, and sign this browser out."""
        await web_account_service.delete(signed_in, password_form.password, client_address)
        _now_signed_in(request, None)
        response = render(request, ACCOUNT_DELETED, {})
        response.set_cookie(_session_cookie(request).clear())
        return response


class DashboardController(Controller):
    """The account's receipts of the last 30 days, and burning from the list."""

    path = "/dashboard"
    dependencies = {"signed_in": Provide(requires_signed_in, sync_to_thread=False)}  # noqa: RUF012

    @get(name="dashboard")
    async def dashboard(
        self,
        request: AnyRequest,
        signed_in: SignedInDep,
        secret_service: SecretServiceDep,
        page: FromQuery[int] = 1,
    ) -> Response[Any]:
        """List the receipts, newest first, PER_PAGE to a page (the same list as the API's recent)."""
        total = await secret_service.recent_count(signed_in.caller)
        pages = page_count(total)
        page = min(max(page, 1), pages)
        receipts = await secret_service.recent(signed_in.caller, offset=(page - 1) * PER_PAGE, limit=PER_PAGE)
        return render(request, DASHBOARD, dashboard_context(DashboardPage(receipts, page, pages, total)))

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
        return see_other(request, f"/dashboard?page={burn_form.page}")


def create_account_router() -> Router:
    """Return the router of the account pages, with the pages' error table."""
    return Router(
        path="/",
        route_handlers=[SessionController, AccountController, DashboardController],
        dependencies={"web_account_service": Provide(provide_web_account_service, sync_to_thread=False)},
        exception_handlers=PAGE_EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        include_in_schema=False,
        signature_namespace={
            "SignedIn": SignedIn,
            "CredentialsForm": CredentialsForm,
            "PasswordForm": PasswordForm,
            "DashboardBurnForm": DashboardBurnForm,
            "Receipt": Receipt,
        },
    )
