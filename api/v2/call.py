"""The one provider of a v2 handler: who calls, from where, and the secret service.

Upstream fails closed: a route that allows anonymous callers still refuses an `Authorization`
header that is present and wrong, rather than treating the caller as anonymous. The guest routes
never look at the header: their caller is always anonymous.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request

from api.auth import authenticate
from api.deps import services_of
from api.locale import locale_of
from api.v2.errors import CredentialsMissing
from onetime.accounts.caller import Caller
from onetime.clients import client_address
from onetime.secret_service import SecretService


@dataclass(frozen=True, slots=True)
class V2Call:
    """What a v2 handler works with."""

    caller: Caller
    client_address: str
    secret_service: SecretService
    locale: str = "en"
    """The request's language (api.locale): the words of its error messages and emails."""

    def account(self) -> Caller:
        """Return the caller, refusing anonymous ones (for routes that need credentials)."""
        if self.caller.is_anonymous:
            raise CredentialsMissing
        return self.caller


def _address(request: Request[Any, Any, Any], secret_service: SecretService) -> str:
    settings = secret_service.settings
    peer = request.client.host if request.client else None
    return client_address(peer, request.headers.get("x-forwarded-for"), settings.trusted_proxies, settings.ipv6_prefix)


async def provide_v2_call(request: Request[Any, Any, Any]) -> V2Call:
    """Authenticate the caller: none without a header, and a 401 for a header that is wrong."""
    services = services_of(request.app.state)
    caller = await authenticate(request, services.account_service)
    return V2Call(caller, _address(request, services.secret_service), services.secret_service, locale_of(request))


async def provide_guest_call(request: Request[Any, Any, Any]) -> V2Call:
    """Return an anonymous call, whatever credentials the request carries."""
    services = services_of(request.app.state)
    caller = services.account_service.anonymous()
    return V2Call(caller, _address(request, services.secret_service), services.secret_service, locale_of(request))
