"""Sign-up by invitation: `ots account invite EMAIL` sends a single-use link that creates one account.

The link's token comes from the CSPRNG (`keys.new_key`) and only its digest is stored, naming the
invited address, for `INVITATION_SECONDS`. Signing up takes the invitation with one GETDEL before
any bcrypt work, so of many sign-ups sent at once with one link exactly one makes an account (a
sign-up that fails afterwards for a reason of ours, a busy server, gives the invitation back). The
account is confirmed at once: the link reached the address. The email goes through the outbox,
like every other email; without mail, the command prints the link for the operator to pass on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from onetime import keys
from onetime.accounts.caller import normalize_email
from onetime.errors import AccountExists
from onetime.mail.outbox import Outbox
from onetime.mail.outgoing import INVITATION
from onetime.policy import UnknownInvitation
from onetime.storage.customers import Customers
from onetime.storage.invitations import Invitation, InvitationRecords

INVITATION_SECONDS = 7 * 24 * 3600
"""How long an invitation link works."""
INVITATION_PATH = "/signup/invite/"


def _invitation_mail_id(digest: str) -> str:
    """Return the outbox id of an invitation email (never a secret key: those are base36)."""
    return f"invite-{digest[:32]}"


@dataclass(frozen=True, slots=True)
class TakenInvitation:
    """An invitation used up by a sign-up in progress (given back if that sign-up fails on our side)."""

    digest: str
    invitation: Invitation

    @property
    def email(self) -> str:
        """Return the invited address: the new account's id."""
        return self.invitation.email


class Invitations:
    """Make invitations, show whom one invites, and take one for a sign-up."""

    def __init__(  # noqa: PLR0913 - the composition root hands over every collaborator
        self,
        *,
        records: InvitationRecords,
        customers: Customers,
        outbox: Outbox,
        base_url: str,
        mail_enabled: bool,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.records = records
        self.customers = customers
        self.outbox = outbox
        self.base_url = base_url
        self.mail_enabled = mail_enabled
        self.clock = clock

    async def invite(self, email: str) -> str | None:
        """Invite an address: email it a sign-up link; return the link instead when mail is not configured."""
        custid = normalize_email(email)
        if await self.customers.get(custid) is not None:
            raise AccountExists
        token = keys.new_key()
        digest = keys.token_digest(token)
        await self.records.save(digest, custid, int(self.clock()) + INVITATION_SECONDS, INVITATION_SECONDS)
        link = f"{self.base_url}{INVITATION_PATH}{token}"
        if not self.mail_enabled:
            return link
        await self.outbox.queue(
            _invitation_mail_id(digest),
            recipient=custid,
            sender="",
            secret_url=link,
            ttl=INVITATION_SECONDS,
            kind=INVITATION,
        )
        return None

    async def invited(self, token: str) -> str:
        """Return the address an invitation link invites, without using it up."""
        invitation = await self.records.get(self._digest(token))
        if invitation is None:
            raise UnknownInvitation
        return invitation.email

    async def take(self, token: str) -> TakenInvitation:
        """Use the invitation up (atomically: once, whatever the number of sign-ups sent at once)."""
        digest = self._digest(token)
        invitation = await self.records.take(digest)
        if invitation is None:
            raise UnknownInvitation
        await self.outbox.cancel(_invitation_mail_id(digest))  # if still waiting for a retry: no need now
        return TakenInvitation(digest, invitation)

    async def give_back(self, taken: TakenInvitation) -> None:
        """Make a taken invitation work again for the time it had left (its sign-up failed on our side)."""
        left = taken.invitation.expires - int(self.clock())
        if left > 0:
            await self.records.give_back(taken.digest, taken.invitation, left)

    @staticmethod
    def _digest(token: str) -> str:
        if not keys.is_key_shaped(token):
            raise UnknownInvitation
        return keys.token_digest(token)
