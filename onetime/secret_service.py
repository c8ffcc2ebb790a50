"""The secret service: the one place where secrets are created, revealed and burned."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import NoReturn

from onetime import e2e_format, keys, metrics, passwords, recipients, sealed
from onetime.accounts.caller import Caller
from onetime.crypto import Cipher, DecryptionFailed, PassphraseHasher
from onetime.domains.service import DomainService
from onetime.errors import (
    EmailNotVerified,
    InvalidRequest,
    MailLimited,
    MailUnavailable,
    PassphraseLocked,
    RateLimited,
    UnknownSecret,
    WrongPassphrase,
    WrongSecretPassphrase,
)
from onetime.mail.outbox import Outbox
from onetime.mail.outgoing import QUEUED, Delivery
from onetime.new_secret import NewSecret, check_passphrase, check_value
from onetime.notifications.events import BURNED, REVEALED, label_of
from onetime.notifications.service import Notifier
from onetime.receipt_history import ReceiptHistory
from onetime.receipts import Burned, Receipt, Revealed, SecretPreview, SecretStatus
from onetime.settings import RequestLimit, Settings
from onetime.storage.client import StorageHealth
from onetime.storage.counters import CREATE, MAIL, REVEAL, Counters, Lockout
from onetime.storage.keys import GENERATED_ECHO_SECONDS
from onetime.storage.recent import RecentIndex
from onetime.storage.secret_records import Guarded, ReceiptRecord, SecretRecords, StoredReceipt, Taken
from onetime.translations import N_

log = logging.getLogger(__name__)

LOCKOUT = Lockout(window=10 * 60, lock=30 * 60, per_client=5, per_secret=20)
"""Passphrase guesses: 5 per client and 20 per secret in 10 minutes, then a 30-minute lock."""
MAIL_LIMIT = RequestLimit(50, 20 * 60)
"""Recipient emails one account may queue per window; always on, as it guards the sending domain."""


class SecretService:
    """Create, generate, read receipts of, reveal and burn secrets."""

    def __init__(  # noqa: PLR0913 - the composition root hands over every collaborator
        self,
        *,
        records: SecretRecords,
        recent: RecentIndex,
        counters: Counters,
        health: StorageHealth,
        cipher: Cipher,
        hasher: PassphraseHasher,
        settings: Settings,
        domains: DomainService,
        notifier: Notifier,
        clock: Callable[[], float] = time.time,
        outbox: Outbox | None = None,
    ) -> None:
        self.records = records
        self.history = ReceiptHistory(records, recent, self._receipt, clock)
        self.counters = counters
        self.health = health
        self.cipher = cipher
        self.hasher = hasher
        self.settings = settings
        self.clock = clock
        self.outbox = outbox
        """Where recipient emails are queued; None refuses recipients (mail is not configured)."""
        self.domains = domains
        self.notifier = notifier

    def _now(self) -> int:
        return int(self.clock())

    def _origin(self, share_domain: str) -> str:
        return f"https://{share_domain}" if share_domain else self.settings.base_url

    async def check_storage(self) -> None:
        """Raise StorageUnavailable unless Redis answers."""
        await self.health.ping()

    async def create(self, caller: Caller, client: str, request: NewSecret) -> Receipt:
        """Encrypt and store a secret typed by the caller; return its receipt."""
        await self._check_create(caller, client, request)
        value = check_value(request.value, caller.plan.max_size, self.settings.max_secret_bytes)
        sealed_bytes = (
            e2e_format.check_for_storage(request, self.settings.passphrase_required) if request.end_to_end else 0
        )
        return await self._store(caller, request, value, generated=False, end_to_end=sealed_bytes)

    async def generate(self, caller: Caller, client: str, request: NewSecret, length: object = None) -> Receipt:
        """Store a freshly generated password as a secret; the receipt carries the value."""
        await self._check_create(caller, client, request)
        value = passwords.generate_password(passwords.password_length(length))
        return await self._store(caller, request, value, generated=True)

    async def _check_create(self, caller: Caller, client: str, request: NewSecret) -> None:
        """Apply the creation checks in the order the API contract gives."""
        await self._count(CREATE, client)
        if request.recipients:
            if caller.is_anonymous:
                raise InvalidRequest(N_("An account is required to send emails."))
            for address in request.recipients:
                recipients.validate_address(address)
            if self.outbox is None:
                raise MailUnavailable
            if not caller.verified:
                raise EmailNotVerified
        if request.share_domain:
            await self.domains.usable_share_domain(caller, request.share_domain)
        elif request.site_domain:
            await self.domains.usable_site_domain(request.site_domain)
        if not request.end_to_end:  # its passphrase never reaches the server (e2e_format.check_for_storage)
            check_passphrase(self.settings, request.passphrase)

    async def _count(self, limit_name: str, client: str) -> None:
        if not self.settings.rate_limits:
            return
        limit = self.settings.limit_create if limit_name == CREATE else self.settings.limit_reveal
        if await self.counters.count_request(limit_name, client, limit.seconds) > limit.count:
            raise RateLimited

    async def _reserve_mail(self, caller: Caller) -> None:
        """Count one recipient email against the account's window, refusing it past the limit."""
        if await self.counters.count_request(MAIL, caller.custid, MAIL_LIMIT.seconds) > MAIL_LIMIT.count:
            raise MailLimited(MAIL_LIMIT.count, MAIL_LIMIT.seconds // 60)

    async def _store(
        self, caller: Caller, request: NewSecret, value: str, *, generated: bool, end_to_end: int = 0
    ) -> Receipt:
        wish = await self.notifier.check_wish(caller, request.notify)
        if request.recipients:
            await self._reserve_mail(caller)
        ttl = caller.plan.apply_ttl(request.ttl)
        now = self._now()
        secret_key, metadata_key = keys.new_key(), keys.new_key()
        secret_id, receipt_id = keys.secret_id(secret_key), keys.receipt_id(metadata_key)
        passphrase = request.passphrase or None
        passphrase_hash = await self.hasher.hash(passphrase) if passphrase else None
        shown_recipients = tuple(recipients.obfuscate(a.strip()) for a in request.recipients)
        share_domain = request.link_domain
        delivery = Delivery(QUEUED, 0) if request.recipients else None
        record = ReceiptRecord(
            owner=caller.custid,
            ttl=ttl,
            created=now,
            updated=now,
            state="new",
            recipients=shown_recipients,
            share_domain=share_domain,
            has_passphrase=passphrase is not None,
            generated=generated,
            delivery=delivery,
            end_to_end=end_to_end,
            notify=",".join(wish),
            label="" if caller.is_anonymous else label_of(metadata_key),
        )
        await self.records.save(
            secret_id=secret_id,
            receipt_id=receipt_id,
            sealed_secret_key=sealed.seal_secret_key(metadata_key, receipt_id, secret_key),
            envelope=self.cipher.seal(value, secret_key, passphrase),
            passphrase_hash=passphrase_hash,
            generated_envelope=self.cipher.seal(value, _echo_binding(secret_key)) if generated else None,
            receipt=record,
        )
        if not caller.is_anonymous:
            await self.history.remember(caller, receipt_id, metadata_key, now)
            await self.notifier.created(caller.custid, secret_id, label_of(metadata_key), now, ttl)
        fresh = StoredReceipt(record, receipt_ttl=2 * ttl, secret_ttl=ttl)
        receipt = replace(self._receipt(fresh, metadata_key, secret_key), value=value if generated else None)
        if request.recipients and self.outbox is not None and receipt.secret_url:
            # Only the first recipient is emailed, as the API contract says.
            await self.outbox.queue(
                secret_id,
                recipient=request.recipients[0].strip(),
                sender=caller.custid,
                secret_url=receipt.secret_url,
                ttl=ttl,
                locale=request.locale,
            )
        metrics.secret_created(caller.plan.name, generated=generated)
        return receipt

    async def receipt(self, metadata_key: str) -> Receipt:
        """Return the receipt behind a receipt key, echoing a generated value once within 60 s."""
        secret_key, secret_id = await self._follow(metadata_key)
        stored = await self.records.read_receipt(secret_id, self._now())
        if stored is None:
            raise UnknownSecret(metadata_key)
        receipt = self._receipt(stored, metadata_key, secret_key)
        generated = stored.record.generated
        if generated and receipt.secret_exists and self._now() - receipt.created <= GENERATED_ECHO_SECONDS:
            echoed = await self.records.take_generated(secret_id)
            if echoed is not None:
                receipt = replace(receipt, value=self.cipher.open(echoed, _echo_binding(secret_key)))
        return receipt

    async def failed_guesses(self, metadata_key: str) -> int:
        """Return the wrong passphrases tried on a live secret in the lockout window (for its creator).

        Every attempt is counted before bcrypt runs and a right one consumes the secret, so while the
        secret lives its attempts are its failures.
        """
        _, secret_id = await self._follow(metadata_key)
        return await self.counters.passphrase_attempts(secret_id)

    async def _follow(self, metadata_key: str) -> tuple[str, str]:
        """Return the secret key and secret id a receipt key leads to, or raise UnknownSecret."""
        if not keys.is_key_shaped(metadata_key):
            raise UnknownSecret(metadata_key)
        receipt_id = keys.receipt_id(metadata_key)
        link = await self.records.link_of(receipt_id)
        secret_key = None if link is None else sealed.open_secret_key(metadata_key, receipt_id, link.sealed_secret_key)
        if link is None or secret_key is None:
            raise UnknownSecret(metadata_key)
        return secret_key, link.secret_id

    def _receipt(self, stored: StoredReceipt, metadata_key: str, secret_key: str) -> Receipt:
        record = stored.record
        exists = stored.secret_ttl is not None and record.state in {"new", "viewed"}
        return Receipt(
            custid=record.owner,
            metadata_key=metadata_key,
            secret_key=secret_key if exists else None,
            ttl=record.ttl,
            metadata_ttl=stored.receipt_ttl,
            secret_ttl=stored.secret_ttl if exists else None,
            state=record.state,
            created=record.created,
            updated=record.updated,
            received=record.received,
            burned=record.burned,
            recipients=record.recipients,
            share_domain=record.share_domain,
            passphrase_required=record.has_passphrase,
            link_origin=self._origin(record.share_domain),
            delivery=record.delivery,
            end_to_end=record.end_to_end,
            notify=tuple(record.notify.split(",")) if record.notify else (),
            webhook=record.webhook,
        )

    async def preview(self, secret_key: str, *, mark_viewed: bool = False) -> SecretPreview:
        """Tell the reveal page whether a secret exists and needs a passphrase, consuming nothing.

        With `mark_viewed` (the recipient opened the page) its receipt moves from new to viewed,
        in the same round trip to Redis.
        """
        if not keys.is_key_shaped(secret_key):
            raise UnknownSecret(secret_key)
        found = await self.records.preview(keys.secret_id(secret_key), self._now(), mark_viewed=mark_viewed)
        if found is None:
            raise UnknownSecret(secret_key)
        if found.first_opened:
            await self.notifier.opened(found.watched, self._now())
        return SecretPreview(secret_key, passphrase_required=found.passphrase_required, end_to_end=found.end_to_end)

    async def is_end_to_end(self, secret_key: str) -> bool:
        """Tell whether a secret's value is a ciphertext from the sender's browser, consuming nothing."""
        return keys.is_key_shaped(secret_key) and await self.records.is_end_to_end(keys.secret_id(secret_key))

    async def reveal(self, secret_key: str, passphrase: str | None, client: str) -> Revealed:
        """Return a secret's value and destroy it; at most one caller ever gets it."""
        if not keys.is_key_shaped(secret_key):
            raise UnknownSecret(secret_key)
        await self._count(REVEAL, client)
        secret_id = keys.secret_id(secret_key)
        taken = await self.records.take(secret_id, self._now(), burn=False)
        guarded = isinstance(taken, Guarded)
        if isinstance(taken, Guarded):
            if not await self._passphrase_matches(secret_id, taken.passphrase_hash, passphrase, client):
                await self._wrong(WrongSecretPassphrase(secret_key), secret_id, client)
            taken = await self.records.take(secret_id, self._now(), burn=False, verified=True)
        if not isinstance(taken, Taken):
            raise UnknownSecret(secret_key)
        try:
            value = self.cipher.open(taken.envelope, secret_key, passphrase if guarded else None)
        except DecryptionFailed:
            # Only a master secret dropped from OTS_SECRET_PREVIOUS gets here; the secret is gone.
            log.error("a revealed secret could not be decrypted; is its master secret still configured?")  # noqa: TRY400
            raise UnknownSecret(secret_key) from None
        await self.notifier.settled(secret_id, taken.watched, REVEALED, self._now())
        metrics.secret_revealed(passphrase=guarded)
        return Revealed(value=value, secret_key=secret_key, link_origin=self._origin(taken.share_domain))

    async def _passphrase_matches(
        self, secret_id: str, passphrase_hash: bytes, passphrase: str | None, client: str
    ) -> bool:
        """Verify a passphrase under the lockout; the attempt is counted before bcrypt runs."""
        if not passphrase:
            if await self.counters.is_locked(secret_id, client):
                metrics.passphrase_locked()
                raise PassphraseLocked(await self.counters.passphrase_wait_seconds(secret_id, client))
            return False
        if not await self.counters.reserve_attempt(secret_id, client, LOCKOUT):
            metrics.passphrase_locked()
            raise PassphraseLocked(await self.counters.passphrase_wait_seconds(secret_id, client))
        if await self.hasher.verify(passphrase, passphrase_hash):
            return True
        await self.counters.lock_if_exhausted(secret_id, client, LOCKOUT)
        return False

    async def _wrong(self, error: WrongPassphrase | WrongSecretPassphrase, secret_id: str, client: str) -> NoReturn:
        """Refuse a wrong passphrase, saying how many tries this client has left (the pages show it)."""
        error.tries_left = await self.counters.passphrase_tries_left(secret_id, client, LOCKOUT)
        raise error

    async def burn(self, metadata_key: str, passphrase: str | None, client: str, owner: Caller | None = None) -> Burned:
        """Destroy a secret before it is read; the creator must know its passphrase.

        A signed-in `owner` burning a secret of their own (from the dashboard) needs no passphrase.
        """
        secret_key, secret_id = await self._follow(metadata_key)
        owned = owner is not None and await self._owned_by(secret_id, owner)
        taken = await self.records.take(secret_id, self._now(), burn=True, verified=owned)
        if isinstance(taken, Guarded):
            if not await self._passphrase_matches(secret_id, taken.passphrase_hash, passphrase, client):
                await self._wrong(WrongPassphrase(), secret_id, client)
            taken = await self.records.take(secret_id, self._now(), burn=True, verified=True)
        if not isinstance(taken, Taken):
            raise UnknownSecret(metadata_key)
        stored = await self.records.read_receipt(secret_id, self._now())
        if stored is None:
            raise UnknownSecret(metadata_key)
        await self.notifier.settled(secret_id, taken.watched, BURNED, self._now())
        metrics.secret_burned()
        return Burned(receipt=self._receipt(stored, metadata_key, secret_key), secret_shortkey=secret_key[:8])

    async def _owned_by(self, secret_id: str, owner: Caller) -> bool:
        stored = await self.records.read_receipt(secret_id, self._now())
        return not owner.is_anonymous and stored is not None and stored.record.owner == owner.custid

    async def recent(self, caller: Caller, *, offset: int = 0, limit: int | None = None) -> list[Receipt]:
        """Return the caller's receipts of the last 30 days, newest first (see `ReceiptHistory.recent`)."""
        return await self.history.recent(caller, offset=offset, limit=limit)

    async def recent_count(self, caller: Caller) -> int:
        """Count the caller's receipts of the last 30 days (see `ReceiptHistory.count`)."""
        return await self.history.count(caller)

    async def hand_over_receipts(self, owner: str, new_owner: str) -> list[str]:
        """Give every receipt of `owner` to `new_owner` (see `ReceiptHistory.hand_over`)."""
        return await self.history.hand_over(owner, new_owner)

    async def secret_status(self, secret_key: str) -> SecretStatus | None:
        """Tell what a secret's link may know of it (the v2 API's secret records), consuming nothing.

        None when the key is not key-shaped or its receipt is gone; a consumed secret whose receipt
        remains has `remaining` None.
        """
        if not keys.is_key_shaped(secret_key):
            return None
        stored = await self.records.read_receipt(keys.secret_id(secret_key), self._now())
        if stored is None:
            return None
        record = stored.record
        exists = stored.secret_ttl is not None and record.state in {"new", "viewed"}
        return SecretStatus(
            secret_key=secret_key,
            state=record.state,
            ttl=record.ttl,
            remaining=stored.secret_ttl if exists else None,
            created=record.created,
            updated=record.updated,
            passphrase_required=record.has_passphrase,
        )


def _echo_binding(secret_key: str) -> str:
    """Return the associated data of a generated password's echo: never valid as a secret key."""
    return f"{secret_key}:generated"
