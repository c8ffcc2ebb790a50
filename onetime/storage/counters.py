"""Fixed-window counters: request limits, the passphrase lockout and failed sign-ins.

A counter's window starts at its first count and ends with its TTL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from onetime.storage import scripts
from onetime.storage.client import RedisClient, storage_errors
from onetime.storage.keys import (
    passphrase_failures_name,
    passphrase_lock_name,
    request_limit_name,
    signin_failures_name,
)

CREATE, REVEAL, SIGNUP = "create", "reveal", "signup"
"""Request limits counted per client address."""
MAIL, CONFIRM, LOGO = "mail", "confirm", "logo"
"""Request limits counted per account: recipient emails, address confirmation emails, logo uploads."""
RECOVER = "recover"
"""Password reset emails asked for, counted per email typed and per client address."""


@dataclass(frozen=True, slots=True)
class Lockout:
    """Passphrase attempts allowed per client and per secret in a window, and the lock after."""

    window: int
    lock: int
    per_client: int
    per_secret: int


@dataclass(frozen=True, slots=True)
class SignInFailures:
    """The failed sign-ins counted for one account (the email typed) or for one client address."""

    kind: str
    who: str

    @classmethod
    def of_client(cls, client: str) -> SignInFailures:
        """Return the counter of a client address."""
        return cls("client", client)

    @classmethod
    def of_account(cls, custid: str) -> SignInFailures:
        """Return the counter of an account (whether or not it exists)."""
        return cls("account", custid)

    @property
    def name(self) -> str:
        """Return the counter's Redis key."""
        return signin_failures_name(self.kind, self.who)


@dataclass(frozen=True, slots=True)
class SignInLimits:
    """Failed sign-ins allowed in a window: few per account, more per client address (an office shares one)."""

    per_account: int
    per_client: int

    def of(self, counter: SignInFailures) -> int:
        """Return the limit of one counter."""
        return self.per_client if counter.kind == "client" else self.per_account


def _lockout_names(secret_key: str, client: str) -> list[str]:
    return [
        passphrase_failures_name(secret_key),
        passphrase_failures_name(secret_key, client),
        passphrase_lock_name(secret_key),
        passphrase_lock_name(secret_key, client),
    ]


class Counters:
    """Count requests and failures in fixed windows, and tell when a limit is reached."""

    def __init__(self, client: RedisClient) -> None:
        self.client = client
        self._count = client.register_script(scripts.COUNT)
        self._reserve_attempt = client.register_script(scripts.RESERVE_ATTEMPT)
        self._lock_if_exhausted = client.register_script(scripts.LOCK_IF_EXHAUSTED)
        self._reserve_signin = client.register_script(scripts.RESERVE_SIGNIN)
        self._release_signin = client.register_script(scripts.RELEASE_SIGNIN)

    @storage_errors
    async def count_request(self, limit: str, who: str, window: int) -> int:
        """Count one request of a client (or an account) against a limit; return the count in the window."""
        return int(await self._count(keys=[request_limit_name(limit, who)], args=[window]))

    @storage_errors
    async def is_locked(self, secret_key: str, client: str) -> bool:
        """Tell whether passphrase attempts on this secret are locked for this client."""
        return bool(
            await self.client.exists(passphrase_lock_name(secret_key), passphrase_lock_name(secret_key, client))
        )

    @storage_errors
    async def reserve_attempt(self, secret_key: str, client: str, policy: Lockout) -> bool:
        """Count a passphrase attempt before it is verified; False when the limits refuse it."""
        keys = _lockout_names(secret_key, client)
        return bool(await self._reserve_attempt(keys=keys, args=[policy.window, policy.per_client, policy.per_secret]))

    @storage_errors
    async def lock_if_exhausted(self, secret_key: str, client: str, policy: Lockout) -> None:
        """After a failed attempt, lock the client or the secret once its attempts are used up."""
        keys = _lockout_names(secret_key, client)
        await self._lock_if_exhausted(keys=keys, args=[policy.lock, policy.per_client, policy.per_secret])

    @storage_errors
    async def passphrase_wait_seconds(self, secret_key: str, client: str) -> int:
        """Return how long passphrase attempts stay refused: the longer lock, else the attempts' window."""
        failures, mine, lock, my_lock = _lockout_names(secret_key, client)
        pipe = self.client.pipeline(transaction=False)
        for name in (lock, my_lock, failures, mine):
            pipe.ttl(name)
        lock_ttl, my_lock_ttl, failures_ttl, mine_ttl = (int(ttl) for ttl in await pipe.execute())
        return max(lock_ttl, my_lock_ttl, 0) or max(failures_ttl, mine_ttl, 1)

    @storage_errors
    async def passphrase_attempts(self, secret_key: str) -> int:
        """Return the passphrase attempts on a secret, from every client, in the current window."""
        return int(await self.client.get(passphrase_failures_name(secret_key)) or 0)

    @storage_errors
    async def passphrase_tries_left(self, secret_key: str, client: str, policy: Lockout) -> int:
        """Return how many passphrase attempts this client has left in the window (0 when locked)."""
        failures, mine, lock, my_lock = _lockout_names(secret_key, client)
        if await self.client.exists(lock, my_lock):
            return 0
        pipe = self.client.pipeline(transaction=False)
        pipe.get(failures)
        pipe.get(mine)
        total, own = (int(count or 0) for count in await pipe.execute())
        return max(min(policy.per_client - own, policy.per_secret - total), 0)

    @storage_errors
    async def signin_locked_seconds(self, counters: Sequence[SignInFailures], limits: SignInLimits) -> int:
        """Return how long the longest of these counters at its limit or more still runs (0: none)."""
        longest = 0
        for counter in counters:
            pipe = self.client.pipeline(transaction=False)
            pipe.get(counter.name)
            pipe.ttl(counter.name)
            count, ttl = await pipe.execute()
            if count is not None and int(count) >= limits.of(counter):
                longest = max(longest, int(ttl), 1)
        return longest

    @storage_errors
    async def reserve_signin(self, counters: Sequence[SignInFailures], window: int, limits: SignInLimits) -> int:
        """Count a sign-in attempt on each counter before its password is checked.

        Returns 0 when every counter had room (the attempt is counted on each), else how many
        seconds the counter that refused still runs (nothing stays counted then).
        """
        reserved: list[SignInFailures] = []
        for counter in counters:
            seconds = int(await self._reserve_signin(keys=[counter.name], args=[window, limits.of(counter)]))
            if seconds:
                await self.release_signin(reserved)
                return seconds
            reserved.append(counter)
        return 0

    @storage_errors
    async def release_signin(self, counters: Sequence[SignInFailures]) -> None:
        """Give back an attempt reserved on each counter (it succeeded, or was never checked)."""
        for counter in counters:
            await self._release_signin(keys=[counter.name])

    @storage_errors
    async def add_signin_failure(self, counters: Sequence[SignInFailures], window: int) -> None:
        """Count one failed sign-in on each counter."""
        for counter in counters:
            await self._count(keys=[counter.name], args=[window])

    @storage_errors
    async def clear_signin_failures(self, counters: Sequence[SignInFailures]) -> None:
        """Forget failed sign-ins."""
        for counter in counters:
            await self.client.delete(counter.name)

    @storage_errors
    async def forget_account(self, custid: str) -> None:
        """Forget every counter named after an account (its failed sign-ins, its email limits)."""
        names = [
            SignInFailures.of_account(custid).name,
            request_limit_name(MAIL, custid),
            request_limit_name(CONFIRM, custid),
            request_limit_name(LOGO, custid),
            request_limit_name(RECOVER, custid),
        ]
        for name in names:
            await self.client.delete(name)

    @storage_errors
    async def count_with_wait(self, limit: str, who: str, window: int) -> tuple[int, int]:
        """Count one request against a limit; return the count in the window and the seconds the window still runs."""
        count = await self.count_request(limit, who, window)
        return count, max(int(await self.client.ttl(request_limit_name(limit, who))), 1)
