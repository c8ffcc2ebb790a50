"""Secrets in the browser: create one (typed or generated), read its receipt, burn it, reveal it.

Handlers parse, call the secret service and render; errors go to `web.errors`. GET never
changes a secret beyond marking it viewed: only a POST reveals or burns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from litestar import Controller, Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from litestar.status_codes import HTTP_409_CONFLICT

from api.deps import services_of
from api.locale import locale_of
from onetime.errors import PassphraseNotRetyped, SecretWouldBeReplaced
from onetime.metrics import REVEALS_SECRET
from onetime.new_secret import NewSecret
from onetime.plans import Plan
from onetime.policy import IN_READ_MODE, CreationRestricted
from onetime.receipts import Receipt, Revealed
from onetime.secret_service import LOCKOUT
from web.access import check_create, may_create, refused_page
from web.deps import AnyRequest, CallerDep, ClientAddressDep, DomainServiceDep, SecretServiceDep, SiteDep
from web.methods import is_head
from web.pages.fields import optional_text, text
from web.rendering import View, remember_form, render, render_kept, see_other
from web.sites import ON_CUSTOM_DOMAINS, ON_PUBLIC_HOMEPAGE

HOME = View("pages/home.html", "partials/_create.html")
RECEIPT = View("pages/receipt.html", "partials/_receipt.html")
BURN = View("pages/burn.html", "partials/_burn.html")
REVEAL = View("pages/reveal.html", "partials/_reveal.html")
REVEALED = View("pages/revealed.html", "partials/_revealed.html")


@dataclass(frozen=True, slots=True)
class SecretForm:
    """The home page's form: a secret (or none, to generate one), a passphrase and an expiry."""

    secret: str = ""
    passphrase: str = ""
    ttl: str = ""
    recipient: str = ""
    """Where to email the link (signed-in accounts only); "" for nobody."""
    site_domain: str = ""
    """The custom domain whose public page was posted ("" on the canonical site)."""
    share_domain: str = ""
    """The account's verified domain chosen for the links ("" for this site's own host)."""
    keep_passphrase: bool = False
    """Whether a form drawn again after a mistake still asks for the passphrase typed before."""
    end_to_end: bool = False
    """Whether `secret` is a ciphertext the browser made (static/js/e2e.js); never drawn back in the form."""
    notify: tuple[str, ...] = ()
    """How the signed-in creator asks to be told of the outcome: the ticked "email", "webhook" boxes."""

    def check_passphrase_kept(self) -> None:
        """Refuse a form that asked to keep its passphrase but carries none (it is never drawn again)."""
        if self.keep_passphrase and not self.passphrase:
            raise PassphraseNotRetyped

    def check_nothing_typed(self) -> None:
        """Refuse to generate a password over a typed secret (without JavaScript the button stays on)."""
        if self.secret.strip():
            raise SecretWouldBeReplaced

    def new_secret(self, locale: str) -> NewSecret:
        """Return the creation request this form describes (`locale`: the language of its email)."""
        return NewSecret(
            value=self.secret,
            ttl=self.ttl or None,
            passphrase=self.passphrase or None,
            recipients=(self.recipient,) if self.recipient else (),
            share_domain=self.share_domain or None,
            site_domain=self.site_domain or None,
            end_to_end=self.end_to_end,
            locale=locale,
            notify=self.notify,
        )


@dataclass(frozen=True, slots=True)
class PassphraseForm:
    """A form whose one field is a passphrase (reveal, burn); None when the form had no such field."""

    passphrase: str | None = None
    end_to_end: bool = False
    """Whether the page that posted can decrypt an end-to-end secret (static/js/e2e.js says so)."""


SecretFormDep: TypeAlias = NamedDependency[SecretForm]
PassphraseFormDep: TypeAlias = NamedDependency[PassphraseForm]


def read_secret_form(form: FormMultiDict, site_domain: str = "") -> SecretForm:
    """Read the home form.

    Browsers send a textarea's line breaks as CRLF; they become LF, which is what the recipient's
    textarea shows, what the byte counter counted, and what the creator pasted.
    """
    return SecretForm(
        secret=text(form, "secret").replace("\r\n", "\n"),
        passphrase=text(form, "passphrase"),
        ttl=text(form, "ttl"),
        recipient=text(form, "recipient").strip(),
        site_domain=site_domain,
        share_domain=text(form, "share_domain").strip(),
        keep_passphrase=text(form, "keep_passphrase") == "1",
        end_to_end=text(form, END_TO_END_FIELD) == END_TO_END_VERSION,
        notify=tuple(value for value in form.getall("notify", []) if isinstance(value, str)),
    )


def read_passphrase_form(form: FormMultiDict) -> PassphraseForm:
    """Read a reveal or burn form."""
    return PassphraseForm(
        passphrase=optional_text(form, "passphrase"), end_to_end=text(form, END_TO_END_FIELD) == END_TO_END_VERSION
    )


def home_context(
    plan: Plan, form: SecretForm | None = None, share_domains: Sequence[str] = (), largest_size: int = 0
) -> dict[str, Any]:
    """Return what the home page draws: the form as typed (never the passphrase), the plan, the domains.

    `largest_size` is the most any plan allows: the hint names it when the caller's plan allows less.

    A form drawn again after a mistake leaves its passphrase out but says that one was typed, so
    the next submit cannot share the secret without it unless the creator says so.
    """
    form = form or SecretForm()
    chosen = plan.apply_ttl(form.ttl or None)
    return {
        "secret": "" if form.end_to_end else form.secret,  # a ciphertext is no text to draw back
        "passphrase_typed": bool(form.passphrase) or form.keep_passphrase,
        "recipient": form.recipient,
        "notify": form.notify,
        "share_domains": list(share_domains),
        "selected_domain": form.share_domain,
        "plan": plan,
        "account_size": largest_size if largest_size > plan.max_size else None,
        "selected_ttl": chosen if chosen in plan.ttl_choices else max(plan.ttl_choices),
    }


END_TO_END_FIELD, END_TO_END_VERSION = "e2e", "v1"
"""The field static/js/e2e.js adds to its posts: the value is a ciphertext of onetime/e2e_format.py."""
NEEDS_SCRIPT = {
    "form": "This secret was encrypted in the sender's browser: only a browser with JavaScript (or `ots receive`) "
    "can decrypt it. Nothing was revealed or deleted."
}

BURNED = "burned"
"""The `done` of the redirect after a burn, so the receipt says it worked."""


def receipt_context(receipt: Receipt, *, just_burned: bool = False, failed_guesses: int = 0) -> dict[str, Any]:
    """Return what the receipt page draws (whether the creator burned it just now, wrong passphrases tried)."""
    return {
        "receipt": receipt,
        "expires_at": receipt.created + receipt.ttl,
        "just_burned": just_burned,
        "failed_guesses": failed_guesses,
        "guess_window_minutes": LOCKOUT.window // 60,
    }


def burn_context(metadata_key: str, *, passphrase_required: bool) -> dict[str, Any]:
    """Return what the burn confirmation draws."""
    return {"metadata_key": metadata_key, "passphrase_required": passphrase_required}


def reveal_context(secret_key: str, *, passphrase_required: bool, end_to_end: bool = False) -> dict[str, Any]:
    """Return what the page before a reveal draws (an end-to-end secret: the browser's own form)."""
    return {"secret_key": secret_key, "passphrase_required": passphrase_required, "end_to_end": end_to_end}


def revealed_context(revealed: Revealed, *, end_to_end: bool = False) -> dict[str, Any]:
    """Return what the page of a revealed secret draws: the value, in a box sized to it.

    An end-to-end value is a ciphertext, which the page hands to static/js/e2e.js to decrypt.
    """
    lines = revealed.value.count("\n") + 1
    return {"value": revealed.value, "rows": min(max(lines, 3), 20), "end_to_end": end_to_end}


async def provide_secret_form(
    request: AnyRequest, caller: CallerDep, site: SiteDep, domain_service: DomainServiceDep
) -> SecretForm:
    """Read the home form, remembering how to draw it again with an error."""
    form = read_secret_form(await request.form(), site_domain=site.share_domain)
    domains = await domain_service.share_domains_of(caller)
    largest = domain_service.settings.max_secret_bytes
    remember_form(request, HOME, home_context(caller.plan, form, domains, largest))
    return form


async def provide_reveal_form(request: AnyRequest, secret_key: FromPath[str]) -> PassphraseForm:
    """Read the reveal form, remembering how to draw it again with an error."""
    form = read_passphrase_form(await request.form())
    required = form.passphrase is not None
    remember_form(request, REVEAL, reveal_context(secret_key, passphrase_required=required, end_to_end=form.end_to_end))
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
    """The home page and the two ways to create a secret (on a custom domain: its public homepage)."""

    opt = {ON_PUBLIC_HOMEPAGE: True}  # noqa: RUF012

    @get("/", name="home")
    async def home(self, request: AnyRequest, caller: CallerDep) -> Response[Any]:
        """Show the form that creates a secret (with a choice of link domain for accounts that have one).

        A visitor this deployment does not let create secrets (OTS_CREATE) is told how to get access instead.
        One dependency: two would be resolved in an anyio task group (~13% of the page's CPU).
        """
        if not may_create(request, caller):
            return refused_page(request, CreationRestricted(), status_code=200)
        domain_service = services_of(request.app.state).domain_service
        domains = await domain_service.share_domains_of(caller)
        largest = domain_service.settings.max_secret_bytes
        return render_kept(request, HOME, home_context(caller.plan, share_domains=domains, largest_size=largest))

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
        check_create(request, caller)
        secret_form.check_passphrase_kept()
        receipt = await secret_service.create(caller, client_address, secret_form.new_secret(locale_of(request)))
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
        check_create(request, caller)
        secret_form.check_nothing_typed()
        secret_form.check_passphrase_kept()
        receipt = await secret_service.generate(caller, client_address, secret_form.new_secret(locale_of(request)))
        return see_other(request, receipt_path(request, receipt.metadata_key))


class ReceiptController(Controller):
    """The creator's private receipt page, and burning from it, on the secret's link host."""

    path = "/private/{metadata_key:str}"
    opt = {ON_CUSTOM_DOMAINS: True}  # noqa: RUF012

    @get(name="receipt_page")
    async def receipt(
        self,
        request: AnyRequest,
        metadata_key: FromPath[str],
        secret_service: SecretServiceDep,
        done: FromQuery[str] = "",
    ) -> Template:
        """Show the share link, its QR code and what became of the secret (and that a burn worked)."""
        receipt = await secret_service.receipt(metadata_key)
        guarded = receipt.secret_exists and receipt.passphrase_required
        failed = await secret_service.failed_guesses(metadata_key) if guarded else 0
        context = receipt_context(receipt, just_burned=done == BURNED, failed_guesses=failed)
        return render(request, RECEIPT, context)

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
        """Burn the secret and go back to its receipt, which says it worked."""
        await secret_service.burn(metadata_key, burn_form.passphrase, client_address)
        return see_other(request, f"{receipt_path(request, metadata_key)}?done={BURNED}")


class RevealController(Controller):
    """The recipient's page: a GET that only looks, a POST that reveals, on the secret's link host."""

    path = "/secret/{secret_key:str}"
    opt = {ON_CUSTOM_DOMAINS: True, IN_READ_MODE: True}  # noqa: RUF012

    @get(name="reveal_page")
    async def reveal_page(
        self, request: AnyRequest, secret_key: FromPath[str], secret_service: SecretServiceDep
    ) -> Response[Any]:
        """Offer to reveal; link-preview bots that fetch the link consume nothing."""
        preview = await secret_service.preview(secret_key, mark_viewed=not is_head(request))  # a HEAD only looks
        context = reveal_context(
            secret_key, passphrase_required=preview.passphrase_required, end_to_end=preview.end_to_end
        )
        return render_kept(request, REVEAL, context, per_request={"secret_key": context.pop("secret_key")})

    @post(name="reveal", dependencies={"reveal_form": Provide(provide_reveal_form)}, opt={REVEALS_SECRET: True})
    async def reveal(
        self,
        request: AnyRequest,
        secret_key: FromPath[str],
        reveal_form: PassphraseFormDep,
        client_address: ClientAddressDep,
        secret_service: SecretServiceDep,
    ) -> Template:
        """Reveal the secret: this answer is the only page that ever shows its value.

        An end-to-end secret is consumed only by a page that can decrypt it: a form posted without
        JavaScript would destroy it and show a ciphertext nobody can read there.
        """
        end_to_end = await secret_service.is_end_to_end(secret_key)  # a read: it passes a paused Redis
        if end_to_end and not reveal_form.end_to_end:
            context = {**reveal_context(secret_key, passphrase_required=False, end_to_end=True), "errors": NEEDS_SCRIPT}
            return render(request, REVEAL, context, status_code=HTTP_409_CONFLICT)
        revealed = await secret_service.reveal(secret_key, reveal_form.passphrase, client_address)
        return render(request, REVEALED, revealed_context(revealed, end_to_end=end_to_end))
