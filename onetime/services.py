"""The services of one process, built in one place from the settings and a Redis client."""

from __future__ import annotations

from dataclasses import dataclass, replace

from onetime.accounts import AccountService
from onetime.crypto import Cipher, PassphraseHasher, load_or_create_master_secret
from onetime.domains import DomainService
from onetime.outbox import Outbox
from onetime.service import SecretService
from onetime.sessions import SessionService
from onetime.settings import Settings
from onetime.store import RedisClient, RedisStore
from onetime.web_accounts import WebAccountService


def with_master_secret(settings: Settings) -> Settings:
    """Return settings whose master secret is set: the configured one, or the data dir's (made once)."""
    if settings.master_secret is not None:
        return settings
    return replace(settings, master_secret=load_or_create_master_secret(settings.data_dir))


@dataclass(frozen=True, slots=True)
class Services:
    """Every domain service of a process; the app, the CLI, the tests and the bench build it alike."""

    settings: Settings
    store: RedisStore
    secret_service: SecretService
    account_service: AccountService
    web_account_service: WebAccountService
    domain_service: DomainService
    outbox: Outbox | None
    """Where recipient emails are queued; None when mail is not configured."""

    @classmethod
    def build(cls, settings: Settings, client: RedisClient, *, hasher: PassphraseHasher | None = None) -> Services:
        """Wire the services for these settings over one Redis client (`hasher`: the bench's stand-in)."""
        settings = with_master_secret(settings)
        assert settings.master_secret is not None  # noqa: S101 - with_master_secret sets it
        store = RedisStore(client)
        hasher = hasher or PassphraseHasher(settings.bcrypt_cost)
        cipher = Cipher(settings.master_secret, settings.previous_master_secrets)
        outbox = Outbox(store) if settings.mail_enabled else None
        account_service = AccountService(store, settings)
        domain_service = DomainService(store, settings)
        return cls(
            settings=settings,
            store=store,
            secret_service=SecretService(store, cipher, hasher, settings, domain_service, outbox=outbox),
            account_service=account_service,
            web_account_service=WebAccountService(store, account_service, SessionService(store), hasher, outbox),
            domain_service=domain_service,
            outbox=outbox,
        )
