"""Redis storage of secrets, receipts, limits and customers.

Layout (every key has a TTL except customers; keys that one script touches share a hash tag, so
the same scripts run on one Redis and on Redis Cluster):

    ots:secret:{S}        str   n (1 byte) | bcrypt hash (n bytes, 0 without passphrase) | envelope  TTL ttl
    ots:receipt:{S}       hash  the receipt (field names below)                        TTL 2*ttl
    ots:generated:{S}     str   envelope of a generated password, echoed once           TTL 60 s
    ots:metadata:{M}      str   S: finds the receipt by its public key                  TTL 2*ttl
    ots:recent:{owner}    zset  receipt keys by creation time                           TTL 30 days
    ots:fails:{S}[:ip]    str   failed passphrase counts                                TTL window
    ots:lock:{S}[:ip]     str   passphrase lockout                                      TTL lock
    ots:limit:{name}:ip   str   request counts (`{mail}:<email>`: recipient emails)     TTL window
    ots:customer:{email}  hash  plan, token digest, created; password hash, verified   no TTL
    ots:session:{D}       hash  a browser session (D: SHA-256 of its id): account, created  TTL idle
    ots:sessions:{email}  set   the account's session digests                          TTL lifetime
    ots:signin:{kind}:W   str   failed sign-ins of an account or a client address      TTL window
    ots:verify:{D}        str   email confirmation (D: SHA-256 of the link token) -> email TTL 2 days
    ots:outbox:{mail}     zset  queued emails, by secret key, scored by next try (ms)   TTL longest + 2 h
    ots:outbox:{mail}:S   hash  one queued email: the only place with the plain address TTL <= ttl
    ots:domain:{D}        hash  a custom domain: owner, verification, branding          no TTL
    ots:domain:{D}:logo   str   its re-encoded logo                                     no TTL
    ots:domains:{owner}   set   the owner's domains                                     no TTL
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from redis import exceptions as redis_errors
from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster
from redis.typing import EncodableT

from onetime.errors import StorageUnavailable

log = logging.getLogger(__name__)

RedisClient = Redis | RedisCluster
P = ParamSpec("P")
T = TypeVar("T")

GENERATED_ECHO_SECONDS = 60
RECENT_SECONDS = 30 * 24 * 3600
RECENT_KEEP_SECONDS = 2 * RECENT_SECONDS
"""How long the recent index keeps a receipt key: as long as the receipt can live (2 x 30 days),
so that deleting an account finds every receipt naming it. Lists show the last RECENT_SECONDS."""
# Browser session fields.
SESSION_ACCOUNT, SESSION_CREATED = "a", "c"

# Receipt field names, kept short because every stored secret carries them.
OWNER, TTL, CREATED, UPDATED, STATE = "o", "t", "c", "u", "s"
RECEIVED, BURNED, RECIPIENTS, SHARE_DOMAIN, HAS_PASSPHRASE = "r", "b", "rc", "d", "p"
DELIVERY, DELIVERY_ATTEMPTS, GENERATED = "dl", "da", "g"
# Outbox entry fields the scripts own: tries so far, and the token of the worker holding the lease.
MAIL_TRIES, MAIL_LEASE = "n", "k"
OUTBOX = "ots:outbox:{mail}"

_CREATE = f"""
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[1])
redis.call('HSET', KEYS[2], unpack(ARGV, 4))
redis.call('EXPIRE', KEYS[2], 2 * tonumber(ARGV[1]))
if ARGV[3] ~= '' then redis.call('SET', KEYS[3], ARGV[3], 'EX', {GENERATED_ECHO_SECONDS}) end
return 1
"""

# Reveal and burn are this one script with a different end state, so they race safely: the
# first to run deletes the secret; any later call finds nothing. A secret with a passphrase is
# only consumed when the caller says the passphrase was verified (ARGV[4]); otherwise the script
# hands back its bcrypt hash and changes nothing. A secret without one is taken in one round trip.
_TAKE = """
local record = redis.call('GET', KEYS[1])
if not record then return false end
local hash_length = string.byte(record, 1)
if hash_length > 0 and ARGV[4] ~= '1' then return {0, string.sub(record, 2, 1 + hash_length)} end
redis.call('DEL', KEYS[1], KEYS[3])
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('HSET', KEYS[2], 's', ARGV[2], 'u', ARGV[1], ARGV[3], ARGV[1])
end
return {1, string.sub(record, 2 + hash_length), redis.call('HGET', KEYS[2], 'd') or ''}
"""

# A receipt read settles the lazy expired/orphaned states; a field is written only while the
# receipt exists, so an expired receipt is never recreated without a TTL.
_READ_RECEIPT = """
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local state = redis.call('HGET', KEYS[1], 's')
local secret_ttl = redis.call('PTTL', KEYS[2])
if secret_ttl == -2 and (state == 'new' or state == 'viewed') then
  local ends = tonumber(redis.call('HGET', KEYS[1], 'c')) + tonumber(redis.call('HGET', KEYS[1], 't'))
  local now = tonumber(ARGV[1])
  if now >= ends then
    redis.call('HSET', KEYS[1], 's', 'expired', 'u', tostring(ends))
  else
    redis.call('HSET', KEYS[1], 's', 'orphaned', 'u', ARGV[1])
  end
end
return {redis.call('HGETALL', KEYS[1]), redis.call('PTTL', KEYS[1]), secret_ttl}
"""

_MARK_VIEWED = """
if redis.call('EXISTS', KEYS[2]) == 1 and redis.call('HGET', KEYS[1], 's') == 'new' then
  redis.call('HSET', KEYS[1], 's', 'viewed', 'u', ARGV[1])
  return 1
end
return 0
"""

OUTBOX_MARGIN = 2 * 3600
"""The outbox index outlives its longest entry by this much, so that a worker still finds the
id of an entry that expired unsent (and marks its receipt failed), even one whose next try was
scheduled up to an hour after it expired."""

# The outbox keys share the {mail} tag, so these scripts run on Redis Cluster too. An entry
# lives no longer than its secret; the index a little longer than its longest entry.
_QUEUE_MAIL = f"""
redis.call('HSET', KEYS[2], unpack(ARGV, 4))
redis.call('EXPIRE', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
local keep = tonumber(ARGV[1]) + {OUTBOX_MARGIN}
if redis.call('TTL', KEYS[1]) < keep then redis.call('EXPIRE', KEYS[1], keep) end
return 1
"""

# Claiming pushes the entry's next-try time past the lease in the same step that checks it is
# due, so of two workers that saw it due, exactly one gets it. 0: the entry expired unsent.
_CLAIM_MAIL = """
local due = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not due or tonumber(due) > tonumber(ARGV[2]) then return false end
if redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
redis.call('HINCRBY', KEYS[2], 'n', 1)
redis.call('HSET', KEYS[2], 'k', ARGV[4])
return redis.call('HGETALL', KEYS[2])
"""

# Finish (delete) or reschedule an entry, only for the worker that still holds its lease.
_FINISH_MAIL = """
if redis.call('HGET', KEYS[2], 'k') ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[2])
redis.call('ZREM', KEYS[1], ARGV[1])
return 1
"""

_RETRY_MAIL = """
if redis.call('HGET', KEYS[2], 'k') ~= ARGV[2] then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
return 1
"""

_SET_FIELDS = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
"""

# An account being deleted leaves its receipts to their recipients, under another owner's name.
_DISOWN = """
if redis.call('HGET', KEYS[1], 'o') == ARGV[1] then redis.call('HSET', KEYS[1], 'o', ARGV[2]) end
return 1
"""

_COUNT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""

# A passphrase attempt is counted before bcrypt runs, so concurrent guesses cannot all slip past
# the limits: at most `per client` verifications per client and `per secret` in all per window.
_RESERVE_ATTEMPT = """
if redis.call('EXISTS', KEYS[3], KEYS[4]) > 0 then return 0 end
local total = redis.call('INCR', KEYS[1])
if total == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local mine = redis.call('INCR', KEYS[2])
if mine == 1 then redis.call('EXPIRE', KEYS[2], ARGV[1]) end
if mine > tonumber(ARGV[2]) or total > tonumber(ARGV[3]) then return 0 end
return 1
"""

# After a failed attempt: lock the client, or the whole secret, once its attempts are used up.
_LOCK_IF_EXHAUSTED = """
if tonumber(redis.call('GET', KEYS[2]) or '0') >= tonumber(ARGV[2]) then
  redis.call('SET', KEYS[4], '1', 'EX', ARGV[1])
end
if tonumber(redis.call('GET', KEYS[1]) or '0') >= tonumber(ARGV[3]) then
  redis.call('SET', KEYS[3], '1', 'EX', ARGV[1])
end
return 1
"""


# A domain has one owner: claiming writes it only if nobody holds it, and answers the holder.
_CLAIM_DOMAIN = """
local holder = redis.call('HGET', KEYS[1], 'o')
if holder then return holder end
redis.call('HSET', KEYS[1], 'o', ARGV[1], unpack(ARGV, 2))
return ''
"""

# Changes to a domain are made only by its owner, and never recreate a removed one.
_UPDATE_DOMAIN = """
if redis.call('HGET', KEYS[1], 'o') ~= ARGV[1] then return 0 end
if ARGV[2] ~= '' then redis.call('SET', KEYS[2], ARGV[2]) end
if #ARGV > 2 then redis.call('HSET', KEYS[1], unpack(ARGV, 3)) end
return 1
"""

_REMOVE_DOMAIN = """
if redis.call('HGET', KEYS[1], 'o') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
return 1
"""


def _storage_errors(method: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """Turn any Redis failure into StorageUnavailable, logging only its class."""

    @functools.wraps(method)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await method(*args, **kwargs)
        except (redis_errors.RedisError, OSError) as error:
            log.warning("redis unavailable: %s", type(error).__name__)
            raise StorageUnavailable from None

    return wrapper


@dataclass(frozen=True, slots=True)
class Taken:
    """A consumed secret: the envelope for the one caller that won it."""

    envelope: bytes
    share_domain: str


@dataclass(frozen=True, slots=True)
class Guarded:
    """A secret left untouched because its passphrase must be verified first."""

    passphrase_hash: bytes


@dataclass(frozen=True, slots=True)
class Lockout:
    """Passphrase attempts allowed per client and per secret in a window, and the lock after."""

    window: int
    lock: int
    per_client: int
    per_secret: int


def _lockout_names(secret_key: str, client: str) -> list[str]:
    tag = f"{{{secret_key}}}"
    return [f"ots:fails:{tag}", f"ots:fails:{tag}:{client}", f"ots:lock:{tag}", f"ots:lock:{tag}:{client}"]


def _pack_secret(envelope: bytes, passphrase_hash: bytes | None) -> bytes:
    """Lay out a secret record: the hash length in one byte, the bcrypt hash, the envelope."""
    hashed = passphrase_hash or b""
    return bytes([len(hashed)]) + hashed + envelope


@dataclass(frozen=True, slots=True)
class StoredReceipt:
    """A receipt as read from Redis, with the remaining lifetimes."""

    secret_key: str
    fields: Mapping[str, str]
    receipt_ttl: int
    secret_ttl: int | None

    @property
    def state(self) -> str:
        """Return the receipt's state."""
        return self.fields[STATE]


def _seconds(pttl: int) -> int | None:
    return None if pttl < 0 else (pttl + 999) // 1000


def secret_name(secret_key: str) -> str:
    """Return the Redis key of a secret."""
    return f"ots:secret:{{{secret_key}}}"


def receipt_name(secret_key: str) -> str:
    """Return the Redis key of a secret's receipt."""
    return f"ots:receipt:{{{secret_key}}}"


def generated_name(secret_key: str) -> str:
    """Return the Redis key holding a generated password's one-time echo."""
    return f"ots:generated:{{{secret_key}}}"


def metadata_name(metadata_key: str) -> str:
    """Return the Redis key of the receipt index."""
    return f"ots:metadata:{{{metadata_key}}}"


def customer_name(custid: str) -> str:
    """Return the Redis key of a customer."""
    return f"ots:customer:{{{custid}}}"


def recent_name(custid: str) -> str:
    """Return the Redis key of a customer's recent receipts."""
    return f"ots:recent:{{{custid}}}"


def session_name(digest: str) -> str:
    """Return the Redis key of a browser session, named by the digest of its id."""
    return f"ots:session:{{{digest}}}"


def account_sessions_name(custid: str) -> str:
    """Return the Redis key of the set of an account's sessions."""
    return f"ots:sessions:{{{custid}}}"


def signin_failures_name(kind: str, who: str) -> str:
    """Return the Redis key counting failed sign-ins of an account or a client address."""
    return f"ots:signin:{{{kind}}}:{who}"


def verification_name(digest: str) -> str:
    """Return the Redis key of an email confirmation, named by the digest of its token."""
    return f"ots:verify:{{{digest}}}"


def request_limit_name(limit: str, client: str) -> str:
    """Return the Redis key of a request counter."""
    return f"ots:limit:{{{limit}}}:{client}"


def outbox_entry_name(secret_key: str) -> str:
    """Return the Redis key of the email queued for a secret."""
    return f"{OUTBOX}:{secret_key}"


def domain_name(domain: str) -> str:
    """Return the Redis key of a custom domain."""
    return f"ots:domain:{{{domain}}}"


def domain_logo_name(domain: str) -> str:
    """Return the Redis key of a custom domain's logo."""
    return f"ots:domain:{{{domain}}}:logo"


def owner_domains_name(owner: str) -> str:
    """Return the Redis key of the set of an owner's domains."""
    return f"ots:domains:{{{owner}}}"


class RedisStore:
    """The only code that talks to Redis."""

    def __init__(self, client: RedisClient) -> None:
        self.client = client
        self._pipelines = not isinstance(client, RedisCluster)
        self._create = client.register_script(_CREATE)
        self._take = client.register_script(_TAKE)
        self._read_receipt = client.register_script(_READ_RECEIPT)
        self._mark_viewed = client.register_script(_MARK_VIEWED)
        self._count = client.register_script(_COUNT)
        self._reserve_attempt = client.register_script(_RESERVE_ATTEMPT)
        self._lock_if_exhausted = client.register_script(_LOCK_IF_EXHAUSTED)
        self._disown = client.register_script(_DISOWN)
        self._queue_mail = client.register_script(_QUEUE_MAIL)
        self._claim_mail = client.register_script(_CLAIM_MAIL)
        self._finish_mail = client.register_script(_FINISH_MAIL)
        self._retry_mail = client.register_script(_RETRY_MAIL)
        self._set_fields = client.register_script(_SET_FIELDS)
        self._claim_domain = client.register_script(_CLAIM_DOMAIN)
        self._update_domain = client.register_script(_UPDATE_DOMAIN)
        self._remove_domain = client.register_script(_REMOVE_DOMAIN)

    @_storage_errors
    async def ping(self) -> None:
        """Check that Redis answers."""
        await self.client.ping()

    async def eviction_policy(self) -> str | None:
        """Return Redis's maxmemory-policy, or None when the server will not say."""
        try:
            reply: Any = await self.client.config_get("maxmemory-policy")
        except (redis_errors.RedisError, OSError):
            return None
        if isinstance(reply, dict) and reply:
            value = next(iter(reply.values()))
            if isinstance(value, dict):  # a cluster answers per node
                value = next(iter(value.values()), None)
            return _text(value) if value is not None else None
        return None

    @_storage_errors
    async def save_secret(  # noqa: PLR0913 - one write carries the whole record
        self,
        *,
        secret_key: str,
        metadata_key: str,
        ttl: int,
        envelope: bytes,
        passphrase_hash: bytes | None,
        generated_envelope: bytes | None,
        receipt: Mapping[str, str],
        owner: str | None,
    ) -> None:
        """Store a secret, its receipt and index, all with their TTLs."""
        keys = [secret_name(secret_key), receipt_name(secret_key), generated_name(secret_key)]
        args: list[Any] = [ttl, _pack_secret(envelope, passphrase_hash), generated_envelope or b""]
        for name, value in receipt.items():
            args += [name, value]
        if self._pipelines:
            pipe = self.client.pipeline(transaction=False)
            await self._create(keys=keys, args=args, client=pipe)  # type: ignore[arg-type]
            pipe.set(metadata_name(metadata_key), secret_key, ex=2 * ttl)
            await pipe.execute()
        else:
            await self._create(keys=keys, args=args)
            await self.client.set(metadata_name(metadata_key), secret_key, ex=2 * ttl)
        if owner is not None:
            await self.add_recent(owner, metadata_key, int(receipt[CREATED]))

    @_storage_errors
    async def secret_key_for(self, metadata_key: str) -> str | None:
        """Return the secret key a receipt key points to, if the receipt still exists."""
        value = await self.client.get(metadata_name(metadata_key))
        return None if value is None else _text(value)

    @_storage_errors
    async def read_receipt(self, secret_key: str, now: int) -> StoredReceipt | None:
        """Read a receipt, settling expired/orphaned first; None when it is gone."""
        reply = await self._read_receipt(keys=[receipt_name(secret_key), secret_name(secret_key)], args=[now])
        if not reply:
            return None
        flat, receipt_pttl, secret_pttl = reply
        fields = {_text(flat[i]): _text(flat[i + 1]) for i in range(0, len(flat), 2)}
        return StoredReceipt(secret_key, fields, _seconds(int(receipt_pttl)) or 0, _seconds(int(secret_pttl)))

    @_storage_errors
    async def passphrase_hash(self, secret_key: str) -> tuple[bool, bytes | None]:
        """Return whether the secret exists and its passphrase hash, without touching it."""
        record = await self.client.getrange(secret_name(secret_key), 0, 255)
        if not isinstance(record, bytes) or not record:
            return False, None
        return True, record[1 : 1 + record[0]] or None

    @_storage_errors
    async def take(self, secret_key: str, now: int, *, burn: bool, verified: bool = False) -> Taken | Guarded | None:
        """Delete the secret and mark its receipt, unless it has a passphrase not yet `verified`.

        Returns what the one winner may decrypt (Taken), the passphrase hash to verify first
        (Guarded, nothing changed), or None when the secret is gone.
        """
        state, stamp = ("burned", BURNED) if burn else ("received", RECEIVED)
        keys = [secret_name(secret_key), receipt_name(secret_key), generated_name(secret_key)]
        reply = await self._take(keys=keys, args=[now, state, stamp, "1" if verified else "0"])
        if not reply:
            return None
        if int(reply[0]) == 0:
            return Guarded(passphrase_hash=bytes(reply[1]))
        return Taken(envelope=bytes(reply[1]), share_domain=_text(reply[2]))

    @_storage_errors
    async def mark_viewed(self, secret_key: str, now: int) -> bool:
        """Move a receipt from new to viewed while its secret exists."""
        return bool(await self._mark_viewed(keys=[receipt_name(secret_key), secret_name(secret_key)], args=[now]))

    @_storage_errors
    async def take_generated(self, secret_key: str) -> bytes | None:
        """Return and forget the one-time echo of a generated password."""
        value = await self.client.getdel(generated_name(secret_key))
        return value.encode() if isinstance(value, str) else value

    @_storage_errors
    async def count_request(self, limit_name: str, client: str, window: int) -> int:
        """Count one request of a client against a limit; return the count in the window."""
        return int(await self._count(keys=[request_limit_name(limit_name, client)], args=[window]))

    @_storage_errors
    async def is_locked(self, secret_key: str, client: str) -> bool:
        """Tell whether passphrase attempts on this secret are locked for this client."""
        return bool(await self.client.exists(f"ots:lock:{{{secret_key}}}", f"ots:lock:{{{secret_key}}}:{client}"))

    @_storage_errors
    async def reserve_attempt(self, secret_key: str, client: str, policy: Lockout) -> bool:
        """Count a passphrase attempt before it is verified; False when the limits refuse it."""
        keys = _lockout_names(secret_key, client)
        return bool(await self._reserve_attempt(keys=keys, args=[policy.window, policy.per_client, policy.per_secret]))

    @_storage_errors
    async def lock_if_exhausted(self, secret_key: str, client: str, policy: Lockout) -> None:
        """After a failed attempt, lock the client or the secret once its attempts are used up."""
        keys = _lockout_names(secret_key, client)
        await self._lock_if_exhausted(keys=keys, args=[policy.lock, policy.per_client, policy.per_secret])

    @_storage_errors
    async def add_recent(self, owner: str, metadata_key: str, created: int) -> None:
        """Remember a receipt in its owner's recent list."""
        pipe = self.client.pipeline(transaction=False)
        pipe.zadd(recent_name(owner), {metadata_key: created})
        pipe.zremrangebyscore(recent_name(owner), "-inf", created - RECENT_KEEP_SECONDS)
        pipe.expire(recent_name(owner), RECENT_KEEP_SECONDS)
        await pipe.execute()

    @_storage_errors
    async def recent(self, owner: str, since: int, *, offset: int = 0, count: int | None = None) -> list[str]:
        """Return the owner's receipt keys created after `since`, newest first (`count` from `offset`)."""
        if count is None and not offset:
            keys = await self.client.zrevrangebyscore(recent_name(owner), "+inf", since)
        else:
            keys = await self.client.zrevrangebyscore(
                recent_name(owner), "+inf", since, start=offset, num=-1 if count is None else count
            )
        return [_text(key) for key in keys if isinstance(key, bytes | str)]

    @_storage_errors
    async def count_recent(self, owner: str, since: int) -> int:
        """Count the owner's receipt keys created after `since`."""
        return int(await self.client.zcount(recent_name(owner), since, "+inf"))

    @_storage_errors
    async def forget_recent(self, owner: str, metadata_keys: list[str]) -> None:
        """Drop receipt keys whose receipts have expired from the recent list."""
        if metadata_keys:
            await self.client.zrem(recent_name(owner), *metadata_keys)

    @_storage_errors
    async def customer(self, custid: str) -> dict[str, str] | None:
        """Return a customer's fields, or None."""
        raw = await self.client.hgetall(customer_name(custid))
        return {_text(k): _text(v) for k, v in raw.items()} or None

    @_storage_errors
    async def create_customer(self, custid: str, fields: Mapping[str, str]) -> bool:
        """Store a new customer; False when one with this id exists."""
        created = await self.client.hsetnx(customer_name(custid), "created", fields["created"])
        if not created:
            return False
        await self.client.hset(customer_name(custid), mapping=_encodable(fields))
        return True

    @_storage_errors
    async def update_customer(self, custid: str, fields: Mapping[str, str]) -> bool:
        """Change fields of an existing customer; False when there is none.

        One script, so that a change racing the account's deletion cannot bring back a stub of it.
        """
        args: list[Any] = []
        for name, value in fields.items():
            args += [name, value]
        return bool(await self._set_fields(keys=[customer_name(custid)], args=args))

    @_storage_errors
    async def delete_customer(self, custid: str, *, new_owner: str, extra_keys: Sequence[str] = ()) -> list[str] | None:
        """Delete a customer and every key naming it; hand its receipts to `new_owner`.

        The customer goes first, so its sessions stop working even if a later step fails. Then its
        sessions, its recent index (after renaming the owner of each receipt it lists) and
        `extra_keys` (counters named after the account). Return the secret keys of the receipts
        handed over, or None when there was no such customer.
        """
        if not await self.client.delete(customer_name(custid)):
            return None
        await self.delete_sessions(custid)
        listed = await self.client.zrange(recent_name(custid), 0, -1)
        metadata_keys = [_text(key) for key in listed if isinstance(key, bytes | str)]
        handed_over: list[str] = []
        for start in range(0, len(metadata_keys), 16):
            batch = metadata_keys[start : start + 16]
            # One GET each: the index keys live in different slots of a cluster.
            secret_keys = await asyncio.gather(*(self.client.get(metadata_name(key)) for key in batch))
            for secret_key in secret_keys:
                if secret_key is not None:
                    await self._disown(keys=[receipt_name(_text(secret_key))], args=[custid, new_owner])
                    handed_over.append(_text(secret_key))
        for name in [recent_name(custid), *extra_keys]:
            await self.client.delete(name)
        return handed_over

    @_storage_errors
    async def save_session(self, digest: str, custid: str, created: int, *, idle: int, lifetime: int) -> None:
        """Store a new browser session, expiring after `idle` seconds unless used, and index it."""
        index = account_sessions_name(custid)
        await self.client.hset(session_name(digest), mapping={SESSION_ACCOUNT: custid, SESSION_CREATED: created})
        await self.client.expire(session_name(digest), idle)
        await self.client.sadd(index, digest)
        await self.client.expire(index, lifetime)
        # Drop digests of sessions that have expired meanwhile, so the index stays small.
        members = [_text(member) for member in await self.client.smembers(index)]
        gone = [member for member in members if not await self.client.exists(session_name(member))]
        if gone:
            await self.client.srem(index, *gone)

    @_storage_errors
    async def touch_session(self, digest: str, idle: int) -> dict[str, str] | None:
        """Return a session's fields and push its idle expiry back; None when it has expired."""
        pipe = self.client.pipeline(transaction=False)
        pipe.hgetall(session_name(digest))
        pipe.expire(session_name(digest), idle)
        raw, _ = await pipe.execute()
        return {_text(k): _text(v) for k, v in raw.items()} or None

    @_storage_errors
    async def delete_session(self, digest: str, custid: str | None) -> None:
        """Forget one session."""
        await self.client.delete(session_name(digest))
        if custid is not None:
            await self.client.srem(account_sessions_name(custid), digest)

    @_storage_errors
    async def delete_sessions(self, custid: str) -> None:
        """Forget every session of an account, and its index."""
        index = account_sessions_name(custid)
        for digest in await self.client.smembers(index):
            await self.client.delete(session_name(_text(digest)))
        await self.client.delete(index)

    @_storage_errors
    async def locked_seconds(self, names: Sequence[str], limit: int) -> int:
        """Return how long the longest of these failure counters at `limit` or more still runs (0: none)."""
        longest = 0
        for name in names:
            pipe = self.client.pipeline(transaction=False)
            pipe.get(name)
            pipe.ttl(name)
            count, ttl = await pipe.execute()
            if count is not None and int(count) >= limit:
                longest = max(longest, int(ttl), 1)
        return longest

    @_storage_errors
    async def add_failure(self, names: Sequence[str], window: int) -> None:
        """Count one failure on each counter; a counter's window starts at its first failure."""
        for name in names:
            await self._count(keys=[name], args=[window])

    @_storage_errors
    async def clear_failures(self, names: Sequence[str]) -> None:
        """Forget failure counters."""
        for name in names:
            await self.client.delete(name)

    @_storage_errors
    async def save_verification(self, digest: str, custid: str, ttl: int) -> None:
        """Store an email confirmation token's digest for an account."""
        await self.client.set(verification_name(digest), custid, ex=ttl)

    @_storage_errors
    async def take_verification(self, digest: str) -> str | None:
        """Return and forget the account an email confirmation token belongs to."""
        value = await self.client.getdel(verification_name(digest))
        return None if value is None else _text(value)

    @_storage_errors
    async def queue_mail(self, secret_key: str, fields: Mapping[str, str], *, ttl: int, due_ms: int) -> None:
        """Queue the email of a secret, due at `due_ms`, kept at most `ttl` seconds."""
        args: list[Any] = [ttl, due_ms, secret_key]
        for name, value in fields.items():
            args += [name, value]
        await self._queue_mail(keys=[OUTBOX, outbox_entry_name(secret_key)], args=args)

    @_storage_errors
    async def due_mail(self, now_ms: int, count: int) -> list[str]:
        """Return up to `count` outbox entries due by `now_ms`, oldest first."""
        ids = await self.client.zrangebyscore(OUTBOX, "-inf", now_ms, start=0, num=count)
        return [_text(entry) for entry in ids if isinstance(entry, bytes | str)]

    @_storage_errors
    async def claim_mail(self, secret_key: str, now_ms: int, lease_until_ms: int, token: str) -> dict[str, str] | None:
        """Lease a due entry to one worker; return its fields ({} if it expired unsent), or None if not won."""
        keys = [OUTBOX, outbox_entry_name(secret_key)]
        reply = await self._claim_mail(keys=keys, args=[secret_key, now_ms, lease_until_ms, token])
        if reply is None:
            return None
        if not isinstance(reply, list):
            return {}
        return {_text(reply[i]): _text(reply[i + 1]) for i in range(0, len(reply), 2)}

    @_storage_errors
    async def finish_mail(self, secret_key: str, token: str) -> bool:
        """Delete a sent or given-up entry; False when the lease was lost."""
        keys = [OUTBOX, outbox_entry_name(secret_key)]
        return bool(await self._finish_mail(keys=keys, args=[secret_key, token]))

    @_storage_errors
    async def retry_mail(self, secret_key: str, token: str, due_ms: int) -> bool:
        """Schedule the next try of an entry; False when the lease was lost."""
        keys = [OUTBOX, outbox_entry_name(secret_key)]
        return bool(await self._retry_mail(keys=keys, args=[secret_key, token, due_ms]))

    @_storage_errors
    async def drop_mail(self, secret_key: str) -> bool:
        """Forget a queued email that must not be sent any more; False when none was queued."""
        pipe = self.client.pipeline(transaction=False)
        pipe.delete(outbox_entry_name(secret_key))
        pipe.zrem(OUTBOX, secret_key)
        dropped, _ = await pipe.execute()
        return bool(dropped)

    @_storage_errors
    async def set_delivery(self, secret_key: str, state: str, attempts: int | None = None) -> None:
        """Record the delivery state on a secret's receipt, if the receipt still exists."""
        args = [DELIVERY, state] if attempts is None else [DELIVERY, state, DELIVERY_ATTEMPTS, str(attempts)]
        await self._set_fields(keys=[receipt_name(secret_key)], args=args)

    @_storage_errors
    async def share_domain_of(self, secret_key: str) -> str | None:
        """Return the share domain of a secret's receipt ("" for none), or None when it is gone."""
        value = await self.client.hget(receipt_name(secret_key), SHARE_DOMAIN)
        if value is None:
            return None if not await self.client.exists(receipt_name(secret_key)) else ""
        return _text(value)

    @_storage_errors
    async def domain(self, domain: str) -> dict[str, str] | None:
        """Return a custom domain's fields, or None."""
        raw = await self.client.hgetall(domain_name(domain))
        return {_text(k): _text(v) for k, v in raw.items()} or None

    @_storage_errors
    async def claim_domain(self, domain: str, owner: str, fields: Mapping[str, str]) -> str | None:
        """Record a new domain for `owner`; return the holder instead when it is already taken."""
        args: list[Any] = [owner]
        for name, value in fields.items():
            args += [name, value]
        reply: bytes | str = await self._claim_domain(keys=[domain_name(domain)], args=args)
        holder = _text(reply)
        if holder and holder != owner:
            return holder
        await self.client.sadd(owner_domains_name(owner), domain)
        return None

    @_storage_errors
    async def update_domain(
        self, domain: str, owner: str, fields: Mapping[str, str], logo: bytes | None = None
    ) -> bool:
        """Change fields (and the logo) of a domain that `owner` holds; False otherwise."""
        args: list[Any] = [owner, logo or b""]
        for name, value in fields.items():
            args += [name, value]
        return bool(await self._update_domain(keys=[domain_name(domain), domain_logo_name(domain)], args=args))

    @_storage_errors
    async def remove_domain(self, domain: str, owner: str) -> bool:
        """Forget a domain that `owner` holds, with its logo; False when they do not hold it."""
        removed = bool(await self._remove_domain(keys=[domain_name(domain), domain_logo_name(domain)], args=[owner]))
        if removed:
            await self.client.srem(owner_domains_name(owner), domain)
        return removed

    @_storage_errors
    async def owner_domains(self, owner: str) -> list[str]:
        """Return the names of the owner's domains, sorted."""
        members = await self.client.smembers(owner_domains_name(owner))
        return sorted(_text(member) for member in members if isinstance(member, bytes | str))

    @_storage_errors
    async def domain_logo(self, domain: str) -> bytes | None:
        """Return a domain's logo, or None."""
        value = await self.client.get(domain_logo_name(domain))
        return value.encode() if isinstance(value, str) else value


def _encodable(fields: Mapping[str, str]) -> dict[EncodableT, EncodableT]:
    return dict(fields.items())


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
