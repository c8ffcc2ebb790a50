"""One dependency per v1 handler: the call's caller, client address, parameters and service.

Litestar resolves a handler's dependencies concurrently, one task each, when there is more than
one; for requests this small the task group cost more than the work (about a fifth of the CPU of
a create or reveal, measured with `make bench`). This provider awaits each part in turn instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.datastructures import State

from api.auth import authenticate
from api.params import Params, read_params
from onetime.accounts.caller import Caller
from onetime.clients import client_address, client_ip
from onetime.errors import NotAuthorized
from onetime.secret_service import SecretService
from onetime.services import Services


def services_of(state: State) -> Services:
    """Return the process's services (set by the app's lifespan): the one typed way to reach them."""
    services: Services = state.services
    return services


@dataclass(frozen=True, slots=True)
class V1Call:
    """What a v1 handler works with."""

    caller: Caller
    client_address: str
    params: Params
    secret_service: SecretService
    client_ip: str
    """The client's own address (OTS_CREATE=networks checks it), not the bucket the limits count."""

    def account(self) -> Caller:
        """Return the caller, refusing anonymous ones (for endpoints that need credentials)."""
        if self.caller.is_anonymous:
            raise NotAuthorized
        return self.caller

    def creator(self) -> Caller:
        """Return the caller, refusing one this deployment does not let create secrets (onetime.policy)."""
        access = self.secret_service.settings.access
        access.check_create(anonymous=self.caller.is_anonymous, client_ip=self.client_ip)
        return self.caller


async def provide_v1_call(request: Request[Any, Any, Any]) -> V1Call:
    """Authenticate the caller (bad credentials fail on every endpoint), then read the parameters."""
    services = services_of(request.app.state)
    secret_service = services.secret_service
    account_service = services.account_service
    caller = await authenticate(request, account_service)
    peer = request.client.host if request.client else None
    settings = secret_service.settings
    forwarded_for = request.headers.get("x-forwarded-for")
    address = client_address(peer, forwarded_for, settings.trusted_proxies, settings.ipv6_prefix)
    own_address = client_ip(peer, forwarded_for, settings.trusted_proxies)
    return V1Call(caller, address, await read_params(request), secret_service, own_address)
