"""Who may use this deployment for what: creating secrets, signing up, and read-only deployments.

One place for each rule, read by the pages and both APIs:

- `OTS_CREATE`: `anyone` may create secrets (the default); `accounts`: only callers with an account
  (signed in, or API credentials); `networks`: accounts, and anonymous callers whose address (as
  resolved behind the trusted proxies) is inside `OTS_CREATE_NETWORKS`. Reading a link is never
  restricted: a recipient needs no account.
- `OTS_MODE=read`: the deployment reveals secrets and nothing else, so a company can expose reading
  on the internet and keep creation on an internal deployment that shares its Redis.
- `OTS_SIGNUP`: `open` (anyone may create a browser account), `closed`, or `invite` (only with a
  single-use link from `ots account invite EMAIL`).

The parsing of these variables, of the expiries and of the plans lives in `onetime.policy_settings`.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from onetime.errors import OnetimeError

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

CREATE_ANYONE, CREATE_ACCOUNTS, CREATE_NETWORKS = "anyone", "accounts", "networks"
CREATE_CHOICES = (CREATE_ANYONE, CREATE_ACCOUNTS, CREATE_NETWORKS)
MODE_FULL, MODE_READ = "full", "read"
MODE_CHOICES = (MODE_FULL, MODE_READ)
SIGNUP_OPEN, SIGNUP_CLOSED, SIGNUP_INVITE = "open", "closed", "invite"
SIGNUP_CHOICES = (SIGNUP_OPEN, SIGNUP_CLOSED, SIGNUP_INVITE)


class CreationRestricted(OnetimeError):
    """An anonymous caller may not create secrets here (OTS_CREATE); reading links stays open."""

    message = "Creating secrets here needs an account: sign in (or use an API token), or ask the operator for one."


class ReadOnlyDeployment(OnetimeError):
    """This deployment only reveals secrets (OTS_MODE=read): it creates nothing and has no accounts."""

    message = "This server only opens secret links: secrets are created, and accounts kept, elsewhere."


class SignUpClosed(OnetimeError):
    """Browser sign-up is closed (OTS_SIGNUP=closed), or needs an invitation (OTS_SIGNUP=invite)."""

    message = "New accounts are not open here: ask the operator of this server for an account or an invitation."


class UnknownInvitation(OnetimeError):
    """An invitation link that does not work: used already, expired, or never made."""

    message = "This invitation link does not work: it was used already, or it has expired. Ask for a new one."


@dataclass(frozen=True, slots=True)
class AccessPolicy:
    """Who may create secrets and accounts, and whether this deployment creates anything at all."""

    create: str = CREATE_ANYONE
    """Who may create secrets (OTS_CREATE): anyone, accounts, or networks."""
    create_networks: tuple[IPNetwork, ...] = ()
    """Where anonymous callers may create from when `create` is networks (OTS_CREATE_NETWORKS)."""
    mode: str = MODE_FULL
    """`full`, or `read`: reveal pages and reveal APIs only (OTS_MODE)."""
    signup: str = SIGNUP_OPEN
    """Who may create a browser account (OTS_SIGNUP): open, closed, or invite."""

    @property
    def read_only(self) -> bool:
        """Tell whether this deployment only reveals secrets."""
        return self.mode == MODE_READ

    @property
    def signup_open(self) -> bool:
        """Tell whether anyone may create an account without an invitation."""
        return self.signup == SIGNUP_OPEN and not self.read_only

    @property
    def invitations_accepted(self) -> bool:
        """Tell whether invitation links may create accounts (open or by invitation, never closed)."""
        return self.signup != SIGNUP_CLOSED and not self.read_only

    def may_create(self, *, anonymous: bool, client_ip: str) -> bool:
        """Tell whether a caller may create secrets: an account always may (unless read-only)."""
        if self.read_only:
            return False
        if not anonymous or self.create == CREATE_ANYONE:
            return True
        return self.create == CREATE_NETWORKS and _inside(client_ip, self.create_networks)

    def check_create(self, *, anonymous: bool, client_ip: str) -> None:
        """Refuse a creation this policy does not allow, saying why."""
        if self.read_only:
            raise ReadOnlyDeployment
        if not self.may_create(anonymous=anonymous, client_ip=client_ip):
            raise CreationRestricted

    def check_signup(self) -> None:
        """Refuse a sign-up without an invitation unless sign-up is open."""
        if self.read_only:
            raise ReadOnlyDeployment
        if not self.signup_open:
            raise SignUpClosed


def _inside(address: str, networks: tuple[IPNetwork, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False  # "unknown": no address, no network
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in network for network in networks)


IN_READ_MODE = "in_read_mode"
"""Route option: a read-only deployment (OTS_MODE=read) serves the route (reveals, status, static files)."""
