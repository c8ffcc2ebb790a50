"""Custom domains in the browser: add, check DNS, brand, upload a logo, remove; the brand assets.

Every domain page needs a signed-in account and shows only that account's domains; a domain of
anyone else is "not found". Errors go to `web.errors`: a refused form comes back with the message.

The pages' Content-Security-Policy forbids inline styles, so a brand colour reaches the page as a
stylesheet of its own, served from the same origin like the logo. Both brand assets carry the
brand's version in their URL (see templates/base.html), so they may be cached for long.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

from litestar import Controller, Response, get, post
from litestar.datastructures import CacheControlHeader, FormMultiDict, UploadFile
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from onetime.accounts.signin import SignedIn
from onetime.domains.branding import BRANDING_FIELDS, LOGO_MAX_BYTES, Branding, BrandingChange, Logo, text_colour_on
from onetime.domains.custom_domain import Domain, UnknownDomain
from onetime.domains.service import DomainService
from onetime.policy import IN_READ_MODE
from web.deps import AnyRequest, DomainServiceDep, SignedInDep, SiteDep
from web.pages.fields import text
from web.rendering import View, remember_form, render, see_other
from web.sites import ON_CUSTOM_DOMAINS

DOMAINS = View("pages/domains.html", "partials/_domains.html")
DOMAIN = View("pages/domain.html", "partials/_domain.html")
DOMAIN_REMOVE = View("pages/domain_remove.html", "partials/_domain_remove.html")
STATE_LABELS = {"unverified": "Not checked yet", "pending": "Waiting for DNS", "verified": "Verified"}
_UPLOAD_ROOM = 16 * 1024
"""Room for the multipart framing and the CSRF token around an uploaded logo."""
ASSET_CACHE = CacheControlHeader(public=True, max_age=7 * 24 * 3600)


@dataclass(frozen=True, slots=True)
class BrandForm:
    """The branding form as posted (or as stored): one value per BRANDING_FIELDS entry, by name."""

    values: Mapping[str, str | bool]

    @classmethod
    def of(cls, branding: Branding) -> BrandForm:
        """Return the form filled with a domain's current brand."""
        return cls({field.name: getattr(branding, field.name) for field in BRANDING_FIELDS})

    def __getitem__(self, name: str) -> str | bool:
        """Return a field's value (templates read `brand_form.display_name`)."""
        return self.values[name]

    def change(self) -> BrandingChange:
        """Return the change this form asks for (every value, so cleared fields are cleared)."""
        return BrandingChange.of_values(self.values)


BrandFormDep: TypeAlias = NamedDependency[BrandForm]


def read_brand_form(form: FormMultiDict) -> BrandForm:
    """Read the branding form; an unticked checkbox is not posted at all."""
    return BrandForm(
        {
            field.name: text(form, field.name) == "on" if field.kind == "switch" else text(form, field.name)
            for field in BRANDING_FIELDS
        }
    )


def domains_context(domains: list[Domain], typed: str = "") -> dict[str, Any]:
    """Return what the list of domains draws, with the add form as typed."""
    return {"domains": domains, "typed": typed, "state_labels": STATE_LABELS}


NOTICES = {"brand": "The brand is saved.", "logo": "The logo is saved."}
"""What the domain's page says after a form posted to it succeeded, by the `done` its redirect names."""
CHECKED = "checked"
"""The `done` of the redirect after a DNS check."""


def domain_context(
    domain: Domain, point_to: str, *, checked: bool = False, saved: str = "", form: BrandForm | None = None
) -> dict[str, Any]:
    """Return what a domain's page draws; `form` keeps what was typed when the brand was refused.

    `point_to` is this server's own host, which the DNS instructions name.
    """
    shown = form or BrandForm.of(domain.branding)
    return {
        "domain": domain,
        "point_to": point_to,
        "checked": checked,
        "saved": saved,
        "brand_form": shown,
        "branding_fields": BRANDING_FIELDS,
        "state_labels": STATE_LABELS,
    }


def logo_response(logo: Logo | None, headers: dict[str, str]) -> Response[bytes]:
    """Answer with a logo as it was re-encoded when uploaded; "not found" when there is none."""
    if logo is None:
        raise NotFoundException
    return Response(logo.data, media_type=logo.content_type, headers=headers)


DARK_SURFACE = "#1e1e23"
"""The lightest background of the dark scheme (static/css/site.css) a brand colour is drawn on."""
READABLE_CONTRAST = 4.5
"""WCAG AA contrast for text, which the brand colour is used as (the site's name, links)."""


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4  # noqa: PLR2004 - sRGB constants

    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def contrast(first: str, second: str) -> float:
    """Return the WCAG contrast ratio of two #rrggbb colours."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def dark_scheme_colour(colour: str) -> str:
    """Return the brand colour lightened (mixed with white) just enough to read on the dark scheme."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    for step in range(21):
        mix = step / 20
        mixed = "#" + "".join(f"{round(c + (255 - c) * mix):02x}" for c in (red, green, blue))
        if contrast(mixed, DARK_SURFACE) >= READABLE_CONTRAST:
            return mixed
    return "#ffffff"


def domain_path(request: AnyRequest, domain_name: str, done: str) -> str:
    """Return the domain's page, saying which form just succeeded (a word, never a value)."""
    return f"{request.app.route_reverse('domain_page', domain_name=domain_name)}?done={done}"


async def _owned(domain_service: DomainService, signed_in: SignedIn, name: str) -> Domain:
    try:
        return await domain_service.owned(signed_in.email, name)
    except UnknownDomain:
        raise NotFoundException from None


async def provide_add_form(request: AnyRequest, signed_in: SignedInDep, domain_service: DomainServiceDep) -> str:
    """Read the domain to add, remembering how to draw the list again with an error."""
    typed = text(await request.form(), "domain").strip()
    remember_form(request, DOMAINS, domains_context(await domain_service.of_account(signed_in.email), typed))
    return typed


async def provide_brand_form(
    request: AnyRequest, domain_name: FromPath[str], signed_in: SignedInDep, domain_service: DomainServiceDep
) -> BrandForm:
    """Read the branding form, remembering how to draw the domain's page again with an error."""
    form = read_brand_form(await request.form())
    domain = await _owned(domain_service, signed_in, domain_name)
    remember_form(request, DOMAIN, domain_context(domain, domain_service.canonical.host, form=form))
    return form


async def provide_logo(
    request: AnyRequest, domain_name: FromPath[str], signed_in: SignedInDep, domain_service: DomainServiceDep
) -> bytes:
    """Read the uploaded logo, remembering how to draw the domain's page again with an error."""
    domain = await _owned(domain_service, signed_in, domain_name)
    remember_form(request, DOMAIN, domain_context(domain, domain_service.canonical.host))
    upload = (await request.form()).get("logo")
    return await upload.read() if isinstance(upload, UploadFile) else b""


class DomainsController(Controller):
    """The account's custom domains."""

    path = "/account/domains"

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
        self,
        request: AnyRequest,
        domain_name: FromPath[str],
        signed_in: SignedInDep,
        domain_service: DomainServiceDep,
        done: FromQuery[str] = "",
    ) -> Template:
        """Show the domain's state, its DNS record, its brand and its logo (and what a form just did)."""
        domain = await _owned(domain_service, signed_in, domain_name)
        context = domain_context(
            domain, domain_service.canonical.host, checked=done == CHECKED, saved=NOTICES.get(done, "")
        )
        return render(request, DOMAIN, context)

    @post("/{domain_name:str}/verify", name="domain_verify")
    async def verify(
        self, request: AnyRequest, domain_name: FromPath[str], signed_in: SignedInDep, domain_service: DomainServiceDep
    ) -> Response[Any]:
        """Ask DNS now, and show what it said on the domain's page."""
        await _owned(domain_service, signed_in, domain_name)
        await domain_service.verify(signed_in.email, domain_name)
        return see_other(request, domain_path(request, domain_name, CHECKED))

    @post("/{domain_name:str}/brand", name="domain_brand", dependencies={"brand_form": Provide(provide_brand_form)})
    async def brand(
        self,
        request: AnyRequest,
        domain_name: FromPath[str],
        brand_form: BrandFormDep,
        signed_in: SignedInDep,
        domain_service: DomainServiceDep,
    ) -> Response[Any]:
        """Save the brand and go back to the domain's page, which says so."""
        await domain_service.brand(signed_in.email, domain_name, brand_form.change())
        return see_other(request, domain_path(request, domain_name, "brand"))

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
    ) -> Response[Any]:
        """Re-encode and save the uploaded logo, and go back to the domain's page, which says so."""
        await domain_service.brand(signed_in.email, domain_name, BrandingChange(logo=logo))
        return see_other(request, domain_path(request, domain_name, "logo"))

    @get("/{domain_name:str}/logo", name="domain_logo_preview")
    async def logo_preview(
        self, domain_name: FromPath[str], signed_in: SignedInDep, domain_service: DomainServiceDep
    ) -> Response[bytes]:
        """Show the owner the logo as recipients will see it."""
        logo = await domain_service.logo(await _owned(domain_service, signed_in, domain_name))
        return logo_response(logo, {"Cache-Control": "no-store"})

    @get("/{domain_name:str}/remove", name="domain_remove_page")
    async def confirm_remove(
        self, request: AnyRequest, domain_name: FromPath[str], signed_in: SignedInDep, domain_service: DomainServiceDep
    ) -> Template:
        """Ask before removing: every link that uses the domain stops working."""
        domain = await _owned(domain_service, signed_in, domain_name)
        return render(request, DOMAIN_REMOVE, {"domain": domain})

    @post("/{domain_name:str}/remove", name="domain_remove")
    async def remove(
        self, request: AnyRequest, domain_name: FromPath[str], signed_in: SignedInDep, domain_service: DomainServiceDep
    ) -> Response[Any]:
        """Forget the domain once the removal is confirmed; its links stop working at once."""
        await _owned(domain_service, signed_in, domain_name)
        if text(await request.form(), "confirm") != "yes":
            return see_other(request, request.app.route_reverse("domain_remove_page", domain_name=domain_name))
        await domain_service.remove(signed_in.email, domain_name)
        return see_other(request, request.app.route_reverse("domains"))


class BrandController(Controller):
    """The brand assets of the request's site, which its pages link to."""

    path = "/brand"
    opt = {ON_CUSTOM_DOMAINS: True, IN_READ_MODE: True}  # noqa: RUF012
    cache_control = ASSET_CACHE

    @get("/style.css", name="brand_stylesheet")
    async def stylesheet(self, site: SiteDep) -> Template:
        """Serve the colours of the site's brand as CSS custom properties."""
        colour = site.branding.primary_colour if site.branding else ""
        if not colour:
            raise NotFoundException
        dark = dark_scheme_colour(colour)
        context = {"colour": colour, "on_colour": text_colour_on(colour), "dark": dark, "on_dark": text_colour_on(dark)}
        return Template("brand/style.css", context=context, media_type="text/css")

    @get("/logo", name="brand_logo")
    async def logo(self, site: SiteDep, domain_service: DomainServiceDep) -> Response[bytes]:
        """Serve the site's logo."""
        logo = await domain_service.logo(site.domain) if site.domain else None
        return logo_response(logo, {"Content-Disposition": "inline"})
