"""Accounts in the browser: sign up, sign in and out, rotate the API token, confirm, delete.

A browser account is the same customer the API authenticates, with a bcrypt hash of its
password. Messages never tell whether an email has an account: signing in with an unknown email
and with a wrong password fail alike (same words, same bcrypt work, same counters), and signing
up with an email that has an account answers the neutral `SignUpRefused` (and counts against the
client address, like a failed sign-in).

Sign-in attempts are counted per account (the email typed, whether or not it has an account) and
per client address *before* bcrypt runs, so guesses sent at once are refused once the limit is
used up; a successful sign-in gives its attempt back (and clears the account's count). Five failures
within 20 minutes lock that account until the 20 minutes have passed; an address, which a whole
office may share, is locked after twenty. Deleting an account asks for its password under the
account's limit only (the caller is signed in to it), so a typo there never locks the address; a
sign-up with a taken email is bounded by the sign-up limit and locks nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import NoReturn

from onetime.accounts.caller import Caller, normalize_email
from onetime.accounts.confirmation import UNCONFIRMED_ACCOUNT_SECONDS, EmailConfirmations
from onetime.accounts.deletion import AccountDeletion
from onetime.accounts.history import HistoryKey
from onetime.accounts.invitations import Invitations
from onetime.accounts.password_rules import check_password, normalize_password
from onetime.accounts.service import AccountService
from onetime.accounts.sessions import Session, SessionService
from onetime.crypto import HasherBusy, PassphraseHasher
from onetime.errors import (
    AccountExists,
    InvalidEmail,
    SignInBusy,
    SignInLocked,
    SignInRequired,
    SignUpLimited,
    SignUpRefused,
    UnknownAccount,
    WrongCredentials,
    WrongPassword,
)
from onetime.plans import Plan
from onetime.storage.counters import SIGNUP, Counters, SignInFailures, SignInLimits
from onetime.storage.customers import Customer, Customers

SIGNIN_FAILURES = 5
"""Failed sign-ins per account that lock further attempts on it."""
SIGNIN_FAILURES_PER_ADDRESS = 20
"""Failed sign-ins per client address that lock further attempts from it: higher than per account,
because one office behind one address makes ordinary mistakes on many accounts, while one guesser
spreading guesses over accounts is still held to a few an account and twenty an address."""
SIGNIN_LIMITS = SignInLimits(per_account=SIGNIN_FAILURES, per_client=SIGNIN_FAILURES_PER_ADDRESS)
SIGNIN_WINDOW = 20 * 60
"""Seconds in which those failures count; the lock lasts until the window ends."""
PASSWORD_CHECKS_WAITING = 16
"""Password hashes and checks (sign-up, sign-in, deletion) a process lets wait for its accounts' bcrypt
thread; more are refused at once (`SignInBusy`) rather than queued for ever."""
BROWSER_PLAN = "basic"
"""The plan of an account created in the browser."""


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


class SignInService:
    """The account actions of the browser: sign up, sign in and out, rotate tokens, confirm, delete."""

    def __init__(  # noqa: PLR0913 - the composition root hands over every collaborator
        self,
        *,
        customers: Customers,
        counters: Counters,
        accounts: AccountService,
        sessions: SessionService,
        hasher: PassphraseHasher,
        confirmations: EmailConfirmations,
        deletion: AccountDeletion,
        invitations: Invitations,
    ) -> None:
        self.customers = customers
        self.counters = counters
        self.accounts = accounts
        self.sessions = sessions
        self.hasher = hasher
        self.confirmations = confirmations
        self.deletion = deletion
        self.invitations = invitations
        self._absent_hash: bytes | None = None

    @property
    def base_url(self) -> str:
        """Return the canonical origin of this deployment (for the API examples)."""
        return self.accounts.settings.base_url

    def _signed_in(self, session: Session, caller: Caller) -> SignedIn:
        return SignedIn(session, caller, can_email_links=self.confirmations.enabled)

    async def _dummy_hash(self) -> bytes:
        # Checked against when the account does not exist, so both paths do the same bcrypt work.
        if self._absent_hash is None:
            self._absent_hash = await self.hasher.hash("no such account")
        return self._absent_hash

    async def _refuse_if_locked(self, counters: list[SignInFailures]) -> None:
        seconds = await self.counters.signin_locked_seconds(counters, SIGNIN_LIMITS)
        if seconds:
            raise SignInLocked(-(-seconds // 60))

    async def _password_matches(self, customer: Customer | None, password: str, reserved: list[SignInFailures]) -> bool:
        stored = customer.password_hash if customer else None
        try:
            hashed = stored or await self._dummy_hash()
            return await self.hasher.verify(normalize_password(password), hashed) and stored is not None
        except HasherBusy:
            await self.counters.release_signin(reserved)  # never checked: not a failure
            raise SignInBusy from None

    async def _reserve_attempt(self, counters: list[SignInFailures]) -> None:
        # Counted before bcrypt runs, so that guesses sent at once cannot all be checked: at most
        # SIGNIN_LIMITS verifications per account and per address in a window.
        seconds = await self.counters.reserve_signin(counters, SIGNIN_WINDOW, SIGNIN_LIMITS)
        if seconds:
            raise SignInLocked(-(-seconds // 60))

    async def _fail(self, counters: list[SignInFailures], error: type[WrongCredentials] = WrongCredentials) -> NoReturn:
        """Refuse an attempt (counted when reserved); the one that reaches the limit says how long to wait."""
        await self._refuse_if_locked(counters)
        raise error

    async def _start(self, custid: str, previous: Session | None, history: HistoryKey) -> Session:
        # A new id at every sign-in, so an id planted in the browser beforehand is worth nothing.
        if previous is not None:
            await self.sessions.end(previous)
        return await self.sessions.start(custid, history.private)

    async def sign_up(self, email: str, password: str, client: str, previous: Session | None = None) -> NewAccount:
        """Create a browser account on the basic plan, sign it in, and return its API token.

        Only where sign-up is open (OTS_SIGNUP); elsewhere accounts come by invitation or from the operator.
        """
        self.accounts.settings.access.check_signup()
        custid = normalize_email(email)
        check_password(password, custid)
        counters = [SignInFailures.of_client(client)]
        await self._refuse_if_locked(counters)
        await self._count_sign_up(client)
        # Where mail is configured, an account never confirmed goes in the end (no record for ever
        # for each address typed); without mail nobody can confirm, so accounts stay.
        lifetime = UNCONFIRMED_ACCOUNT_SECONDS if self.confirmations.enabled else None
        try:
            created = await self._open_account(custid, password, previous, verified=False, lifetime=lifetime)
        except AccountExists:
            # Not a sign-in failure: the sign-up limit already bounds how many emails one address probes.
            raise SignUpRefused from None
        await self.confirmations.send(custid)
        return replace(created, verification_sent=self.confirmations.enabled)

    async def sign_up_invited(self, token: str, password: str, previous: Session | None = None) -> NewAccount:
        """Create the account an invitation link names, once per link; it is confirmed (the link reached it)."""
        access = self.accounts.settings.access
        if not access.invitations_accepted:
            access.check_signup()  # says why: read-only, or sign-up closed
        check_password(password, await self.invitations.invited(token))  # a typo keeps the link working
        taken = await self.invitations.take(token)  # one GETDEL: of sign-ups sent at once, one gets here
        try:
            return await self._open_account(taken.email, password, previous, verified=True, lifetime=None)
        except SignInBusy:
            await self.invitations.give_back(taken)
            raise
        except AccountExists:
            raise SignUpRefused from None

    async def _open_account(
        self, custid: str, password: str, previous: Session | None, *, verified: bool, lifetime: int | None
    ) -> NewAccount:
        """Hash the password, store the account on the browser plan, and start its first session."""
        try:
            password_hash = await self.hasher.hash(normalize_password(password))
        except HasherBusy:
            raise SignInBusy from None
        credentials = await self.accounts.create(
            custid,
            BROWSER_PLAN,
            password_hash=password_hash,
            password=normalize_password(password),
            verified=verified,
            expires_in=lifetime,
        )
        session = await self._start(custid, previous, credentials.history)
        plan = self.accounts.settings.plans[BROWSER_PLAN]
        caller = Caller(custid, plan, verified=verified, history=credentials.history)
        return NewAccount(self._signed_in(session, caller), credentials.token)

    async def _count_sign_up(self, client: str) -> None:
        # Counted before bcrypt runs, so that sign-ups sent at once cannot all be hashed.
        settings = self.accounts.settings
        if not settings.rate_limits:
            return
        limit = settings.limit_signup
        if await self.counters.count_request(SIGNUP, client, limit.seconds) > limit.count:
            raise SignUpLimited

    async def sign_in(self, email: str, password: str, client: str, previous: Session | None = None) -> SignedIn:
        """Check the password under the sign-in limits and start a new session."""
        try:
            custid: str | None = normalize_email(email)
        except InvalidEmail:
            custid = None
        counters = [SignInFailures.of_client(client)]
        if custid is not None:
            counters.append(SignInFailures.of_account(custid))
        await self._reserve_attempt(counters)
        customer = await self.customers.get(custid) if custid is not None else None
        matches = await self._password_matches(customer, password, counters)
        if custid is None or customer is None or not matches:
            await self._fail(counters)
        await self.counters.clear_signin_failures([SignInFailures.of_account(custid)])
        await self.counters.release_signin([SignInFailures.of_client(client)])
        history = await self.accounts.history.for_password(custid, customer, normalize_password(password))
        session = await self._start(custid, previous, history)
        return self._signed_in(session, self.accounts.caller(custid, customer, history))

    async def signed_in(self, session_id: str | None) -> SignedIn | None:
        """Return who a session cookie signs in, or None when it names no live session of an account."""
        session = await self.sessions.resume(session_id)
        if session is None:
            return None
        customer = await self.customers.get(session.custid)
        if customer is None:
            await self.sessions.end(session)
            return None
        stored = customer.history
        history = HistoryKey.opened(stored.public, session.history_private) if stored is not None else None
        return self._signed_in(session, self.accounts.caller(session.custid, customer, history))

    async def sign_out(self, signed_in: SignedIn) -> None:
        """End this browser's session (other browsers stay signed in)."""
        await self.sessions.end(signed_in.session)

    async def rotate_token(self, signed_in: SignedIn) -> str:
        """Give the account a new API token; the old one is refused from now on."""
        try:
            return await self.accounts.rotate_token(signed_in.email, signed_in.caller.history)
        except UnknownAccount:
            raise SignInRequired from None

    async def send_confirmation(self, signed_in: SignedIn) -> None:
        """Email the account a new link that confirms its address (the previous link stops working)."""
        await self.confirmations.request(signed_in.email)

    async def confirm_email(self, token: str) -> str:
        """Mark the account of a confirmation link as confirmed (once); return its email."""
        return await self.confirmations.confirm(token)

    async def delete(self, signed_in: SignedIn, password: str, client: str) -> None:
        """Delete the account once its password is confirmed (see `AccountDeletion`)."""
        custid = signed_in.email
        del client  # the account's own limit holds: its session is signed in, so the address is not the guesser
        counters = [SignInFailures.of_account(custid)]
        await self._reserve_attempt(counters)
        customer = await self.customers.get(custid)
        matches = await self._password_matches(customer, password, counters)
        if customer is None or not matches:
            await self._fail(counters, WrongPassword)
        await self.deletion.delete(custid, customer)
