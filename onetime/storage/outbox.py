"""The outbox: queued emails, each leased to one worker at a time, and their index by next try."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from onetime.mail.outgoing import SECRET_LINK, OutgoingMail
from onetime.storage import scripts
from onetime.storage.client import RedisClient, flat_args, flat_field_map, storage_errors, text
from onetime.storage.keys import OUTBOX, outbox_entry_name

# Outbox entry field codes. The scripts own two more: tries so far (`n`) and the lease (`k`).
RECIPIENT, SENDER, URL, EXPIRES, MESSAGE_ID, KIND, LOCALE = "to", "from", "url", "exp", "mid", "kind", "lang"
NOTE = "note"
TRIES = "n"


@dataclass(frozen=True, slots=True)
class ClaimedMail:
    """A due entry leased to one worker: the email (None when it expired unsent) and the tries so far."""

    mail: OutgoingMail | None
    tries: int


def _fields(mail: OutgoingMail) -> dict[str, str]:
    fields = {
        RECIPIENT: mail.recipient,
        SENDER: mail.sender,
        URL: mail.secret_url,
        EXPIRES: str(mail.expires),
        MESSAGE_ID: mail.message_id,
    }
    if mail.kind != SECRET_LINK:
        fields[KIND] = mail.kind
    if mail.locale != "en":
        fields[LOCALE] = mail.locale
    if mail.note:
        fields[NOTE] = mail.note
    return fields


def _mail(fields: dict[str, str]) -> OutgoingMail:
    return OutgoingMail(
        recipient=fields[RECIPIENT],
        sender=fields[SENDER],
        secret_url=fields[URL],
        expires=int(fields[EXPIRES]),
        message_id=fields[MESSAGE_ID],
        kind=fields.get(KIND, SECRET_LINK),
        locale=fields.get(LOCALE, "en"),
        note=fields.get(NOTE, ""),
    )


class OutboxEntries:
    """Queue, lease, finish, retry and drop queued emails."""

    def __init__(self, client: RedisClient) -> None:
        self.client = client
        self._queue = client.register_script(scripts.QUEUE_MAIL)
        self._claim = client.register_script(scripts.CLAIM_MAIL)
        self._finish = client.register_script(scripts.FINISH_MAIL)
        self._retry = client.register_script(scripts.RETRY_MAIL)

    @storage_errors
    async def queue(self, mail_id: str, mail: OutgoingMail, *, ttl: int, due_ms: int) -> None:
        """Queue an email under `mail_id` (a secret key), due at `due_ms`, kept at most `ttl` seconds."""
        args: list[Any] = [ttl, due_ms, mail_id, *flat_args(_fields(mail))]
        await self._queue(keys=[OUTBOX, outbox_entry_name(mail_id)], args=args)

    @storage_errors
    async def depth(self) -> int:
        """Return how many emails wait in the outbox (due now or scheduled for a retry)."""
        return int(await self.client.zcard(OUTBOX))

    @storage_errors
    async def due(self, now_ms: int, count: int) -> list[str]:
        """Return up to `count` ids of entries due by `now_ms`, oldest first."""
        ids = await self.client.zrangebyscore(OUTBOX, "-inf", now_ms, start=0, num=count)
        return [text(entry) for entry in ids if isinstance(entry, bytes | str)]

    @storage_errors
    async def claim(self, mail_id: str, now_ms: int, lease_until_ms: int, token: str) -> ClaimedMail | None:
        """Lease a due entry to the worker holding `token`; None when another worker won it or it is not due."""
        keys = [OUTBOX, outbox_entry_name(mail_id)]
        reply = await self._claim(keys=keys, args=[mail_id, now_ms, lease_until_ms, token])
        if reply is None:
            return None
        if not isinstance(reply, list):
            return ClaimedMail(mail=None, tries=0)
        fields = flat_field_map(reply)
        return ClaimedMail(mail=_mail(fields), tries=int(fields[TRIES]))

    @storage_errors
    async def finish(self, mail_id: str, token: str) -> bool:
        """Delete a sent or given-up entry; False when the lease was lost."""
        return bool(await self._finish(keys=[OUTBOX, outbox_entry_name(mail_id)], args=[mail_id, token]))

    @storage_errors
    async def retry(self, mail_id: str, token: str, due_ms: int) -> bool:
        """Schedule the next try of an entry; False when the lease was lost."""
        return bool(await self._retry(keys=[OUTBOX, outbox_entry_name(mail_id)], args=[mail_id, token, due_ms]))

    @storage_errors
    async def drop(self, mail_id: str) -> bool:
        """Forget a queued email that must not be sent any more; False when none was queued."""
        pipe = self.client.pipeline(transaction=False)
        pipe.delete(outbox_entry_name(mail_id))
        pipe.zrem(OUTBOX, mail_id)
        dropped, _ = await pipe.execute()
        return bool(dropped)
