"""Account recovery in the browser: ask for a reset link, then choose a new password through it.

Handlers parse, call `PasswordRecovery`, and render; errors go to `web.errors`. The page after
asking says the same whatever was typed, and a reset link's GET changes nothing (mail scanners
open links too): only its POST uses it.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from litestar import Controller, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath

from api.deps import services_of
from onetime.accounts.password_rules import PASSWORD_MIN_LENGTH
from onetime.accounts.recovery import RECOVERY_SECONDS, PasswordRecovery
from web.deps import AnyRequest, ClientAddressDep, SessionCookieDep
from web.pages.fields import text
from web.rendering import View, remember_form, render, see_other
from web.session import previous_session

FORGOT = View("pages/forgot_password.html", "partials/_forgot_password.html")
FORGOT_SENT = View("pages/forgot_password_sent.html", "partials/_forgot_password_sent.html")
RESET = View("pages/reset_password.html", "partials/_reset_password.html")
PASSWORD_CHANGED = View("pages/password_changed.html", "partials/_password_changed.html")
FORGOT_PATH = "/signin/forgot"
FORGOT_SENT_PATH = "/signin/forgot/sent"
PASSWORD_CHANGED_PATH = "/signin/password-changed"  # noqa: S105 - a path

PasswordRecoveryDep: TypeAlias = NamedDependency[PasswordRecovery]


def provide_password_recovery(state: State) -> PasswordRecovery:
    """Return the process's password recovery."""
    return services_of(state).password_recovery


def forgot_context(recovery: PasswordRecovery, email: str = "") -> dict[str, Any]:
    """Return what the form that asks for a reset link draws."""
    return {"email": email, "mail_enabled": recovery.enabled, "link_minutes": RECOVERY_SECONDS // 60}


def reset_context(token: str, *, valid: bool = True) -> dict[str, Any]:
    """Return what the form that chooses a new password draws (never the password)."""
    return {
        "token": token,
        "valid": valid,
        "password_min_length": PASSWORD_MIN_LENGTH,
        "link_minutes": RECOVERY_SECONDS // 60,
    }


class RecoveryController(Controller):
    """Forgot password: the reset link asked for, sent, and used."""

    dependencies = {"password_recovery": Provide(provide_password_recovery, sync_to_thread=False)}  # noqa: RUF012

    @get(FORGOT_PATH, name="forgot_password_page")
    async def forgot_page(self, request: AnyRequest, password_recovery: PasswordRecoveryDep) -> Response[Any]:
        """Offer to email a link that chooses a new password."""
        return render(request, FORGOT, forgot_context(password_recovery))

    @post(FORGOT_PATH, name="forgot_password")
    async def forgot(
        self, request: AnyRequest, client_address: ClientAddressDep, password_recovery: PasswordRecoveryDep
    ) -> Response[Any]:
        """Email a reset link if the address has an account, and answer the same either way."""
        email = text(await request.form(), "email").strip()
        remember_form(request, FORGOT, forgot_context(password_recovery, email))
        await password_recovery.request(email, client_address)
        return see_other(request, FORGOT_SENT_PATH)

    @get(FORGOT_SENT_PATH, name="forgot_password_sent")
    async def sent(self, request: AnyRequest) -> Response[Any]:
        """Say that a link is on its way if the address has an account (never whether it has)."""
        return render(request, FORGOT_SENT, {"link_minutes": RECOVERY_SECONDS // 60})

    @get(PASSWORD_CHANGED_PATH, name="password_changed")
    async def changed(self, request: AnyRequest) -> Response[Any]:
        """Say that the new password is set, what that ended, and what it costs."""
        return render(request, PASSWORD_CHANGED, {})

    @get("/signin/reset/{token:str}", name="reset_password_page")
    async def reset_page(
        self, request: AnyRequest, token: FromPath[str], password_recovery: PasswordRecoveryDep
    ) -> Response[Any]:
        """Offer to choose a new password, or say that the link no longer works (looking uses nothing)."""
        valid = await password_recovery.is_valid(token)
        return render(request, RESET, reset_context(token, valid=valid), status_code=200 if valid else 404)

    @post("/signin/reset/{token:str}", name="reset_password")
    async def reset(
        self,
        request: AnyRequest,
        token: FromPath[str],
        password_recovery: PasswordRecoveryDep,
        session_cookie: SessionCookieDep,
    ) -> Response[Any]:
        """Set the new password (once), sign out every other browser, and sign this one in."""
        password = text(await request.form(), "password")
        remember_form(request, RESET, reset_context(token))
        recovered = await password_recovery.reset(token, password, previous_session(request))
        response = see_other(request, PASSWORD_CHANGED_PATH)
        response.set_cookie(session_cookie.issue(recovered.session))
        return response
