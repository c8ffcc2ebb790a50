"""Accounts in the browser: sign up, sign in and out, and the account page.

Handlers parse, call `SignInService`, and render; errors go to `web.errors`. The forms that
carry a password are never drawn again with it.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import Annotated, Any, TypeAlias

from litestar import Controller, Response, get, post
from litestar.datastructures import Cookie, FormMultiDict
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect

from onetime.accounts.password_rules import PASSWORD_MIN_LENGTH
from onetime.accounts.sessions import Session
from onetime.accounts.signin import SignedIn
from onetime.keys import same_token, token_digest
from onetime.policy import SignUpClosed
from web.access import refused_page
from web.after_sign_in import after_sign_in, is_after_sign_in
from web.deps import AnyRequest, ClientAddressDep, SessionCookieDep, SignedInDep, SignInServiceDep
from web.methods import is_head
from web.pages.dashboard import DASHBOARD_PATH
from web.pages.fields import text
from web.rendering import PAGE_HEADERS, View, remember_form, render, see_other
from web.session import SessionCookie, now_signed_in, previous_session, signed_in_of

SIGN_IN = View("pages/signin.html", "partials/_signin.html")
SIGN_UP = View("pages/signup.html", "partials/_signup.html")
ACCOUNT = View("pages/account.html", "partials/_account.html")
ACCOUNT_DELETED = View("pages/account_deleted.html", "partials/_account_deleted.html")
CONFIRM_EMAIL = View("pages/confirm_email.html", "partials/_confirm_email.html")
EMAIL_CONFIRMED = View("pages/email_confirmed.html", "partials/_email_confirmed.html")
TOKEN_PLACEHOLDER = "YOUR_API_TOKEN"  # noqa: S105 - the words shown in place of a hidden token
ACCOUNT_PATH = "/account"
ACCOUNT_DELETED_PATH = "/account/deleted"
NEW_TOKEN_SECONDS = 300
"""How long a new API token waits in its cookie for the account page that shows it once."""


@dataclass(frozen=True, slots=True)
class NewTokenCookie:
    """Carries a new API token across the redirect after sign-up or rotation, to be shown once.

    A form post answers with a redirect (so a reload never posts again), and a token never goes
    in a URL: it waits in this HttpOnly cookie, bound to the session that made it, until the
    account page shows it and clears it.
    """

    secure: bool

    @classmethod
    def like(cls, session_cookie: SessionCookie) -> NewTokenCookie:
        """Return the cookie with the session cookie's flags."""
        return cls(secure=session_cookie.secure)

    @property
    def name(self) -> str:
        """Return the cookie's name ("__Host-" over https, like the session cookie)."""
        return "__Host-ots_new_token" if self.secure else "ots_new_token"

    def issue(self, token: str, session: Session) -> Cookie:
        """Return the cookie that holds a new token for this session's next account page."""
        value = f"{token}.{token_digest(session.session_id)}"
        return self._cookie(value, NEW_TOKEN_SECONDS)

    def read(self, request: AnyRequest, session: Session) -> str | None:
        """Return the token waiting for this session, if any."""
        token, _, bound_to = (request.cookies.get(self.name) or "").partition(".")
        if not token or not same_token(bound_to.encode(), token_digest(session.session_id).encode()):
            return None
        return token

    def clear(self) -> Cookie:
        """Return the cookie that forgets a waiting token."""
        return self._cookie("", 0)

    def _cookie(self, value: str, max_age: int) -> Cookie:
        return Cookie(
            key=self.name, value=value, max_age=max_age, path="/", secure=self.secure, httponly=True, samesite="strict"
        )


@dataclass(frozen=True, slots=True)
class CredentialsForm:
    """The sign-in and sign-up forms: an email and a password."""

    email: str = ""
    password: str = ""
    next_path: str = ""
    """The account page that sent the browser to sign in ("" for none)."""

    def __repr__(self) -> str:
        return f"CredentialsForm(email={self.email!r}, next_path={self.next_path!r})"


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
    return CredentialsForm(
        email=text(form, "email").strip(), password=text(form, "password"), next_path=text(form, "next")
    )


def read_password_form(form: FormMultiDict) -> PasswordForm:
    """Read a form whose one field is the account's password."""
    return PasswordForm(password=text(form, "password"))


def credentials_context(form: CredentialsForm | None = None) -> dict[str, Any]:
    """Return what the sign-in and sign-up pages draw: the email as typed, never the password."""
    next_path = form.next_path if form else ""
    return {
        "email": form.email if form else "",
        "password_min_length": PASSWORD_MIN_LENGTH,
        "next_path": next_path if is_after_sign_in(next_path) else "",
    }


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


def credentials_page(request: AnyRequest, view: View, next_path: str = "") -> Response[Any]:
    """Draw the empty sign-in or sign-up form; someone signed in already goes where it would lead."""
    if signed_in_of(request):
        return see_other(request, after_sign_in(next_path))
    return render(request, view, credentials_context(CredentialsForm(next_path=next_path)))


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
    async def sign_in_page(
        self, request: AnyRequest, next_path: Annotated[str, QueryParameter(name="next")] = ""
    ) -> Response[Any]:
        """Offer to sign in (then to go on to the account page that asked); signed in already, go there."""
        return credentials_page(request, SIGN_IN, next_path)

    @post("/signin", name="signin", dependencies={"credentials": Provide(provide_sign_in_form)})
    async def sign_in(
        self,
        request: AnyRequest,
        credentials: CredentialsFormDep,
        client_address: ClientAddressDep,
        sign_in_service: SignInServiceDep,
        session_cookie: SessionCookieDep,
    ) -> Response[Any]:
        """Sign in under a new session id and go to the account page that asked, else the dashboard."""
        signed_in = await sign_in_service.sign_in(
            credentials.email, credentials.password, client_address, previous_session(request)
        )
        response = Redirect(after_sign_in(credentials.next_path), status_code=303, headers=PAGE_HEADERS)
        response.set_cookie(session_cookie.issue(signed_in.session))
        return response

    @get("/signup", name="signup_page")
    async def sign_up_page(self, request: AnyRequest) -> Response[Any]:
        """Offer to create an account; someone signed in already goes to the dashboard.

        Where sign-up is not open (OTS_SIGNUP), the page says how to get an account instead.
        """
        access = request.app.state.settings.access
        if not access.signup_open and not signed_in_of(request):
            return refused_page(request, SignUpClosed(), status_code=200)
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
        """Create the account, sign it in, and go to the account page, which shows its API token once.

        Someone signed in already (a reload of this form, another tab) goes to the dashboard.
        """
        if signed_in_of(request):
            return see_other(request, DASHBOARD_PATH)
        created = await sign_in_service.sign_up(
            credentials.email, credentials.password, client_address, previous_session(request)
        )
        response = see_other(request, ACCOUNT_PATH)
        response.set_cookie(session_cookie.issue(created.signed_in.session))
        response.set_cookie(NewTokenCookie.like(session_cookie).issue(created.token, created.signed_in.session))
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

    path = ACCOUNT_PATH

    @get(name="account")
    async def account(
        self,
        request: AnyRequest,
        signed_in: SignedInDep,
        sign_in_service: SignInServiceDep,
        session_cookie: SessionCookieDep,
    ) -> Response[Any]:
        """Show the plan and the API token: hidden, or once right after sign-up or rotation."""
        waiting = NewTokenCookie.like(session_cookie)
        new_token = waiting.read(request, signed_in.session)
        response = render(request, ACCOUNT, account_context(signed_in, sign_in_service.base_url, new_token=new_token))
        if new_token is not None and not is_head(request):  # a HEAD only looks
            response.set_cookie(waiting.clear())
        return response

    @post("/token", name="rotate_token")
    async def rotate_token(
        self,
        request: AnyRequest,
        signed_in: SignedInDep,
        sign_in_service: SignInServiceDep,
        session_cookie: SessionCookieDep,
    ) -> Response[Any]:
        """Replace the API token (the old one is refused at once); the account page shows the new one once."""
        token = await sign_in_service.rotate_token(signed_in)
        response = see_other(request, ACCOUNT_PATH)
        response.set_cookie(NewTokenCookie.like(session_cookie).issue(token, signed_in.session))
        return response

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
        """Delete the account once its password is confirmed, sign this browser out, and say so."""
        await sign_in_service.delete(signed_in, password_form.password, client_address)
        now_signed_in(request, None)
        response = see_other(request, ACCOUNT_DELETED_PATH)
        response.set_cookie(session_cookie.clear())
        return response

    @get("/deleted", name="account_deleted")
    async def deleted(self, request: AnyRequest) -> Response[Any]:
        """Say that the account is deleted (where deleting it leads)."""
        return render(request, ACCOUNT_DELETED, {})
