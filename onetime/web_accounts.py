"""Accounts in the browser: sign up, sign in and out, rotate the API token, delete the account.

A browser account is the same customer record the API authenticates (`ots:customer:{email}`),
with a bcrypt hash of its password. Messages never tell whether an email has an account:
signing in with an unknown email and with a wrong password fail alike (same words, same bcrypt
work, same counters), and signing up with an email that has an account answers the neutral
`SignUpRefused` (and counts against the client address, like a failed sign-in).

Failed sign-ins are counted per account (the email typed, whether or not it has an account) and
per client address: five failures within 20 minutes lock that account, or that address, until
the 20 minutes have passed.

When mail is configured, a new account is asked to confirm its address by a link sent through
the outbox; it works at once, but cannot send recipient emails until it is confirmed.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from importlib import resources
from typing import NoReturn

from onetime import keys
from onetime.accounts import ANONYMOUS_CUSTID, PASSWORD, VERIFIED, AccountService, Caller, normalize_email
from onetime.crypto import PassphraseHasher
from onetime.errors import (
    AccountExists,
    ConfirmationLimited,
    InvalidEmail,
    MailUnavailable,
    PasswordRejected,
    SignInLocked,
    SignInRequired,
    SignUpRefused,
    UnknownAccount,
    UnknownVerification,
    WrongCredentials,
)
from onetime.mail import CONFIRM_EMAIL
from onetime.outbox import FAILED, Outbox
from onetime.plans import Plan
from onetime.sessions import Session, SessionService
from onetime.settings import RequestLimit
from onetime.store import RedisStore, request_limit_name, signin_failures_name, verification_name

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 1024
SIGNIN_FAILURES = 5
"""Failed sign-ins (per account, and per client address) that lock further attempts."""
SIGNIN_WINDOW = 20 * 60
"""Seconds in which those failures count; the lock lasts until the window ends."""
BROWSER_PLAN = "basic"
"""The plan of an account created in the browser."""
CONFIRMATION_SECONDS = 2 * 24 * 3600
"""How long the link that confirms an account's address works."""
CONFIRMATION_LIMIT = RequestLimit(5, 3600)
"""Address confirmation emails one account may ask for per window."""
CONFIRMING = "confirm"
"""Customer field: digest of the pending confirmation link's token (so deletion can drop it)."""
_COMMON_PASSWORDS = "data/common-passwords.txt"


@functools.cache
def common_passwords() -> frozenset[str]:
    """Return the shipped list of the most common passwords of 12 characters or more, lowercased."""
    text = resources.files("onetime").joinpath(_COMMON_PASSWORDS).read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("# "))


def check_password(password: str, email: str) -> None:
    """Refuse a new password that is too short, too long, too common, or the email itself."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise PasswordRejected(f"Choose a password of at least {PASSWORD_MIN_LENGTH} characters.")
    if len(password) > PASSWORD_MAX_LENGTH:
        raise PasswordRejected(f"Choose a password of at most {PASSWORD_MAX_LENGTH} characters.")
    folded = password.strip().lower()
    if folded in common_passwords():
        raise PasswordRejected("This password is one of the most common ones. Choose another.")
    if folded in {email.lower(), email.lower().partition("@")[0]}:
        raise PasswordRejected("Do not use your email address as your password.")


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A browser signed in to an account: its session and the caller it creates secrets as."""

    session: Session
    caller: Caller
    can_email_links: bool = False
    """Whether this deployment sends secret links by email (the account may still need to confirm)."""

    @property
    def email(self) -> str:
        """Return the account's email (its id)."""
        return self.caller.custid

    @property
    def plan(self) -> Plan:
        """Return the account's plan."""
        return self.caller.plan

    @property
    def verified(self) -> bool:
        """Tell whether the account's email is confirmed."""
        return self.caller.verified


@dataclass(frozen=True, slots=True)
class NewAccount:
    """A fresh account, signed in, with its API token: shown this once, stored only as a digest."""

    signed_in: SignedIn
    token: str
    verification_sent: bool = False
    """Whether an email asking to confirm the address was queued."""

    def __repr__(self) -> str:
        return f"NewAccount(signed_in={self.signed_in!r}, verification_sent={self.verification_sent})"


class WebAccountService:
    """Sign up, sign in and out, rotate tokens and delete accounts for the browser app."""

    def __init__(
        self,
        store: RedisStore,
        accounts: AccountService,
        sessions: SessionService,
        hasher: PassphraseHasher,
        outbox: Outbox | None = None,
    ) -> None:
        self.store = store
        self.accounts = accounts
        self.sessions = sessions
        self.hasher = hasher
        self.outbox = outbox
        """Where confirmation emails are queued; None when mail is not configured."""
        self._absent_hash: bytes | None = None

    @property
    def base_url(self) -> str:
        """Return the canonical origin of this deployment (for the API examples)."""
        return self.accounts.settings.base_url

    def _signed_in(self, session: Session, caller: Caller) -> SignedIn:
        return SignedIn(session, caller, can_email_links=self.outbox is not None)

    async def _dummy_hash(self) -> bytes:
        # Checked against when the account does not exist, so both paths do the same bcrypt work.
        if self._absent_hash is None:
            self._absent_hash = await self.hasher.hash("no such account")
        return self._absent_hash

    async def _refuse_if_locked(self, counters: list[str]) -> None:
        seconds = await self.store.locked_seconds(counters, SIGNIN_FAILURES)
        if seconds:
            raise SignInLocked(-(-seconds // 60))

    async def _password_matches(self, customer: dict[str, str] | None, password: str) -> bool:
        stored = customer.get(PASSWORD) if customer else None
        hashed = stored.encode() if stored else await self._dummy_hash()
        return await self.hasher.verify(password, hashed) and stored is not None

    async def _fail(self, counters: list[str]) -> NoReturn:
        """Count a failure; the one that reaches the limit already says how long to wait."""
        await self.store.add_failure(counters, SIGNIN_WINDOW)
        await self._refuse_if_locked(counters)
        raise WrongCredentials

    async def _start(self, custid: str, previous: Session | None) -> Session:
        # A new id at every sign-in, so an id planted in the browser beforehand is worth nothing.
        if previous is not None:
            await self.sessions.end(previous)
        return await self.sessions.start(custid)

    async def sign_up(self, email: str, password: str, client: str, previous: Session | None = None) -> NewAccount:
        """Create a browser account on the basic plan, sign it in, and return its API token."""
        custid = normalize_email(email)
        check_password(password, custid)
        counters = [signin_failures_name("client", client)]
        await self._refuse_if_locked(counters)
        password_hash = await self.hasher.hash(password)
        try:
            token = await self.accounts.create(custid, BROWSER_PLAN, password_hash=password_hash, verified=False)
        except AccountExists:
            await self.store.add_failure(counters, SIGNIN_WINDOW)
            raise SignUpRefused from None
        session = await self._start(custid, previous)
        caller = Caller(custid, self.accounts.settings.plans[BROWSER_PLAN], verified=False)
        if self.outbox is not None:
            await self._send_confirmation(custid)
        return NewAccount(self._signed_in(session, caller), token, verification_sent=self.outbox is not None)

    async def sign_in(self, email: str, password: str, client: str, previous: Session | None = None) -> SignedIn:
        """Check the password under the sign-in limits and start a new session."""
        try:
            custid: str | None = normalize_email(email)
        except InvalidEmail:
            custid = None
        counters = [signin_failures_name("client", client)]
        if custid is not None:
            counters.append(signin_failures_name("account", custid))
        await self._refuse_if_locked(counters)
        customer = await self.store.customer(custid) if custid is not None else None
        matches = await self._password_matches(customer, password)
        if custid is None or customer is None or not matches:
            await self._fail(counters)
        await self.store.clear_failures([signin_failures_name("account", custid)])
        session = await self._start(custid, previous)
        return self._signed_in(session, self.accounts.caller(custid, customer))

    async def signed_in(self, session_id: str | None) -> SignedIn | None:
        """Return who a session cookie signs in, or None when it names no live session of an account."""
        session = await self.sessions.resume(session_id)
        if session is None:
            return None
        customer = await self.store.customer(session.custid)
        if customer is None:
            await self.sessions.end(session)
            return None
        return self._signed_in(session, self.accounts.caller(session.custid, customer))

    async def sign_out(self, signed_in: SignedIn) -> None:
        """End this browser's session (other browsers stay signed in)."""
        await self.sessions.end(signed_in.session)

    async def rotate_token(self, signed_in: SignedIn) -> str:
        """Give the account a new API token; the old one is refused from now on."""
        try:
            return await self.accounts.rotate_token(signed_in.email)
        except UnknownAccount:
            raise SignInRequired from None

    async def send_confirmation(self, signed_in: SignedIn) -> None:
        """Email the account a new link that confirms its address (the previous link stops working)."""
        if self.outbox is None:
            raise MailUnavailable
        limit = CONFIRMATION_LIMIT
        if await self.store.count_request("confirm", signed_in.email, limit.seconds) > limit.count:
            raise ConfirmationLimited
        await self._send_confirmation(signed_in.email)

    async def _send_confirmation(self, custid: str) -> None:
        if self.outbox is None:
            return
        customer = await self.store.customer(custid) or {}
        if customer.get(CONFIRMING):
            await self._forget_confirmation(customer[CONFIRMING])
        token = keys.new_key()
        digest = _digest(token)
        await self.store.save_verification(digest, custid, CONFIRMATION_SECONDS)
        if not await self.store.update_customer(custid, {CONFIRMING: digest}):
            await self._forget_confirmation(digest)
            raise SignInRequired
        await self.outbox.queue(
            _confirmation_mail_id(digest),
            recipient=custid,
            sender="",
            secret_url=f"{self.base_url}/account/confirm/{token}",
            ttl=CONFIRMATION_SECONDS,
            kind=CONFIRM_EMAIL,
        )

    async def _forget_confirmation(self, digest: str) -> None:
        await self.store.take_verification(digest)
        await self.store.drop_mail(_confirmation_mail_id(digest))

    async def confirm_email(self, token: str) -> str:
        """Mark the account of a confirmation link as confirmed (once); return its email."""
        if not keys.is_key_shaped(token):
            raise UnknownVerification
        digest = _digest(token)
        custid = await self.store.take_verification(digest)
        if custid is None or not await self.store.update_customer(custid, {VERIFIED: "1", CONFIRMING: ""}):
            raise UnknownVerification
        await self.store.drop_mail(_confirmation_mail_id(digest))  # if still waiting for a retry: no need now
        return custid

    async def delete(self, signed_in: SignedIn, password: str, client: str) -> None:
        """Delete the account once its password is confirmed, and every key that names it.

        Its secrets stay readable by their recipients until they expire; their receipts no
        longer name the account, and emails of theirs still queued are not sent. Its custom
        domains are released.
        """
        custid = signed_in.email
        counters = [signin_failures_name("client", client), signin_failures_name("account", custid)]
        await self._refuse_if_locked(counters)
        customer = await self.store.customer(custid)
        if not await self._password_matches(customer, password):
            await self._fail(counters)
        named_after = [
            signin_failures_name("account", custid),
            request_limit_name("mail", custid),
            request_limit_name("confirm", custid),
        ]
        confirming = (customer or {}).get(CONFIRMING)
        if confirming:
            named_after.append(verification_name(confirming))
            await self.store.drop_mail(_confirmation_mail_id(confirming))
        secret_keys = await self.store.delete_customer(custid, new_owner=ANONYMOUS_CUSTID, extra_keys=named_after)
        if secret_keys is None:
            raise SignInRequired
        for secret_key in secret_keys:
            if await self.store.drop_mail(secret_key):
                await self.store.set_delivery(secret_key, FAILED)
        for domain in await self.store.owner_domains(custid):
            await self.store.remove_domain(domain, custid)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _confirmation_mail_id(digest: str) -> str:
    """Return the outbox id of a confirmation email (never a secret key: those are base36)."""
    return f"confirm-{digest[:32]}"
