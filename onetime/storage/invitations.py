"""Sign-up invitations: the digest of an invitation link's token, naming the address it invites."""

from __future__ import annotations

from dataclasses import dataclass

from onetime.storage.client import RedisClient, storage_errors, text
from onetime.storage.keys import invitation_name


@dataclass(frozen=True, slots=True)
class Invitation:
    """An invitation taken from storage: whom it invites, and until when it would have worked."""

    email: str
    expires: int
    """Unix time at which the link stops working (so it can be given back with the time it had left)."""


class InvitationRecords:
    """Save, read, take and give back invitations; taking is one GETDEL, so one link makes one account."""

    def __init__(self, client: RedisClient) -> None:
        self.client = client

    @storage_errors
    async def save(self, digest: str, email: str, expires: int, ttl: int) -> None:
        """Store an invitation for an address, under the digest of its link's token."""
        await self.client.set(invitation_name(digest), f"{expires}:{email}", ex=ttl)

    @storage_errors
    async def get(self, digest: str) -> Invitation | None:
        """Return the invitation without using it up (to show whom it invites)."""
        return _decode(await self.client.get(invitation_name(digest)))

    @storage_errors
    async def take(self, digest: str) -> Invitation | None:
        """Return and forget the invitation, atomically: of sign-ups sent at once, one gets it."""
        return _decode(await self.client.getdel(invitation_name(digest)))

    @storage_errors
    async def give_back(self, digest: str, invitation: Invitation, ttl: int) -> None:
        """Store a taken invitation again (its sign-up failed before making the account), unless one is there."""
        value = f"{invitation.expires}:{invitation.email}"
        await self.client.set(invitation_name(digest), value, ex=ttl, nx=True)


def _decode(value: bytes | str | None) -> Invitation | None:
    if value is None:
        return None
    expires, _, email = text(value).partition(":")
    return Invitation(email=email, expires=int(expires))
