"""Which exceptions of a storage call count as a Redis fault (a 503-class answer) and which as a bug."""

from __future__ import annotations

import pytest
from redis.asyncio.connection import Connection
from redis.crc import key_slot

from onetime.errors import StorageUnavailable
from onetime.storage.client import _is_script, storage_errors
from onetime.storage.keys import request_limit_name


@storage_errors
async def fails_inside_redis_py() -> None:
    # redis-py's cluster client has raised AttributeError from its own code while a master died.
    key_slot(None)  # type: ignore[arg-type]


@storage_errors
async def fails_in_our_code() -> None:
    _ = {}["missing"]


async def test_an_error_raised_inside_redis_py_is_a_storage_fault() -> None:
    with pytest.raises(StorageUnavailable):
        await fails_inside_redis_py()


async def test_an_error_raised_in_our_own_code_stays_a_bug() -> None:
    with pytest.raises(KeyError):
        await fails_in_our_code()


def test_request_counters_of_different_clients_use_different_hash_slots() -> None:
    clients = ["192.0.2.1", "192.0.2.2", "198.51.100.7", "2001:db8:1::/64", "alice@example.com"]
    slots = {key_slot(request_limit_name("create", client).encode()) for client in clients}
    assert len(slots) == len(clients)
    # One client's counters of every limit stay together, named after the client.
    assert key_slot(request_limit_name("create", "192.0.2.1").encode()) == key_slot(
        request_limit_name("reveal", "192.0.2.1").encode()
    )


@pytest.mark.parametrize(
    ("command", "is_script"),
    [
        (("EVALSHA", "a" * 40, 1, "ots:secret:{k}", "1"), True),
        (("EVAL", "return 1", 0), True),
        (("SCRIPT", "LOAD", "return 1"), False),
        (("GET", "EVALSHA"), False),
        (("CLIENT", "SETINFO", "LIB-NAME", "redis-py"), False),
    ],
)
def test_a_consuming_script_is_told_apart_from_other_commands_as_packed_for_the_wire(
    command: tuple[object, ...], is_script: bool
) -> None:
    packed = Connection().pack_command(*command)  # as redis-py packs it here (hiredis or not)
    assert _is_script(packed) is is_script
    assert _is_script(b"".join(bytes(part) for part in packed)) is is_script
