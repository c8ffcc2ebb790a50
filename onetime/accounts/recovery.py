"""Account recovery: a browser account that forgot its password chooses a new one through its email.

Asking sends a link that works once, for `RECOVERY_SECONDS`, through the mail outbox. The answer
is the same whether or not the email has an account, and so is the work behind it (the same
counters, the same lookup, the same writes; only the outbox entry differs, one write queued in
the same round trip's time), so the form tells nobody which addresses have accounts. Only the
digest of the link's token is stored (`onetime.storage.recoveries`).

Using the link sets the new password (the sign-up rules apply), confirms the address (the link
proved it), ends every session of the account and the other pending links, clears the account's
failed sign-ins, and signs this browser in. The list of recent secrets starts again: its key was
wrapped under the forgotten password and the API token, and a recovery link shows neither
(`AccountHistory.after_password_reset`). Accounts made by `ots account create` have no password
and get no link: they use their API token.

Requests are counted per email typed and per client address before anything is looked up or
sent, so many requests at once send at most the limit.
"""

from __future__ import annotations

from dataclasses import dataclass

from onetime import keys
from onetime.accounts.caller import normalize_email
from onetime.accounts.history import AccountHistory, HistoryKey
from onetime.accounts.password_rules import check_password, normalize_password
from onetime.accounts.sessions import Session, SessionService
from onetime.crypto import HasherBusy, PassphraseHasher
from onetime.errors import MailUnavailable, RecoveryLimited, SignInBusy, UnknownRecovery
from onetime.mail.outbox import Outbox
from onetime.mail.outgoing import RESET_PASSWORD
from onetime.settings import RequestLimit
from onetime.storage.counters import RECOVER, Counters, SignInFailures
from onetime.storage.customers import Customers
from onetime.storage.recoveries import RecoveryTokens

RECOVERY_SECONDS = 30 * 60
"""How long a password reset link works (once)."""
RECOVERY_LIMIT_PER_EMAIL = RequestLimit(3, 3600)
"""Reset emails one address may be sent per window, whether or not it has an account."""
RECOVERY_LIMIT_PER_CLIENT = RequestLimit(10, 3600)
"""Reset requests one client address may make per window."""
RESET_PATH = "/signin/reset"
"""Where a reset link leads: `<base url>/signin/reset/<token>`."""


def recovery_mail_id(digest: str) -> str:
    """Return the outbox id of a reset email (never a secret key: those are base36)."""
    return f"recover-{digest[:32]}"


@dataclass(frozen=True, slots=True)
class Recovered:
    """An account whose password was just chosen again, signed in under a new session."""

    custid: str
    session: Session
    history: HistoryKey


class PasswordRecovery:
    """Send password reset links, and set a new password through one."""

    def __init__(  # noqa: PLR0913 - the composition root hands over every collaborator
        self,
        *,
        customers: Customers,
        tokens: RecoveryTokens,
        counters: Counters,
        outbox: Outbox,
        sessions: SessionService,
        history: AccountHistory,
        hasher: PassphraseHasher,
        base_url: str,
        enabled: bool,
    ) -> None:
        self.customers = customers
        self.tokens = tokens
        self.counters = counters
        self.outbox = outbox
        self.sessions = sessions
        self.history = history
        self.hasher = hasher
        self.base_url = base_url
        self.enabled = enabled
        """Whether mail is configured; without it no link can be sent."""

    async def _count(self, who: str, limit: RequestLimit) -> None:
        count, wait = await self.counters.count_with_wait(RECOVER, who, limit.seconds)
        if count > limit.count:
            raise RecoveryLimited(-(-wait // 60))

    async def request(self, email: str, client: str) -> None:
        """Email a reset link if the address has a browser account; answer alike either way."""
        if not self.enabled:
            raise MailUnavailable
        custid = normalize_email(email)
        # Reserved before anything is looked up or sent, so requests sent at once send at most the limit.
        await self._count(client, RECOVERY_LIMIT_PER_CLIENT)
        await self._count(custid, RECOVERY_LIMIT_PER_EMAIL)
        customer = await self.customers.get(custid)
        has_account = customer is not None and customer.password_hash is not None
        token = keys.new_key()
        digest = keys.token_digest(token)
        await self.tokens.save(digest, custid, RECOVERY_SECONDS, has_account=has_account)
        if has_account:
            await self.outbox.queue(
                recovery_mail_id(digest),
                recipient=custid,
                sender="",
                secret_url=f"{self.base_url}{RESET_PATH}/{token}",
                ttl=RECOVERY_SECONDS,
                kind=RESET_PASSWORD,
            )

    async def is_valid(self, token: str) -> bool:
        """Tell whether a reset link can still be used (looking uses nothing up)."""
        return keys.is_key_shaped(token) and await self.tokens.account_of(keys.token_digest(token)) is not None

    async def reset(self, token: str, password: str, previous: Session | None = None) -> Recovered:
        """Set the account's new password through a reset link (once), end its sessions, and sign in."""
        if not keys.is_key_shaped(token):
            raise UnknownRecovery
        digest = keys.token_digest(token)
        custid = await self.tokens.account_of(digest)
        if custid is None:
            raise UnknownRecovery
        check_password(password, custid)  # a refused password leaves the link usable
        try:
            password_hash = await self.hasher.hash(normalize_password(password))
        except HasherBusy:
            raise SignInBusy from None
        # Taken only now, in one step: of two uses at once, one wins and the other is refused.
        if await self.tokens.take(digest) != custid:
            raise UnknownRecovery
        customer = await self.customers.get(custid)
        if (
            customer is None
            or customer.password_hash is None
            or not await self.customers.set_password(custid, password_hash)
        ):
            raise UnknownRecovery
        await self._end_the_rest(custid)
        await self.customers.mark_verified(custid)  # the link proved the address
        await self.counters.clear_signin_failures([SignInFailures.of_account(custid)])
        history = await self.history.after_password_reset(custid, customer, normalize_password(password))
        if previous is not None:
            await self.sessions.end(previous)
        session = await self.sessions.start(custid, history.private)
        return Recovered(custid, session, history)

    async def _end_the_rest(self, custid: str) -> None:
        # Whoever was signed in (perhaps the person who took the password) is signed out, and any
        # other link sent meanwhile stops working.
        await self.sessions.end_all(custid)
        for digest in await self.tokens.forget_all(custid):
            await self.outbox.cancel(recovery_mail_id(digest))

    async def forget(self, custid: str) -> None:
        """Forget the pending links of an account that is being deleted, and their queued emails."""
        for digest in await self.tokens.forget_all(custid):
            await self.outbox.cancel(recovery_mail_id(digest))
