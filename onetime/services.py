"""The services of one process, built in one place from the settings and a Redis client."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from onetime.accounts.confirmation import EmailConfirmations
from onetime.accounts.deletion import AccountDeletion
from onetime.accounts.history import AccountHistory
from onetime.accounts.invitations import Invitations
from onetime.accounts.recovery import PasswordRecovery
from onetime.accounts.service import AccountService
from onetime.accounts.sessions import SessionService
from onetime.accounts.signin import PASSWORD_CHECKS_WAITING, SignInService
from onetime.crypto import (
    ACCOUNTS_LANE,
    MASTER_SECRET_FILE,
    Cipher,
    PassphraseHasher,
    load_or_create_master_secret,
)
from onetime.domains.service import DomainService
from onetime.mail.outbox import Outbox
from onetime.secret_service import SecretService
from onetime.settings import Settings
from onetime.storage.client import RedisClient, StorageHealth
from onetime.storage.counters import Counters
from onetime.storage.customers import Customers
from onetime.storage.domains import DomainRecords
from onetime.storage.invitations import InvitationRecords
from onetime.storage.outbox import OutboxEntries
from onetime.storage.recent import RecentIndex
from onetime.storage.recoveries import RecoveryTokens
from onetime.storage.secret_records import SecretRecords
from onetime.storage.sessions import SessionRecords
from onetime.storage.verifications import Verifications


def with_master_secret(settings: Settings) -> Settings:
    """Return settings whose master secret is set: the configured one, or the data dir's (made once)."""
    if settings.master_secret is not None:
        return settings
    generated = settings.data_dir / MASTER_SECRET_FILE
    return replace(
        settings, master_secret=load_or_create_master_secret(settings.data_dir), master_secret_file=generated
    )


def master_secret_beside_data(settings: Settings) -> Path | None:
    """Return the master secret's file when it lives inside the data directory, else None.

    A backup or copy of the data directory then carries the key with the data. No secret opens
    with them alone (each needs its link), but the master secret belongs elsewhere: a mounted
    secret named by OTS_SECRET_FILE, or OTS_SECRET.
    """
    found = settings.master_secret_file
    if found is None:
        return None
    data_dir = settings.data_dir.resolve()
    return found if found.resolve().is_relative_to(data_dir) else None


@dataclass(frozen=True, slots=True)
class Services:
    """Every domain service of a process; the app, the CLI, the tests and the bench build it alike."""

    settings: Settings
    storage: StorageHealth
    """Whether Redis answers and how it evicts (checked at start)."""
    secret_service: SecretService
    account_service: AccountService
    sign_in_service: SignInService
    domain_service: DomainService
    outbox: Outbox | None
    """Where recipient emails are queued; None when mail is not configured."""
    password_recovery: PasswordRecovery
    """Password reset links for browser accounts (issue 15)."""

    @classmethod
    def build(cls, settings: Settings, client: RedisClient, *, hasher: PassphraseHasher | None = None) -> Services:
        """Wire the services for these settings over one Redis client (`hasher`: the bench's stand-in for secrets)."""
        settings = with_master_secret(settings)
        assert settings.master_secret is not None  # noqa: S101 - with_master_secret sets it
        hasher = hasher or PassphraseHasher(settings.bcrypt_cost)
        cipher = Cipher(settings.master_secret, settings.previous_master_secrets)
        storage = StorageHealth(client)
        secrets, customers, counters = SecretRecords(client), Customers(client), Counters(client)
        # Built even without mail, so that deleting an account still cancels emails queued before.
        mail = Outbox(OutboxEntries(client), secrets)
        outbox = mail if settings.mail_enabled else None
        recent = RecentIndex(client)
        account_service = AccountService(customers, AccountHistory(customers, recent, settings.bcrypt_cost), settings)
        domain_service = DomainService(
            records=DomainRecords(client), customers=customers, secrets=secrets, counters=counters, settings=settings
        )
        secret_service = SecretService(
            records=secrets,
            recent=recent,
            counters=counters,
            health=storage,
            cipher=cipher,
            hasher=hasher,
            settings=settings,
            domains=domain_service,
            outbox=outbox,
        )
        sessions = SessionService(SessionRecords(client))
        confirmations = EmailConfirmations(
            customers=customers,
            verifications=Verifications(client),
            counters=counters,
            outbox=mail,
            base_url=settings.base_url,
            enabled=outbox is not None,
        )
        accounts_hasher = PassphraseHasher(
            settings.bcrypt_cost, ACCOUNTS_LANE, max_waiting=PASSWORD_CHECKS_WAITING, hash_in_lane=True
        )
        password_recovery = PasswordRecovery(
            customers=customers,
            tokens=RecoveryTokens(client),
            counters=counters,
            outbox=mail,
            sessions=sessions,
            history=account_service.history,
            hasher=accounts_hasher,
            base_url=settings.base_url,
            enabled=outbox is not None,
        )
        deletion = AccountDeletion(
            customers=customers,
            counters=counters,
            sessions=sessions,
            confirmations=confirmations,
            secrets=secret_service,
            outbox=mail,
            domains=domain_service,
            recovery=password_recovery,
        )
        sign_in_service = SignInService(
            customers=customers,
            counters=counters,
            accounts=account_service,
            sessions=sessions,
            hasher=accounts_hasher,
            confirmations=confirmations,
            deletion=deletion,
            invitations=Invitations(
                records=InvitationRecords(client),
                customers=customers,
                outbox=mail,
                base_url=settings.base_url,
                mail_enabled=outbox is not None,
            ),
        )
        return cls(
            settings=settings,
            storage=storage,
            secret_service=secret_service,
            account_service=account_service,
            sign_in_service=sign_in_service,
            domain_service=domain_service,
            outbox=outbox,
            password_recovery=password_recovery,
        )
