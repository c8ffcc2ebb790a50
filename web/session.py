"""The browser's session: its cookie, and who is signed in on a request.

The session cookie is read once per page request by `load_signed_in` (a before-request hook),
which leaves who is signed in (or None) in the request state for the handlers, the page caller
and the header of every page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.datastructures import Cookie, State

from api.deps import services_of
from onetime.accounts.sessions import Session
from onetime.accounts.signin import SignedIn
from onetime.settings import Settings

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


def session_cookie_of(state: State) -> SessionCookie:
    """Return the app's session cookie (set when the app is built)."""
    cookie: SessionCookie = state.session_cookie
    return cookie


async def load_signed_in(request: Request[Any, Any, Any]) -> None:
    """Resolve the session cookie of a page request into who is signed in (a before-request hook).

    A request without the cookie costs nothing; the API and static files are skipped.
    """
    if request.scope["path"].startswith(_SKIPPED_PREFIXES):  # the path alone: no URL object built
        return
    session_id = request.cookies.get(session_cookie_of(request.app.state).name)
    service = services_of(request.app.state).sign_in_service
    request.state[SIGNED_IN_STATE_KEY] = await service.signed_in(session_id) if session_id else None


def signed_in_of(request: Request[Any, Any, Any]) -> SignedIn | None:
    """Return who is signed in on this request, if anyone."""
    signed_in: SignedIn | None = request.state.get(SIGNED_IN_STATE_KEY)
    return signed_in


def now_signed_in(request: Request[Any, Any, Any], signed_in: SignedIn | None) -> None:
    """Record who is signed in from now on, so the header of this request's page shows the new state."""
    request.state[SIGNED_IN_STATE_KEY] = signed_in


def previous_session(request: Request[Any, Any, Any]) -> Session | None:
    """Return the session this request came with, if any (signing in again replaces it)."""
    signed_in = signed_in_of(request)
    return signed_in.session if signed_in else None
