"""The v2 operations that take more than one call of the secret service, kept out of the handlers.

Each reads what the answer must show and calls the same service methods as v1 and the pages, so
the limits, the passphrase lockout and the at-most-once guarantee are the service's, not ours.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from importlib import metadata

from api.v2.answers import (
    BurnAnswer,
    Created,
    MemoAnswer,
    RecentAnswer,
    SecretAnswer,
    SecretList,
    burn_answer,
    created,
    recent_answer,
    secret_answer,
)
from api.v2.call import V2Call
from api.v2.errors import FieldError, NotReceiptOwner
from api.v2.records import receipt_record, secret_record
from api.v2.requests import ConcealFields, ConfirmRequest, CreateFields, GenerateFields, MemoRequest, RecentQuery
from onetime.errors import UnknownSecret
from onetime.new_secret import NewSecret
from onetime.receipt_history import RECENT_SECONDS
from onetime.receipts import SecretStatus

STATUS_BATCH = 16
"""Secrets a status list reads at once: far below the Redis connection pool size."""
DISTRIBUTION = "onetime-server"


def _new_secret(call: V2Call, fields: CreateFields, value: str | None = None) -> NewSecret:
    """Return the creation request; a share domain naming this deployment's own host means no custom domain.

    Upstream ignores the default host there, and clients (the Zendesk app) send it.
    """
    request = replace(fields.new_secret(value), locale=call.locale)
    if request.share_domain and call.secret_service.domains.is_canonical_host(request.share_domain):
        return replace(request, share_domain=None)
    return request


async def conceal_secret(call: V2Call, fields: ConcealFields) -> Created:
    """Store the given value as a secret."""
    request = _new_secret(call, fields, fields.secret)
    return created(await call.secret_service.create(call.creator("conceal"), call.client_address, request), "conceal")


async def generate_secret(call: V2Call, fields: GenerateFields) -> Created:
    """Store a generated password as a secret (the answer does not carry it)."""
    service = call.secret_service
    creator = call.creator("generate")
    receipt = await service.generate(creator, call.client_address, _new_secret(call, fields), fields.length)
    return created(receipt, "generate")


async def _revealable(call: V2Call, secret_key: str) -> SecretStatus:
    status = await call.secret_service.secret_status(secret_key)
    if status is None or not status.secret_exists:
        raise UnknownSecret(secret_key)
    return status


async def show_secret(call: V2Call, secret_key: str) -> SecretAnswer:
    """Describe a secret that can be revealed, consuming nothing (a GET never reveals, whatever it asks)."""
    return secret_answer(secret_record(await _revealable(call, secret_key)), confirmed=False)


async def reveal_secret(call: V2Call, secret_key: str, request: ConfirmRequest) -> SecretAnswer:
    """Reveal a secret once when the caller says `continue`; without it, only describe it."""
    service = call.secret_service
    if not request.confirmed:
        return secret_answer(secret_record(await _revealable(call, secret_key)), confirmed=False)
    # The reveal comes first, so it counts against the reveal limit even for unknown keys, as in v1.
    revealed = await service.reveal(secret_key, request.passphrase, call.client_address)
    status = await service.secret_status(secret_key) or _status_of_vanished_receipt(secret_key)
    return secret_answer(secret_record(status, state="revealed", value=revealed.value), confirmed=True)


def _status_of_vanished_receipt(secret_key: str) -> SecretStatus:
    """Return what little is known of a revealed secret whose receipt is gone: the value is still owed."""
    now = int(time.time())
    return SecretStatus(secret_key, "received", 0, None, now, now, passphrase_required=False)


async def list_secrets(call: V2Call, secret_keys: list[str]) -> SecretList:
    """Describe the secrets that can still be revealed among those asked about."""
    found: list[SecretStatus | None] = []
    for start in range(0, len(secret_keys), STATUS_BATCH):
        batch = secret_keys[start : start + STATUS_BATCH]
        found += await asyncio.gather(*(call.secret_service.secret_status(key) for key in batch))
    records = [secret_record(status) for status in found if status is not None and status.secret_exists]
    return SecretList(records=records, count=len(records))


async def burn_secret(call: V2Call, metadata_key: str, request: ConfirmRequest) -> BurnAnswer:
    """Burn a secret when the caller says `continue`; answer with the receipt as it is afterwards.

    `success` is false when nothing was burned: no `continue`, or the secret was already revealed,
    burned or expired. An unknown receipt is a 404.
    """
    service = call.secret_service
    if request.confirmed:
        try:
            burned = await service.burn(metadata_key, request.passphrase, call.client_address)
        except UnknownSecret:
            pass  # the secret is gone: the receipt read below says how, or that the receipt is unknown too
        else:
            return burn_answer(burned.receipt, burned=True)
    return burn_answer(await service.receipt(metadata_key), burned=False)


async def update_memo(call: V2Call, metadata_key: str, request: MemoRequest) -> MemoAnswer:
    """Let the owner update a receipt; this server keeps no memo, so only an empty one succeeds."""
    receipt = await call.secret_service.receipt(metadata_key)
    if call.caller.is_anonymous or receipt.custid != call.caller.custid:
        raise NotReceiptOwner
    if request.memo:
        raise FieldError("This server does not keep memos on receipts", field="memo")
    return MemoAnswer(record=receipt_record(receipt))


async def recent_receipts(call: V2Call, query: RecentQuery) -> RecentAnswer:
    """List the caller's receipts of the last 30 days, newest first (the caller's own; no team scopes)."""
    caller = call.account()
    if query.scope:
        raise FieldError("Organization and domain scopes are not available on this server", "scope", "forbidden")
    receipts = await call.secret_service.recent(caller)
    now = time.time()
    return recent_answer(caller.custid, receipts, since=int(now) - RECENT_SECONDS, now=now)


def version_parts() -> list[str]:
    """Return this server's MAJOR, MINOR and PATCH version numbers, as strings."""
    parts = metadata.version(DISTRIBUTION).split(".")
    return [*parts[:3], *["0"] * (3 - len(parts))]
