"""What a Redis call may wait, when it is sent again, and the note a consuming script leaves.

Both ways to Redis (redis-py's pool, for everything, and the multiplexed connection, for the hot
commands) follow these rules; `client.state_change_errors` reads the note to tell a fault before a
consuming script was sent (StorageUnavailable) from one after it (OutcomeUnknown).
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

from redis import exceptions as redis_errors

# A frozen Redis accepts connections but never answers. The slowest way to learn that: wait
# POOL_WAIT for a free connection, CONNECT_TIMEOUT to open it, COMMAND_TIMEOUT for the answer,
# 1.8 s in all, inside the API's promise of an "unavailable" answer within 2 s.
CONNECT_TIMEOUT = 0.6
COMMAND_TIMEOUT = 0.8
# The answer to a script that consumes a secret is awaited longer: giving up on it cannot undo it
# (Redis may run it when it wakes), and the caller can then only be told that the secret may be gone.
# Redis frozen for 0.5 s or 2 s costs a reveal that much time, not its secret.
STATE_CHANGE_TIMEOUT = 5.0
# A dropped connection (Redis restarted, an idle connection closed) is retried once, at once.
# A timeout is not: Redis may have run the command, and a frozen Redis would only make the caller
# wait twice as long. (A cluster client also retries timeouts once, after asking the cluster for
# its new layout; a script that consumes a secret is never sent again either way.)
RETRIED_ERRORS = (redis_errors.ConnectionError,)
SCRIPT_COMMANDS = frozenset({b"EVAL", b"EVALSHA"})


@dataclass(slots=True)
class StateChange:
    """One call that consumes a secret: whether its script was sent and no answer came yet."""

    unanswered: bool = False


state_change: ContextVar[StateChange | None] = ContextVar("ots_state_change", default=None)


class ScriptNotResent(redis_errors.RedisError):
    """A retry would send again a script that Redis may already have run; it is not sent."""


def consuming_script_call() -> StateChange | None:
    """Return the consuming call a script is about to be sent for (None outside one).

    The caller marks it `unanswered` once the script's bytes are written and clears that when
    Redis answers (an error answer too: the script ran nothing). A script already sent and not
    answered is never sent again: ScriptNotResent.
    """
    call = state_change.get()
    if call is not None and call.unanswered:
        raise ScriptNotResent("a script that may have run is not sent again")
    return call
