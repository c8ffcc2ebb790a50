"""The /api/v2 routes: read the request, call the secret service, shape the answer.

Routes as upstream's `apps/api/v2/routes.txt` lists them: the receipt routes under `/receipt` and
their deprecated `/private` spelling, the guest mirrors under `/guest` (anonymous whatever the
request carries), and the meta routes. HEAD is answered wherever GET is (web/methods.py).
"""

from __future__ import annotations

from functools import partial
from typing import Any, TypeAlias

from litestar import Controller, Request, Router, get, patch, post
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.types import ControllerRouterHandler

from api.deps import services_of
from api.v2 import answers, secret_actions
from api.v2.body import read_body, read_query, typed
from api.v2.call import V2Call, provide_guest_call, provide_v2_call
from api.v2.errors import EXCEPTION_HANDLERS, NO_STORE, V2_PREFIX
from api.v2.openapi import V2_ERRORS, body_of
from api.v2.request_id import request_id_middleware
from api.v2.requests import (
    ConcealRequest,
    ConfirmRequest,
    GenerateRequest,
    MemoRequest,
    RecentQuery,
    StatusListRequest,
)
from onetime.policy import IN_READ_MODE

V2CallDep: TypeAlias = NamedDependency[V2Call]
AnyRequest: TypeAlias = Request[Any, Any, Any]
SUPPORTED_LOCALES = ["en"]
v2_get = partial(get, responses=V2_ERRORS)
v2_post = partial(post, status_code=200, responses=V2_ERRORS)
v2_patch = partial(patch, status_code=200, responses=V2_ERRORS)


class MetaController(Controller):
    """Health, languages and version."""

    @v2_get("/status", opt={IN_READ_MODE: True})
    async def status(self, request: AnyRequest) -> answers.ServiceStatus:
        """Report that the service, and its storage, are up."""
        await services_of(request.app.state).secret_service.check_storage()
        return answers.ServiceStatus()

    @v2_get("/supported-locales", opt={IN_READ_MODE: True})
    async def supported_locales(self) -> answers.Locales:
        """List the languages the server speaks."""
        return answers.Locales(locales=SUPPORTED_LOCALES)

    @v2_get("/version")
    async def version(self, call: V2CallDep) -> answers.Version:
        """Tell an authenticated caller which version this server runs."""
        call.account()
        return answers.Version(version=secret_actions.version_parts())


class SecretController(Controller):
    """Create, describe and reveal secrets (also under /guest)."""

    @v2_post("/secret/conceal", operation_class=body_of(ConcealRequest))
    async def conceal(self, request: AnyRequest, call: V2CallDep) -> answers.Created:
        """Store the given value as a secret."""
        return await secret_actions.conceal_secret(call, typed(await read_body(request), ConcealRequest).secret)

    @v2_post("/secret/generate", operation_class=body_of(GenerateRequest))
    async def generate(self, request: AnyRequest, call: V2CallDep) -> answers.Created:
        """Store a generated password as a secret; its receipt shows it once, within a minute."""
        return await secret_actions.generate_secret(call, typed(await read_body(request), GenerateRequest).secret)

    @v2_get("/secret/{identifier:str}", opt={IN_READ_MODE: True})
    async def show(self, identifier: FromPath[str], call: V2CallDep) -> answers.SecretAnswer:
        """Describe a secret that can be revealed; a GET never reveals."""
        return await secret_actions.show_secret(call, identifier)

    @v2_post("/secret/{identifier:str}/reveal", operation_class=body_of(ConfirmRequest), opt={IN_READ_MODE: True})
    async def reveal(self, request: AnyRequest, identifier: FromPath[str], call: V2CallDep) -> answers.SecretAnswer:
        """Reveal a secret once (with `continue: true`); it is gone before this answer leaves."""
        confirm = typed(await read_body(request), ConfirmRequest)
        return await secret_actions.reveal_secret(call, identifier, confirm)


class SecretStatusController(Controller):
    """The state of secrets, for anyone holding their links."""

    opt = {IN_READ_MODE: True}  # noqa: RUF012

    @v2_get("/secret/{identifier:str}/status")
    async def secret_status(self, identifier: FromPath[str], call: V2CallDep) -> answers.SecretStatusAnswer:
        """Describe a secret, or say `unknown`; never a 404."""
        return answers.secret_status_answer(await call.secret_service.secret_status(identifier))

    @v2_post("/secret/status", operation_class=body_of(StatusListRequest))
    async def secret_statuses(self, request: AnyRequest, call: V2CallDep) -> answers.SecretList:
        """Describe the secrets among those asked about that can still be revealed."""
        asked = typed(await read_body(request), StatusListRequest)
        return await secret_actions.list_secrets(call, asked.secret_keys())


class ReceiptController(Controller):
    """Read a receipt and burn its secret; the receipt identifier is the capability (also under /guest)."""

    @v2_get("/{identifier:str}")
    async def receipt(self, identifier: FromPath[str], call: V2CallDep) -> answers.ReceiptAnswer:
        """Read a receipt (a generated password shows here once, within a minute of its creation)."""
        return answers.receipt_answer(await call.secret_service.receipt(identifier))

    @v2_post("/{identifier:str}/burn", operation_class=body_of(ConfirmRequest))
    async def burn(self, request: AnyRequest, identifier: FromPath[str], call: V2CallDep) -> answers.BurnAnswer:
        """Burn the secret (with `continue: true`); `success` says whether this request burned it."""
        confirm = typed(await read_body(request), ConfirmRequest)
        return await secret_actions.burn_secret(call, identifier, confirm)


class OwnerReceiptController(Controller):
    """What only an account may do with receipts."""

    @v2_get("/recent")
    async def recent(self, request: AnyRequest, call: V2CallDep) -> answers.RecentAnswer:
        """List the caller's receipts of the last 30 days, newest first (HTTP Basic credentials needed)."""
        return await secret_actions.recent_receipts(call, typed(read_query(request), RecentQuery))

    @v2_patch("/{identifier:str}", operation_class=body_of(MemoRequest))
    async def update(self, request: AnyRequest, identifier: FromPath[str], call: V2CallDep) -> answers.MemoAnswer:
        """Update a receipt, for its owner only."""
        memo = typed(await read_body(request), MemoRequest)
        return await secret_actions.update_memo(call, identifier, memo)


def _receipt_routes(path: str, *, with_owner_routes: bool) -> Router:
    handlers: list[ControllerRouterHandler] = [ReceiptController]
    if with_owner_routes:
        handlers.append(OwnerReceiptController)
    return Router(path=path, route_handlers=handlers)


def create_v2_router() -> Router:
    """Return the /api/v2 router: its error table, its request ids, and the guest routes under /guest."""
    guest = Router(
        path="/guest",
        route_handlers=[SecretController, _receipt_routes("/receipt", with_owner_routes=False)],
        dependencies={"call": Provide(provide_guest_call)},
    )
    return Router(
        path=V2_PREFIX,
        route_handlers=[
            MetaController,
            SecretController,
            SecretStatusController,
            _receipt_routes("/receipt", with_owner_routes=True),
            _receipt_routes("/private", with_owner_routes=True),
            guest,
        ],
        dependencies={"call": Provide(provide_v2_call)},
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        middleware=[request_id_middleware],
        response_headers=[ResponseHeader(name=name, value=value) for name, value in NO_STORE.items()],
        signature_namespace={"V2Call": V2Call},
        tags=["v2"],
    )
