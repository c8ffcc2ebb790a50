"""The /api/v1 routes: parse, call the secret service, shape the answer."""

from __future__ import annotations

from litestar import Controller, Router, get, post
from litestar.datastructures import ResponseHeader
from litestar.di import Provide
from litestar.params import FromPath

from api import wire
from api.auth import provide_caller, requires_account
from api.dependencies import CallerDep, ClientAddressDep, ParamsDep, SecretServiceDep
from api.errors import EXCEPTION_HANDLERS
from api.params import Params, read_params
from onetime.accounts import Caller
from onetime.service import SecretService

RECEIPT_PATHS = ("/private", "/metadata", "/receipt")


class StatusController(Controller):
    """Health and credential checks."""

    @get("/status")
    async def status(self, caller: CallerDep, secret_service: SecretServiceDep) -> wire.Status:
        """Report that the service, and its storage, are up."""
        del caller  # bad credentials must still fail
        await secret_service.check_storage()
        return wire.Status(region=secret_service.settings.region or wire.UNSET)

    @get("/authcheck")
    async def authcheck(self, account: CallerDep) -> wire.Status:
        """Confirm that the credentials are good."""
        del account  # resolving it is the check
        return wire.Status()


class SecretsController(Controller):
    """Create, reveal, read receipts of, and burn secrets."""

    @post(["/share", "/create"], status_code=200)
    async def share(
        self, params: ParamsDep, caller: CallerDep, client_address: ClientAddressDep, secret_service: SecretServiceDep
    ) -> wire.Metadata:
        """Create a secret from the given value."""
        receipt = await secret_service.create(caller, client_address, params.new_secret())
        return wire.metadata(receipt)

    @post("/generate", status_code=200)
    async def generate(
        self, params: ParamsDep, caller: CallerDep, client_address: ClientAddressDep, secret_service: SecretServiceDep
    ) -> wire.Metadata:
        """Create a secret from a generated password; the answer carries the password."""
        receipt = await secret_service.generate(caller, client_address, params.new_secret(), params.text("length"))
        return wire.metadata(receipt)

    @post("/secret/{key:str}", status_code=200)
    async def reveal(
        self,
        key: FromPath[str],
        params: ParamsDep,
        caller: CallerDep,
        client_address: ClientAddressDep,
        secret_service: SecretServiceDep,
    ) -> wire.Secret:
        """Reveal a secret once; it is gone before this answer leaves."""
        del caller  # bad credentials must still fail
        revealed = await secret_service.reveal(key, params.text("passphrase"), client_address)
        return wire.secret(revealed)

    @get([f"{base}/recent" for base in RECEIPT_PATHS])
    async def recent(self, account: CallerDep, secret_service: SecretServiceDep) -> list[wire.Metadata]:
        """List the caller's receipts of the last 30 days, newest first."""
        return [wire.metadata(receipt, listed=True) for receipt in await secret_service.recent(account)]

    @get([f"{base}/{{key:str}}" for base in RECEIPT_PATHS], name="receipt_get")
    async def receipt_get(
        self, key: FromPath[str], caller: CallerDep, secret_service: SecretServiceDep
    ) -> wire.Metadata:
        """Read a receipt (the receipt key is the capability)."""
        del caller
        return wire.metadata(await secret_service.receipt(key))

    @post([f"{base}/{{key:str}}" for base in RECEIPT_PATHS], status_code=200, name="receipt_post")
    async def receipt_post(
        self, key: FromPath[str], caller: CallerDep, secret_service: SecretServiceDep
    ) -> wire.Metadata:
        """Read a receipt, for clients that POST."""
        del caller
        return wire.metadata(await secret_service.receipt(key))

    @post([f"{base}/{{key:str}}/burn" for base in RECEIPT_PATHS], status_code=200)
    async def burn(
        self,
        key: FromPath[str],
        params: ParamsDep,
        caller: CallerDep,
        client_address: ClientAddressDep,
        secret_service: SecretServiceDep,
    ) -> wire.BurnResult:
        """Burn a secret before it is read."""
        del caller
        burned = await secret_service.burn(key, params.text("passphrase"), client_address)
        return wire.burn_result(burned)


def create_api_router() -> Router:
    """Return the /api/v1 router with its own error table and providers."""
    return Router(
        path="/api/v1",
        route_handlers=[StatusController, SecretsController],
        dependencies={
            "params": Provide(read_params),
            "caller": Provide(provide_caller),
            "account": Provide(requires_account),
        },
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        response_headers=[ResponseHeader(name="Cache-Control", value="no-store")],
        signature_namespace={"Params": Params, "Caller": Caller, "SecretService": SecretService},
    )
