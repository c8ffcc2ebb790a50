"""The browser app: create a secret, read its receipt, burn it, reveal it.

Handlers parse, call the secret service and render; errors go to `web.errors`. GET never
changes a secret beyond marking it viewed: only a POST reveals or burns.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from litestar import Controller, Request, Response, Router, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template

from api.dependencies import AccountServiceDep, CallerDep, ClientAddressDep, SecretServiceDep
from onetime.accounts.caller import Caller
from onetime.domains.service import DomainService
from onetime.domains.sites import Site
from web.account_pages import signed_in_of
from web.errors import PAGE_EXCEPTION_HANDLERS
from web.forms import PassphraseForm, SecretForm, read_passphrase_form, read_secret_form
from web.rendering import (
    BURN,
    HOME,
    RECEIPT,
    REVEAL,
    REVEALED,
    burn_context,
    home_context,
    receipt_context,
    remember_form,
    render,
    reveal_context,
    revealed_context,
    see_other,
)
from web.sites import provide_site

AnyRequest: TypeAlias = Request[Any, Any, Any]
SecretFormDep: TypeAlias = NamedDependency[SecretForm]
PassphraseFormDep: TypeAlias = NamedDependency[PassphraseForm]
SiteDep: TypeAlias = NamedDependency[Site]
DomainServiceDep: TypeAlias = NamedDependency[DomainService]


def provide_page_caller(request: AnyRequest, account_service: AccountServiceDep) -> Caller:
    """Return who is using the browser app: the signed-in account, else anonymous."""
    signed_in = signed_in_of(request)
    return signed_in.caller if signed_in else account_service.anonymous()


async def provide_secret_form(
    request: AnyRequest, caller: CallerDep, site: SiteDep, domain_service: DomainServiceDep
) -> SecretForm:
    """Read the home form, remembering how to draw it again with an error."""
    form = read_secret_form(await request.form(), site_domain=site.share_domain)
    remember_form(request, HOME, home_context(caller.plan, form, await domain_service.share_domains_of(caller)))
    return form


async def provide_reveal_form(request: AnyRequest, secret_key: FromPath[str]) -> PassphraseForm:
    """Read the reveal form, remembering how to draw it again with an error."""
    form = read_passphrase_form(await request.form())
    remember_form(request, REVEAL, reveal_context(secret_key, passphrase_required=form.passphrase is not None))
    return form


async def provide_burn_form(request: AnyRequest, metadata_key: FromPath[str]) -> PassphraseForm:
    """Read the burn confirmation, remembering how to draw it again with an error."""
    form = read_passphrase_form(await request.form())
    remember_form(request, BURN, burn_context(metadata_key, passphrase_required=form.passphrase is not None))
    return form


def receipt_path(request: AnyRequest, metadata_key: str) -> str:
    """Return the path of a receipt page."""
    return request.app.route_reverse("receipt_page", metadata_key=metadata_key)


class CreateController(Controller):
    """The home page and the two ways to create a secret."""

    @get("/", name="home")
    async def home(self, request: AnyRequest, caller: CallerDep, domain_service: DomainServiceDep) -> Template:
        """Show the form that creates a secret (with a choice of link domain for accounts that have one)."""
        return render(
            request, HOME, home_context(caller.plan, share_domains=await domain_service.share_domains_of(caller))
        )

    @post("/create", name="create", dependencies={"secret_form": Provide(provide_secret_form)})
    async def create(
        self,
        request: AnyRequest,
        secret_form: SecretFormDep,
        caller: CallerDep,
        client_address: ClientAddressDep,
        secret_service: SecretServiceDep,
    ) -> Response[Any]:
        """Store the typed secret and go to its receipt."""
        receipt = await secret_service.create(caller, client_address, secret_form.new_secret())
        return see_other(request, receipt_path(request, receipt.metadata_key))

    @post("/generate", name="generate", dependencies={"secret_form": Provide(provide_secret_form)})
    async def generate(
        self,
        request: AnyRequest,
        secret_form: SecretFormDep,
        caller: CallerDep,
        client_address: ClientAddressDep,
        secret_service: SecretServiceDep,
    ) -> Response[Any]:
        """Store a generated password and go to its receipt, which shows the password once."""
        receipt = await secret_service.generate(caller, client_address, secret_form.new_secret())
        return see_other(request, receipt_path(request, receipt.metadata_key))


class ReceiptController(Controller):
    """The creator's private receipt page, and burning from it."""

    path = "/private/{metadata_key:str}"

    @get(name="receipt_page")
    async def receipt(
        self, request: AnyRequest, metadata_key: FromPath[str], secret_service: SecretServiceDep
    ) -> Template:
        """Show the share link, its QR code and what became of the secret."""
        return render(request, RECEIPT, receipt_context(await secret_service.receipt(metadata_key)))

    @get("/burn", name="burn_page")
    async def confirm_burn(
        self, request: AnyRequest, metadata_key: FromPath[str], secret_service: SecretServiceDep
    ) -> Response[Any]:
        """Ask before burning; a secret that is already gone sends the creator back to its receipt."""
        receipt = await secret_service.receipt(metadata_key)
        if not receipt.secret_exists:
            return see_other(request, receipt_path(request, metadata_key))
        return render(request, BURN, burn_context(metadata_key, passphrase_required=receipt.passphrase_required))

    @post("/burn", name="burn", dependencies={"burn_form": Provide(provide_burn_form)})
    async def burn(
        self,
        request: AnyRequest,
        metadata_key: FromPath[str],
        burn_form: PassphraseFormDep,
        client_address: ClientAddressDep,
        secret_service: SecretServiceDep,
    ) -> Response[Any]:
        """Burn the secret and go back to its receipt."""
        await secret_service.burn(metadata_key, burn_form.passphrase, client_address)
        return see_other(request, receipt_path(request, metadata_key))


class RevealController(Controller):
    """The recipient's page: a GET that only looks, a POST that reveals."""

    path = "/secret/{secret_key:str}"

    @get(name="reveal_page")
    async def reveal_page(
        self, request: AnyRequest, secret_key: FromPath[str], secret_service: SecretServiceDep
    ) -> Template:
        """Offer to reveal; link-preview bots that fetch the link consume nothing."""
        preview = await secret_service.preview(secret_key)
        await secret_service.mark_viewed(secret_key)
        return render(request, REVEAL, reveal_context(secret_key, passphrase_required=preview.passphrase_required))

    @post(name="reveal", dependencies={"reveal_form": Provide(provide_reveal_form)})
    async def reveal(
        self,
        request: AnyRequest,
        secret_key: FromPath[str],
        reveal_form: PassphraseFormDep,
        client_address: ClientAddressDep,
        secret_service: SecretServiceDep,
    ) -> Template:
        """Reveal the secret: this answer is the only page that ever shows its value."""
        revealed = await secret_service.reveal(secret_key, reveal_form.passphrase, client_address)
        return render(request, REVEALED, revealed_context(revealed))


def create_pages_router() -> Router:
    """Return the router of the browser app, with its own error table."""
    return Router(
        path="/",
        route_handlers=[CreateController, ReceiptController, RevealController],
        dependencies={
            "caller": Provide(provide_page_caller, sync_to_thread=False),
            "site": Provide(provide_site, sync_to_thread=False),
        },
        exception_handlers=PAGE_EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        include_in_schema=False,
        signature_namespace={
            "Caller": Caller,
            "SecretForm": SecretForm,
            "PassphraseForm": PassphraseForm,
            "Site": Site,
            "DomainService": DomainService,
        },
    )
