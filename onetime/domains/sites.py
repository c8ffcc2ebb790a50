"""Sites: who a request's host is, this deployment's canonical site or a verified custom domain."""

from __future__ import annotations

from dataclasses import dataclass

from onetime.domains.branding import Branding
from onetime.domains.custom_domain import Domain


@dataclass(frozen=True, slots=True)
class Site:
    """Who a request's host is: this deployment's canonical site, or a verified custom domain."""

    host: str
    origin: str
    domain: Domain | None = None

    @property
    def is_custom(self) -> bool:
        """Tell whether the site is a customer's domain."""
        return self.domain is not None

    @property
    def branding(self) -> Branding | None:
        """Return the brand of a custom domain; None on the canonical site."""
        return self.domain.branding if self.domain else None

    @property
    def serves_home(self) -> bool:
        """Tell whether the site serves the page that creates secrets."""
        return self.domain is None or self.domain.branding.public_homepage

    @property
    def display_name(self) -> str:
        """Return the name the site shows: the brand's, else the domain, else the product's."""
        if self.domain is None:
            return "Onetime Secret"
        return self.domain.branding.display_name or self.domain.name

    @property
    def share_domain(self) -> str:
        """Return the share domain that secrets of this site carry ("" on the canonical site)."""
        return self.domain.name if self.domain else ""
