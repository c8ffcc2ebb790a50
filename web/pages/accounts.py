"""Accounts in the browser: sign up, sign in and out, and the account page.

Handlers parse, call `SignInService`, and render; errors go to `web.errors`. The forms that
carry a password are never drawn again with it.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import Any, TypeAlias

from litestar import Controller, Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Redirect

from onetime.accounts.password_rules import PASSWORD_MIN_LENGTH
from onetime.accounts.signin import SignedIn
from web.deps import AnyRequest, ClientAddressDep, SessionCookieDep, SignedInDep, SignInServiceDep
from web.pages.dashboard import DASHBOARD_PATH
from web.pages.fields import text
from web.rendering import PAGE_HEADERS, View, remember_form, render, see_other
from web.session import now_signed_in, previous_session, signed_in_of

SIGN_IN = View("pages/signin.html", "partials/_signin.html")
SIGN_UP = View("pages/signup.html", "partials/_signup.html")
ACCOUNT = View("pages/account.html", "partials/_account.html")
ACCOUNT_DELETED = View("pages/account_deleted.html", "partials/_account_deleted.html")
CONFIRM_EMAIL = View("pages/confirm_email.html", "partials/_confirm_email.html")
EMAIL_CONFIRMED = View("pages/email_confirmed.html", "partials/_email_confirmed.html")
TOKEN_PLACEHOLDER = "YOUR_API_TOKEN"  # noqa: S105 - the words shown in place of a hidden token


@dataclass(frozen=True, slots=True)
class CredentialsForm:
    """The sign-in and sign-up forms: an email and a password."""

    email: str = ""
    password: str = ""

    def __repr__(self) -> str:
        return f"CredentialsForm(email={self.email!r})"


@dataclass(frozen=True, slots=True)
class PasswordForm:
    """A form that confirms an action with the account's password (deleting the account)."""

    password: str = ""

    def __repr__(self) -> str:
        return "PasswordForm()"


CredentialsFormDep: TypeAlias = NamedDependency[CredentialsForm]
PasswordFormDep: TypeAlias = NamedDependency[PasswordForm]


def read_credentials_form(form: FormMultiDict) -> CredentialsForm:
    """Read a sign-in or sign-up form."""
    return CredentialsForm(email=text(form, "email").strip(), password=text(form, "password"))


def read_password_form(form: FormMultiDict) -> PasswordForm:
    """Read a form whose one field is the account's password."""
    return PasswordForm(password=text(form, "password"))


def credentials_context(form: CredentialsForm | None = None) -> dict[str, Any]:
    """Return what the sign-in and sign-up pages draw: the email as typed, never the password."""
    return {"email": form.email if form else "", "password_min_length": PASSWORD_MIN_LENGTH}


def curl_line(email: str, token: str | None, base_url: str) -> str:
    """Return the command that shares a secret through the API with this account's token."""
    credentials = shlex.quote(f"{email}:{token or TOKEN_PLACEHOLDER}")
    return f"curl -u {credentials} -d 'secret=hello&ttl=3600' {base_url}/api/v1/share"


def account_context(
    signed_in: SignedIn, base_url: str, *, new_token: str | None = None, verification_sent: bool = False
) -> dict[str, Any]:
    """Return what the account page draws; `new_token` is shown this once and never again."""
    return {
        "account": signed_in,
        "new_token": new_token,
        "curl_line": curl_line(signed_in.email, new_token, base_url),
        "verification_sent": verification_sent,
    }


def credentials_page(request: AnyRequest, view: View) -> Response[Any]:
    """Draw the empty sign-in or sign-up form; someone signed in already goes to the dashboard."""
    if signed_in_of(request):
        return see_other(request, DASHBOARD_PATH)
    return render(request, view, credentials_context())


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
    request: AnyRequest, signed_in: SignedInDep, sign_in_service: SignInServiceDep
) -> PasswordForm:
    """Read the delete-account confirmation, remembering how to draw the account page again."""
    form = read_password_form(await request.form())
    remember_form(request, ACCOUNT, account_context(signed_in, sign_in_service.base_url))
    return form


class SessionController(Controller):
    """Signing up, in and out."""

    @get("/signin", name="signin_page")
    async def sign_in_page(self, request: AnyRequest) -> Response[Any]:
        """Offer to sign in; someone signed in already goes to the dashboard."""
        return credentials_page(request, SIGN_IN)

    @post("/signin", name="signin", dependencies={"credentials": Provide(provide_sign_in_form)})
    async def sign_in(
        self,
        request: AnyRequest,
        credentials: CredentialsFormDep,
        client_address: ClientAddressDep,
        sign_in_service: SignInServiceDep,
        session_cookie: SessionCookieDep,
    ) -> Response[Any]:
        """Sign in under a new session id and go to the dashboard."""
        signed_in = await sign_in_service.sign_in(
            credentials.email, credentials.password, client_address, previous_session(request)
        )
        response = Redirect(DASHBOARD_PATH, status_code=303, headers=PAGE_HEADERS)
        response.set_cookie(session_cookie.issue(signed_in.session))
        return response

    @get("/signup", name="signup_page")
    async def sign_up_page(self, request: AnyRequest) -> Response[Any]:
        """Offer to create an account; someone signed in already goes to the dashboard."""
        return credentials_page(request, SIGN_UP)

    @post("/signup", name="signup", dependencies={"credentials": Provide(provide_sign_up_form)})
    async def sign_up(
        self,
        request: AnyRequest,
        credentials: CredentialsFormDep,
        client_address: ClientAddressDep,
        sign_in_service: SignInServiceDep,
        session_cookie: SessionCookieDep,
    ) -> Response[Any]:
        """Create the account, sign it in, and show its API token this once (in this answer only)."""
        created = await sign_in_service.sign_up(
            credentials.email, credentials.password, client_address, previous_session(request)
        )
        now_signed_in(request, created.signed_in)
        context = account_context(
            created.signed_in,
            sign_in_service.base_url,
            new_token=created.token,
            verification_sent=created.verification_sent,
        )
        response = render(request, ACCOUNT, context)
        response.set_cookie(session_cookie.issue(created.signed_in.session))
        return response

    @post("/signout", name="signout")
    async def sign_out(
        self, request: AnyRequest, sign_in_service: SignInServiceDep, session_cookie: SessionCookieDep
    ) -> Response[Any]:
        """End this browser's session and go to the home page."""
        signed_in = signed_in_of(request)
        if signed_in is not None:
            await sign_in_service.sign_out(signed_in)
        response = Redirect("/", status_code=303, headers=PAGE_HEADERS)
        response.set_cookie(session_cookie.clear())
        return response


class AccountController(Controller):
    """The account page: plan, API token, confirming the email address, deleting the account."""

    path = "/account"

    @get(name="account")
    async def account(
        self, request: AnyRequest, signed_in: SignedInDep, sign_in_service: SignInServiceDep
    ) -> Response[Any]:
        """Show the plan and the API token, hidden."""
        return render(request, ACCOUNT, account_context(signed_in, sign_in_service.base_url))

    @post("/token", name="rotate_token")
    async def rotate_token(
        self, request: AnyRequest, signed_in: SignedInDep, sign_in_service: SignInServiceDep
    ) -> Response[Any]:
        """Replace the API token (the old one is refused at once) and show the new one this once."""
        token = await sign_in_service.rotate_token(signed_in)
        return render(request, ACCOUNT, account_context(signed_in, sign_in_service.base_url, new_token=token))

    @post("/confirm", name="send_confirmation")
    async def send_confirmation(
        self, request: AnyRequest, signed_in: SignedInDep, sign_in_service: SignInServiceDep
    ) -> Response[Any]:
        """Email a new link that confirms the account's address."""
        remember_form(request, ACCOUNT, account_context(signed_in, sign_in_service.base_url))
        await sign_in_service.send_confirmation(signed_in)
        context = account_context(signed_in, sign_in_service.base_url, verification_sent=True)
        return render(request, ACCOUNT, context)

    @get("/confirm/{token:str}", name="confirm_email_page")
    async def confirm_email_page(self, request: AnyRequest, token: FromPath[str]) -> Response[Any]:
        """Offer to confirm the address (a GET confirms nothing: mail scanners open links too)."""
        return render(request, CONFIRM_EMAIL, {"token": token})

    @post("/confirm/{token:str}", name="confirm_email")
    async def confirm_email(
        self, request: AnyRequest, token: FromPath[str], sign_in_service: SignInServiceDep
    ) -> Response[Any]:
        """Confirm the address the link was sent to; the account may now send secret links by email."""
        remember_form(request, CONFIRM_EMAIL, {"token": token})
        email = await sign_in_service.confirm_email(token)
        return render(request, EMAIL_CONFIRMED, {"email": email})

    @post("/delete", name="delete_account", dependencies={"password_form": Provide(provide_delete_form)})
    async def delete(  # noqa: PLR0913, PLR0917 - each is one injected value
        self,
        request: AnyRequest,
        signed_in: SignedInDep,
        password_form: PasswordFormDep,
        client_address: ClientAddressDep,
        sign_in_service: SignInServiceDep,
        session_cookie: SessionCookieDep,
    ) -> Response[Any]:
        """Delete the account once its password is confirmed, and sign this browser out."""
        await sign_in_service.delete(signed_in, password_form.password, client_address)
        now_signed_in(request, None)
        response = render(request, ACCOUNT_DELETED, {})
        response.set_cookie(session_cookie.clear())
        return response
