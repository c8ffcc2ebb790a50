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
from api.v2.errors import CredentialsMissing, GuestCreationDisabled
from onetime.accounts.caller import Caller
from onetime.clients import client_address, client_ip
from onetime.policy import CreationRestricted
from onetime.secret_service import SecretService


@dataclass(frozen=True, slots=True)
class V2Call:
    """What a v2 handler works with."""

    caller: Caller
    client_address: str
    secret_service: SecretService
    client_ip: str
    """The client's own address (OTS_CREATE=networks checks it), not the bucket the limits count."""

    def account(self) -> Caller:
        """Return the caller, refusing anonymous ones (for routes that need credentials)."""
        if self.caller.is_anonymous:
            raise CredentialsMissing
        return self.caller

    def creator(self, operation: str) -> Caller:
        """Return the caller, refusing one this deployment does not let create secrets (onetime.policy).

        The refusal of an anonymous caller has the shape of upstream's guest gating (a 403
        `GuestRoutesDisabled` naming the operation), which v2 clients already know.
        """
        access = self.secret_service.settings.access
        try:
            access.check_create(anonymous=self.caller.is_anonymous, client_ip=self.client_ip)
        except CreationRestricted:
            raise GuestCreationDisabled(operation) from None
        return self.caller


def _address(request: Request[Any, Any, Any], secret_service: SecretService) -> str:
    settings = secret_service.settings
    peer = request.client.host if request.client else None
    return client_address(peer, request.headers.get("x-forwarded-for"), settings.trusted_proxies, settings.ipv6_prefix)


def _own_address(request: Request[Any, Any, Any], secret_service: SecretService) -> str:
    peer = request.client.host if request.client else None
    return client_ip(peer, request.headers.get("x-forwarded-for"), secret_service.settings.trusted_proxies)


async def provide_v2_call(request: Request[Any, Any, Any]) -> V2Call:
    """Authenticate the caller: none without a header, and a 401 for a header that is wrong."""
    services = services_of(request.app.state)
    caller = await authenticate(request, services.account_service)
    service = services.secret_service
    return V2Call(caller, _address(request, service), service, _own_address(request, service))


async def provide_guest_call(request: Request[Any, Any, Any]) -> V2Call:
    """Return an anonymous call, whatever credentials the request carries."""
    services = services_of(request.app.state)
    caller = services.account_service.anonymous()
    service = services.secret_service
    return V2Call(caller, _address(request, service), service, _own_address(request, service))
