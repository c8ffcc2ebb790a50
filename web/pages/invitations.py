"""Signing up with an invitation link (`ots account invite EMAIL`), and the sign-up page when it is not open.

The link's token is in the path (never in a query string); the access log shortens it like every
key. The page shows whom the link invites; the account takes that address and is confirmed.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import Provide
from litestar.params import FromPath

from onetime.accounts.invitations import INVITATION_PATH
from onetime.accounts.password_rules import PASSWORD_MIN_LENGTH
from web.deps import AnyRequest, SessionCookieDep, SignInServiceDep
from web.pages.accounts import ACCOUNT_PATH, NewTokenCookie, PasswordForm, PasswordFormDep, read_password_form
from web.pages.dashboard import DASHBOARD_PATH
from web.rendering import View, remember_form, render, see_other
from web.session import previous_session, signed_in_of

INVITATION = View("pages/invitation.html", "partials/_invitation.html")


def invitation_context(token: str, email: str) -> dict[str, Any]:
    """Return what the invitation page draws: the invited address and the password rule."""
    return {"token": token, "email": email, "password_min_length": PASSWORD_MIN_LENGTH}


async def provide_invitation_form(
    request: AnyRequest, token: FromPath[str], sign_in_service: SignInServiceDep
) -> PasswordForm:
    """Read the invitation's password form, remembering how to draw it again with an error."""
    form = read_password_form(await request.form())
    email = await sign_in_service.invitations.invited(token)
    remember_form(request, INVITATION, invitation_context(token, email))
    return form


class InvitationController(Controller):
    """The page an invitation link opens, and the sign-up it posts."""

    path = INVITATION_PATH.rstrip("/") + "/{token:str}"

    @get(name="invitation_page")
    async def invitation_page(
        self, request: AnyRequest, token: FromPath[str], sign_in_service: SignInServiceDep
    ) -> Response[Any]:
        """Offer to create the invited account (someone signed in already goes to the dashboard)."""
        if signed_in_of(request):
            return see_other(request, DASHBOARD_PATH)
        access = sign_in_service.accounts.settings.access
        if not access.invitations_accepted:
            access.check_signup()
        email = await sign_in_service.invitations.invited(token)
        return render(request, INVITATION, invitation_context(token, email))

    @post(name="invitation_signup", dependencies={"password_form": Provide(provide_invitation_form)})
    async def sign_up(
        self,
        request: AnyRequest,
        token: FromPath[str],
        password_form: PasswordFormDep,
        sign_in_service: SignInServiceDep,
        session_cookie: SessionCookieDep,
    ) -> Response[Any]:
        """Create the invited account, sign it in, and go to the account page, which shows its API token once."""
        created = await sign_in_service.sign_up_invited(token, password_form.password, previous_session(request))
        response = see_other(request, ACCOUNT_PATH)
        response.set_cookie(session_cookie.issue(created.signed_in.session))
        response.set_cookie(NewTokenCookie.like(session_cookie).issue(created.token, created.signed_in.session))
        return response
