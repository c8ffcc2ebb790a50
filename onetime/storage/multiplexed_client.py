"""A redis-py client whose hot commands share one multiplexed connection; the rest use its pool.

The commands that serve requests (scripts, reads and simple writes, none of which blocks or
changes the connection's state) go through `MultiplexedConnection`; blocking commands,
transactions, pub/sub, SCAN and the admin commands keep redis-py's pool, so every redis-py API
still works. Replies pass through redis-py's own (RESP2) response callbacks, so callers see the same values.
"""

from __future__ import annotations

import inspect
from typing import Any

import hiredis
from redis import exceptions as redis_errors
from redis._parsers.response_callbacks import get_response_callbacks
from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.client import EMPTY_RESPONSE, NEVER_DECODE, CaseInsensitiveDict

from onetime.storage.calls import (
    COMMAND_TIMEOUT,
    RETRIED_ERRORS,
    STATE_CHANGE_TIMEOUT,
    StateChange,
    consuming_script_call,
    state_change,
)
from onetime.storage.multiplexed import MultiplexedConnection

# Commands that neither block nor change the connection's state (no SELECT, MULTI, WATCH, CLIENT,
# SUBSCRIBE), so any number of callers may interleave them on one connection.
MULTIPLEXED = frozenset(
    {
        "EVALSHA", "EVAL", "PING",
        "GET", "SET", "GETDEL", "MGET", "DEL", "UNLINK", "EXISTS", "INCR", "INCRBY", "DECRBY",
        "EXPIRE", "PEXPIRE", "TTL", "PTTL",
        "HGET", "HSET", "HMGET", "HGETALL", "HDEL", "HEXISTS", "HINCRBY",
        "SADD", "SREM", "SMEMBERS", "SISMEMBER", "SCARD",
        "ZADD", "ZREM", "ZCARD", "ZCOUNT", "ZSCORE", "ZRANGE", "ZRANGEBYSCORE", "ZREVRANGEBYSCORE",
    }
)  # fmt: skip
_SCRIPTS = frozenset({"EVALSHA", "EVAL"})


def pack(args: tuple[Any, ...]) -> bytes:
    """Pack one command as redis-py's encoder would (DataError for a value it refuses)."""
    try:
        packed: bytes = hiredis.pack_command(args)
    except TypeError:  # a bytearray or memoryview (taken as bytes), or a value redis-py refuses too
        values = tuple(bytes(arg) if isinstance(arg, bytearray | memoryview) else arg for arg in args)
        try:
            packed = hiredis.pack_command(values)  # type: ignore[arg-type]  # any other refusal: a TypeError
        except TypeError:
            raise redis_errors.DataError("Invalid input: convert to bytes, str, int or float first") from None
    return packed


class MultiplexedRedis(Redis):
    """redis-py's asyncio client, with the commands of MULTIPLEXED sent on one shared connection."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401 - redis-py's signature
        super().__init__(*args, **kwargs)
        options = self.connection_pool.connection_kwargs
        plain = not options.get("decode_responses") and str(options.get("protocol") or 2) == "2"
        # Decoded or RESP3 replies would need redis-py's parsers: such a client keeps the pool alone.
        self.multiplexed = MultiplexedConnection(self.connection_pool) if plain else None
        # The shared connection speaks RESP2 (no push messages to tell from replies); redis-py's pool
        # speaks RESP3 unless told otherwise, and its callbacks turn RESP3 into the same values the
        # RESP2 callbacks make of RESP2 replies.
        self.resp2_callbacks = CaseInsensitiveDict(
            get_response_callbacks(user_protocol=2, legacy_responses=options.get("legacy_responses", True))  # type: ignore[arg-type]
        )

    def set_response_callback(self, command: str, callback: Any) -> None:  # noqa: ANN401 - redis-py's signature
        """Set a command's response callback, for the shared connection's replies too."""
        super().set_response_callback(command, callback)
        self.resp2_callbacks[command] = callback

    async def execute_command(self, *args: Any, **options: Any) -> Any:  # noqa: ANN401 - redis-py's signature
        """Run a command: on the shared connection when it is one of MULTIPLEXED, else on the pool."""
        name = args[0]
        if name not in MULTIPLEXED or self.multiplexed is None or self.single_connection_client:
            return await super().execute_command(*args, **options)  # type: ignore[no-untyped-call]
        call = consuming_script_call() if name in _SCRIPTS else None
        replies = await self.send_multiplexed(pack(args), 1, call)
        return await self.parsed(name, replies[0], options)

    async def send_multiplexed(self, packed: bytes, count: int, call: StateChange | None = None) -> list[Any]:
        """Send packed commands on the shared connection; a dropped connection is retried once, at once.

        Never a consuming script that was written: Redis may have run it (`calls.StateChange`).
        """
        assert self.multiplexed is not None  # noqa: S101 - callers check
        wait = COMMAND_TIMEOUT if call is None else STATE_CHANGE_TIMEOUT
        try:
            return await self.multiplexed.call(packed, count, wait, call)
        except RETRIED_ERRORS:
            if call is not None and call.unanswered:
                raise
        return await self.multiplexed.call(packed, count, wait, call)

    async def parsed(self, name: str | bytes, reply: Any, options: dict[str, Any]) -> Any:  # noqa: ANN401 - any reply
        """Return a reply as `Redis.parse_response` would: errors raised, response callbacks applied."""
        if isinstance(reply, redis_errors.RedisError):
            if EMPTY_RESPONSE in options and isinstance(reply, redis_errors.ResponseError):
                return options[EMPTY_RESPONSE]
            raise reply
        if options:
            options.pop(EMPTY_RESPONSE, None)
            options.pop(NEVER_DECODE, None)  # replies are never decoded here
            options.pop("keys", None)
        if name in self.resp2_callbacks:
            value = self.resp2_callbacks[name](reply, **options)
            return await value if inspect.isawaitable(value) else value
        return reply

    def pipeline(self, transaction: bool = True, shard_hint: str | None = None) -> Pipeline:
        """Return a pipeline; one without a transaction sends its commands on the shared connection."""
        if transaction or self.multiplexed is None:
            return super().pipeline(transaction, shard_hint)
        return MultiplexedPipeline(self, shard_hint)

    async def aclose(self, close_connection_pool: bool | None = None) -> None:
        """Close the shared connection and the pool."""
        if self.multiplexed is not None:
            await self.multiplexed.aclose()
        await super().aclose(close_connection_pool)


class MultiplexedPipeline(Pipeline):
    """A pipeline without a transaction whose stacked commands leave in one write on the shared connection.

    Anything else it is asked (a WATCH, MULTI, a command outside MULTIPLEXED, a consuming script)
    makes it behave as redis-py's own pipeline, on the pool.
    """

    def __init__(self, client: MultiplexedRedis, shard_hint: str | None) -> None:
        super().__init__(client.connection_pool, client.response_callbacks, False, shard_hint)  # noqa: FBT003
        self.owner = client

    async def execute(self, raise_on_error: bool = True) -> list[Any]:
        """Run the stacked commands; with `raise_on_error`, raise the first error reply as redis-py does."""
        stack = self.command_stack
        if (
            self.explicit_transaction
            or self.watching
            or not stack
            or any(args[0] not in MULTIPLEXED for args, _ in stack)
            or (self.scripts and state_change.get() is not None)
        ):
            return await super().execute(raise_on_error)
        try:
            return await self._execute_multiplexed(raise_on_error)
        finally:
            await self.reset()  # type: ignore[no-untyped-call]

    async def _execute_multiplexed(self, raise_on_error: bool) -> list[Any]:
        stack = self.command_stack
        await self._load_scripts(self.scripts)
        replies = await self.owner.send_multiplexed(b"".join(pack(args) for args, _ in stack), len(stack))
        missing = [i for i, reply in enumerate(replies) if isinstance(reply, redis_errors.NoScriptError)]
        if missing and self.scripts:
            # Redis lost its scripts (restarted, SCRIPT FLUSH): those calls ran nothing, the others
            # did. Load the scripts again and run those calls alone, after the rest.
            assert self.owner.multiplexed is not None  # noqa: S101 - a multiplexed pipeline
            self.owner.multiplexed.loaded_scripts.clear()
            await self._load_scripts(self.scripts)
            again = await self.owner.send_multiplexed(b"".join(pack(stack[i][0]) for i in missing), len(missing))
            for i, reply in zip(missing, again, strict=True):
                replies[i] = reply
        results: list[Any] = []
        for reply, (args, options) in zip(replies, stack, strict=True):
            try:
                results.append(await self.owner.parsed(args[0], reply, dict(options)))
            except redis_errors.ResponseError as error:
                results.append(error)
        if raise_on_error:
            self.raise_first_error(stack, results)
        return results

    async def _load_scripts(self, scripts: set[Any]) -> None:
        """Load the scripts (AsyncScript) not known loaded on this connection (redis-py asks SCRIPT EXISTS)."""
        multiplexed = self.owner.multiplexed
        assert multiplexed is not None  # noqa: S101 - a multiplexed pipeline
        missing = [script for script in scripts if script.sha not in multiplexed.loaded_scripts]
        if not missing:
            return
        packed = b"".join(pack(("SCRIPT", "LOAD", script.script)) for script in missing)
        for script, reply in zip(missing, await self.owner.send_multiplexed(packed, len(missing)), strict=True):
            if isinstance(reply, Exception):
                raise reply
            script.sha = reply.decode()
            multiplexed.loaded_scripts.add(script.sha)
