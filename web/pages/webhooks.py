"""The account's webhook page: the URL deliveries go to, and the signing secret, shown once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

from litestar import Controller, Response, get, post
from litestar.datastructures import Cookie, State
from litestar.di import NamedDependency, Provide

from api.deps import services_of
from onetime.accounts.sessions import Session
from onetime.keys import same_token, token_digest
from onetime.notifications.service import Notifier
from onetime.notifications.webhook_settings import AccountWebhook
from onetime.notifications.webhooks import SIGNATURE_HEADER
from web.deps import AnyRequest, SessionCookieDep, SignedInDep
from web.methods import is_head
from web.pages.fields import text
from web.rendering import View, remember_form, render, see_other
from web.session import SessionCookie

WEBHOOK = View("pages/webhook.html", "partials/_webhook.html")
WEBHOOK_PATH = "/account/webhook"
NEW_SECRET_SECONDS = 300
"""How long a new signing secret waits in its cookie for the page that shows it once."""
NotifierDep: TypeAlias = NamedDependency[Notifier]


def provide_notifier(state: State) -> Notifier:
    """Return the process's notifier."""
    return services_of(state).notifier


@dataclass(frozen=True, slots=True)
class NewSigningSecretCookie:
    """Carries a new signing secret across the redirect after a form post, bound to the session, shown once."""

    secure: bool

    @property
    def name(self) -> str:
        """Return the cookie's name ("__Host-" over https, like the session cookie)."""
        return "__Host-ots_new_webhook_secret" if self.secure else "ots_new_webhook_secret"

    def issue(self, secret: str, session: Session) -> Cookie:
        """Return the cookie holding a new signing secret for this session's next webhook page."""
        return self._cookie(f"{secret}.{token_digest(session.session_id)}", NEW_SECRET_SECONDS)

    def read(self, request: AnyRequest, session: Session) -> str | None:
        """Return the signing secret waiting for this session, if any."""
        secret, _, bound_to = (request.cookies.get(self.name) or "").rpartition(".")
        if not secret or not same_token(bound_to.encode(), token_digest(session.session_id).encode()):
            return None
        return secret

    def clear(self) -> Cookie:
        """Return the cookie that forgets a waiting secret."""
        return self._cookie("", 0)

    def _cookie(self, value: str, max_age: int) -> Cookie:
        return Cookie(
            key=self.name,
            value=value,
            max_age=max_age,
            path="/",  # a __Host- cookie must have path /
            secure=self.secure,
            httponly=True,
            samesite="strict",
        )


def _waiting(session_cookie: SessionCookie) -> NewSigningSecretCookie:
    return NewSigningSecretCookie(secure=session_cookie.secure)


def webhook_context(
    webhook: AccountWebhook, *, new_secret: str | None = None, url: str | None = None
) -> dict[str, Any]:
    """Return what the webhook page draws; `new_secret` is shown this once."""
    return {
        "webhook": webhook,
        "url": webhook.url if url is None else url,
        "new_secret": new_secret,
        "signature_header": SIGNATURE_HEADER,
    }


class WebhookController(Controller):
    """Set the account's webhook URL, and make a new signing secret."""

    path = WEBHOOK_PATH
    dependencies = {"notifier": Provide(provide_notifier, sync_to_thread=False)}  # noqa: RUF012 - Litestar's API

    @get(name="webhook_page")
    async def page(
        self, request: AnyRequest, signed_in: SignedInDep, notifier: NotifierDep, session_cookie: SessionCookieDep
    ) -> Response[Any]:
        """Show the webhook URL, and a new signing secret once after it was made."""
        waiting = _waiting(session_cookie)
        new_secret = waiting.read(request, signed_in.session)
        webhook = await notifier.webhooks.read(signed_in.email)
        response = render(request, WEBHOOK, webhook_context(webhook, new_secret=new_secret))
        if new_secret is not None and not is_head(request):
            response.set_cookie(waiting.clear())
        return response

    @post(name="set_webhook")
    async def set_url(
        self, request: AnyRequest, signed_in: SignedInDep, notifier: NotifierDep, session_cookie: SessionCookieDep
    ) -> Response[Any]:
        """Set (or, empty, remove) the URL; the first URL also makes the signing secret, shown once."""
        url = text(await request.form(), "url").strip()
        webhook = await notifier.webhooks.read(signed_in.email)
        remember_form(request, WEBHOOK, webhook_context(webhook, url=url))
        new_secret = await notifier.webhooks.set_url(signed_in.email, url)
        response = see_other(request, WEBHOOK_PATH)
        if new_secret is not None:
            response.set_cookie(_waiting(session_cookie).issue(new_secret, signed_in.session))
        return response

    @post("/secret", name="new_webhook_secret")
    async def new_secret(
        self, request: AnyRequest, signed_in: SignedInDep, notifier: NotifierDep, session_cookie: SessionCookieDep
    ) -> Response[Any]:
        """Replace the signing secret (deliveries are signed with the new one at once); show it once."""
        secret = await notifier.webhooks.new_signing_secret(signed_in.email)
        response = see_other(request, WEBHOOK_PATH)
        response.set_cookie(_waiting(session_cookie).issue(secret, signed_in.session))
        return response
