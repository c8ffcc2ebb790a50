"""The /api/v1 routes: parse, call the secret service, shape the answer."""

from __future__ import annotations

from functools import partial
from typing import TypeAlias

from litestar import Controller, Router, get, post
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath

from api import schemas
from api.deps import V1Call, provide_v1_call
from api.errors import EXCEPTION_HANDLERS, NO_STORE
from api.openapi import V1_ERRORS, reads
from onetime.metrics import REVEALS_SECRET
from onetime.policy import IN_READ_MODE

RECEIPT_PATHS = ("/private", "/metadata", "/receipt")
V1CallDep: TypeAlias = NamedDependency[V1Call]
# Every v1 answer is a 200 (a POST too) or the 404 error body.
v1_get = partial(get, responses=V1_ERRORS)
v1_post = partial(post, status_code=200, responses=V1_ERRORS)


class StatusController(Controller):
    """Health and credential checks."""

    @v1_get("/status", opt={IN_READ_MODE: True})
    async def status(self, call: V1CallDep) -> schemas.Status:
        """Report that the service, and its storage, are up (bad credentials still fail)."""
        await call.secret_service.check_storage()
        return schemas.Status(region=call.secret_service.settings.region or schemas.UNSET)

    @v1_get("/authcheck")
    async def authcheck(self, call: V1CallDep) -> schemas.Status:
        """Confirm that the credentials are good."""
        call.account()
        return schemas.Status()


class SecretsController(Controller):
    """Create, reveal, read receipts of, and burn secrets."""

    @v1_post(["/share", "/create"], operation_class=reads(schemas.ShareParams))
    async def share(self, call: V1CallDep) -> schemas.Metadata:
        """Create a secret from the given value."""
        params = call.params.read(schemas.ShareParams)
        receipt = await call.secret_service.create(
            call.creator(), call.client_address, params.new_secret(params.secret)
        )
        return schemas.metadata(receipt)

    @v1_post("/generate", operation_class=reads(schemas.GenerateParams))
    async def generate(self, call: V1CallDep) -> schemas.Metadata:
        """Create a secret from a generated password; the answer carries the password."""
        params = call.params.read(schemas.GenerateParams)
        receipt = await call.secret_service.generate(
            call.creator(), call.client_address, params.new_secret(), params.length
        )
        return schemas.metadata(receipt)

    @v1_post(
        "/secret/{key:str}",
        operation_class=reads(schemas.PassphraseParams),
        opt={REVEALS_SECRET: True, IN_READ_MODE: True},
    )
    async def reveal(self, key: FromPath[str], call: V1CallDep) -> schemas.Secret:
        """Reveal a secret once; it is gone before this answer leaves."""
        params = call.params.read(schemas.PassphraseParams)
        revealed = await call.secret_service.reveal(key, params.passphrase, call.client_address)
        return schemas.secret(revealed)

    @v1_get([f"{base}/recent" for base in RECEIPT_PATHS])
    async def recent(self, call: V1CallDep) -> list[schemas.Metadata]:
        """List the caller's receipts of the last 30 days, newest first."""
        return [schemas.metadata(receipt, listed=True) for receipt in await call.secret_service.recent(call.account())]

    @v1_get([f"{base}/{{key:str}}" for base in RECEIPT_PATHS], name="receipt_get")
    async def receipt_get(self, key: FromPath[str], call: V1CallDep) -> schemas.Metadata:
        """Read a receipt (the receipt key is the capability)."""
        return schemas.metadata(await call.secret_service.receipt(key))

    @v1_post([f"{base}/{{key:str}}" for base in RECEIPT_PATHS], name="receipt_post")
    async def receipt_post(self, key: FromPath[str], call: V1CallDep) -> schemas.Metadata:
        """Read a receipt, for clients that POST."""
        return schemas.metadata(await call.secret_service.receipt(key))

    @v1_post([f"{base}/{{key:str}}/burn" for base in RECEIPT_PATHS], operation_class=reads(schemas.PassphraseParams))
    async def burn(self, key: FromPath[str], call: V1CallDep) -> schemas.BurnResult:
        """Burn a secret before it is read."""
        params = call.params.read(schemas.PassphraseParams)
        burned = await call.secret_service.burn(key, params.passphrase, call.client_address)
        return schemas.burn_result(burned)


def create_api_router() -> Router:
    """Return the /api/v1 router with its own error table and its one provider."""
    return Router(
        path="/api/v1",
        route_handlers=[StatusController, SecretsController],
        dependencies={"call": Provide(provide_v1_call)},
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        response_headers=[ResponseHeader(name=name, value=value) for name, value in NO_STORE.items()],
        signature_namespace={"V1Call": V1Call},
    )
