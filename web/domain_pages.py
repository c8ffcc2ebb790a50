"""The account's custom domains in the browser: add, check DNS, brand, upload a logo, remove.

Every page needs a signed-in account and shows only that account's domains; a domain of anyone
else is "not found". Errors go to `web.errors`: a refused form comes back with the message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

from litestar import Controller, Request, Response, Router, get, post
from litestar.datastructures import FormMultiDict, UploadFile
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from onetime.accounts.signin import SignedIn
from onetime.domains.branding import LOGO_MAX_BYTES, BrandingChange
from onetime.domains.custom_domain import Domain, UnknownDomain
from onetime.domains.service import DomainService
from web.account_pages import requires_signed_in
from web.errors import PAGE_EXCEPTION_HANDLERS
from web.rendering import View, remember_form, render, see_other

AnyRequest: TypeAlias = Request[Any, Any, Any]
SignedInDep: TypeAlias = NamedDependency[SignedIn]
DomainServiceDep: TypeAlias = NamedDependency[DomainService]

DOMAINS = View("pages/domains.html", "partials/_domains.html")
DOMAIN = View("pages/domain.html", "partials/_domain.html")
STATE_LABELS = {"unverified": "Not checked yet", "pending": "Waiting for DNS", "verified": "Verified"}
_UPLOAD_ROOM = 16 * 1024
"""Room for the multipart framing and the CSRF token around an uploaded logo."""


@dataclass(frozen=True, slots=True)
class BrandForm:
    """The branding form as posted: every text field, and the public homepage checkbox."""

    display_name: str = ""
    primary_colour: str = ""
    before_reveal: str = ""
    on_reveal: str = ""
    after_reveal: str = ""
    public_homepage: bool = False

    def change(self) -> BrandingChange:
        """Return the change this form asks for (every value, so cleared fields are cleared)."""
        return BrandingChange(
            display_name=self.display_name,
            primary_colour=self.primary_colour,
            before_reveal=self.before_reveal,
            on_reveal=self.on_reveal,
            after_reveal=self.after_reveal,
            public_homepage=self.public_homepage,
        )


BrandFormDep: TypeAlias = NamedDependency[BrandForm]


def _text(form: FormMultiDict, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def domains_context(domains: list[Domain], typed: str = "") -> dict[str, Any]:
    """Return what the list of domains draws, with the add form as typed."""
    return {"domains": domains, "typed": typed, "state_labels": STATE_LABELS}


def domain_context(
    domain: Domain, *, checked: bool = False, saved: str = "", form: BrandForm | None = None
) -> dict[str, Any]:
    """Return what a domain's page draws; `form` keeps what was typed when the brand was refused."""
    brand = domain.branding
    shown = form or BrandForm(
        brand.display_name, brand.primary_colour, brand.before_reveal, brand.on_reveal, brand.after_reveal,
        brand.public_homepage,
    )  # fmt: skip
    return {"domain": domain, "checked": checked, "saved": saved, "brand_form": shown, "state_labels": STATE_LABELS}


async def _owned(domain_service: DomainService, signed_in: SignedIn, name: str) -> Domain:
    try:
        return await domain_service.owned(signed_in.email, name)
    except UnknownDomain:
        raise NotFoundException from None


async def provide_add_form(request: AnyRequest, signed_in: SignedInDep, domain_service: DomainServiceDep) -> str:
    """Read the domain to add, remembering how to draw the list again with an error."""
    typed = _text(await request.form(), "domain").strip()
    remember_form(request, DOMAINS, domains_context(await domain_service.of_account(signed_in.email), typed))
    return typed


async def provide_brand_form(
    request: AnyRequest, domain_name: FromPath[str], signed_in: SignedInDep, domain_service: DomainServiceDep
) -> BrandForm:
    """Read the branding form, remembering how to draw the domain's page again with an error."""
    posted = await request.form()
    form = BrandForm(
        display_name=_text(posted, "display_name"),
        primary_colour=_text(posted, "primary_colour"),
        before_reveal=_text(posted, "before_reveal"),
        on_reveal=_text(posted, "on_reveal"),
        after_reveal=_text(posted, "after_reveal"),
        public_homepage=_text(posted, "public_homepage") == "on",
    )
    remember_form(request, DOMAIN, domain_context(await _owned(domain_service, signed_in, domain_name), form=form))
    return form


async def provide_logo(
    request: AnyRequest, domain_name: FromPath[str], signed_in: SignedInDep, domain_service: DomainServiceDep
) -> bytes:
    """Read the uploaded logo, remembering how to draw the domain's page again with an error."""
    remember_form(request, DOMAIN, domain_context(await _owned(domain_service, signed_in, domain_name)))
    upload = (await request.form()).get("logo")
    return await upload.read() if isinstance(upload, UploadFile) else b""


class DomainsController(Controller):
    """The account's custom domains."""

    path = "/account/domains"
    dependencies = {"signed_in": Provide(requires_signed_in, sync_to_thread=False)}  # noqa: RUF012

    @get(name="domains")
    async def domains(self, request: AnyRequest, signed_in: SignedInDep, domain_service: DomainServiceDep) -> Template:
        """List the account's domains and offer to add one."""
        return render(request, DOMAINS, domains_context(await domain_service.of_account(signed_in.email)))

    @post(name="domain_add", dependencies={"typed": Provide(provide_add_form)})
    async def add(
        self, request: AnyRequest, typed: NamedDependency[str], signed_in: SignedInDep, domain_service: DomainServiceDep
    ) -> Response[Any]:
        """Register the domain and go to its page, which shows the DNS record to create."""
        domain = await domain_service.add(signed_in.email, typed)
        return see_other(request, request.app.route_reverse("domain_page", domain_name=domain.name))

    @get("/{domain_name:str}", name="domain_page")
    async def domain(
        self, request: AnyRequest, domain_name: FromPath[str], signed_in: SignedInDep, domain_service: DomainServiceDep
    ) -> Template:
        """Show the domain's state, its DNS record, its brand and its logo."""
        return render(request, DOMAIN, domain_context(await _owned(domain_service, signed_in, domain_name)))

    @post("/{domain_name:str}/verify", name="domain_verify")
    async def verify(
        self, request: AnyRequest, domain_name: FromPath[str], signed_in: SignedInDep, domain_service: DomainServiceDep
    ) -> Template:
        """Ask DNS now, and show what it said."""
        await _owned(domain_service, signed_in, domain_name)
        domain, _ = await domain_service.verify(signed_in.email, domain_name)
        return render(request, DOMAIN, domain_context(domain, checked=True))

    @post("/{domain_name:str}/brand", name="domain_brand", dependencies={"brand_form": Provide(provide_brand_form)})
    async def brand(
        self,
        request: AnyRequest,
        domain_name: FromPath[str],
        brand_form: BrandFormDep,
        signed_in: SignedInDep,
        domain_service: DomainServiceDep,
    ) -> Template:
        """Save the brand."""
        domain = await domain_service.brand(signed_in.email, domain_name, brand_form.change())
        return render(request, DOMAIN, domain_context(domain, saved="The brand is saved."))

    @post(
        "/{domain_name:str}/logo",
        name="domain_logo",
        dependencies={"logo": Provide(provide_logo)},
        request_max_body_size=LOGO_MAX_BYTES + _UPLOAD_ROOM,
    )
    async def logo(
        self,
        request: AnyRequest,
        domain_name: FromPath[str],
        logo: NamedDependency[bytes],
        signed_in: SignedInDep,
        domain_service: DomainServiceDep,
    ) -> Template:
        """Re-encode and save the uploaded logo."""
        domain = await domain_service.brand(signed_in.email, domain_name, BrandingChange(logo=logo))
        return render(request, DOMAIN, domain_context(domain, saved="The logo is saved."))

    @get("/{domain_name:str}/logo", name="domain_logo_preview")
    async def logo_preview(
        self, domain_name: FromPath[str], signed_in: SignedInDep, domain_service: DomainServiceDep
    ) -> Response[bytes]:
        """Show the owner the logo as recipients will see it."""
        logo = await domain_service.logo(await _owned(domain_service, signed_in, domain_name))
        if logo is None:
            raise NotFoundException
        return Response(logo.data, media_type=logo.content_type, headers={"Cache-Control": "no-store"})

    @post("/{domain_name:str}/remove", name="domain_remove")
    async def remove(
        self, request: AnyRequest, domain_name: FromPath[str], signed_in: SignedInDep, domain_service: DomainServiceDep
    ) -> Response[Any]:
        """Forget the domain; its links stop working at once."""
        await _owned(domain_service, signed_in, domain_name)
        await domain_service.remove(signed_in.email, domain_name)
        return see_other(request, request.app.route_reverse("domains"))


def create_domain_pages_router() -> Router:
    """Return the router of the account's domain pages, with the pages' error table."""
    return Router(
        path="/",
        route_handlers=[DomainsController],
        exception_handlers=PAGE_EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        include_in_schema=False,
        signature_namespace={"SignedIn": SignedIn, "DomainService": DomainService, "BrandForm": BrandForm},
    )
