"""The `ots account` commands, with and without a running server, against the embedded Redis."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from onetime.keys import is_key_shaped
from tests.support.server_process import ServerProcess, kill_redis_servers_in, ots_env, redis_servers_in, run_ots
from web.cli import HISTORY_RESTARTS

pytestmark = pytest.mark.slow

NOT_AUTHORIZED = {"message": "Not authorized"}
DAY = 24 * 3600


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "data"
    yield path
    kill_redis_servers_in(path)


def printed_token(*args: str, env: dict[str, str]) -> str:
    """Run an `ots account` command that must succeed and print exactly one line: the token.

    A rotation also says on stderr that the account's list of receipts starts anew (it knows no
    password to rewrap the history key with).
    """
    result = run_ots("account", *args, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stderr == (f"{HISTORY_RESTARTS}\n" if "--rotate" in args else "")
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout
    assert is_key_shaped(lines[0])
    return lines[0]


def failure(*args: str, env: dict[str, str]) -> str:
    """Run an `ots account` command that must fail; return its one-line message."""
    result = run_ots("account", *args, env=env)
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def authcheck(api: httpx.Client, email: str, token: str) -> httpx.Response:
    return api.get("/authcheck", auth=(email, token))


def test_account_commands_start_and_stop_the_embedded_redis_when_no_server_runs(data_dir: Path, tmp_path: Path) -> None:
    env = ots_env(data_dir)
    first = printed_token("create", "Alice@Example.com", env=env)
    assert redis_servers_in(data_dir) == []
    assert failure("create", "alice@example.com", env=env) == "ots: An account with that email already exists"
    rotated = printed_token("token", "alice@example.com", "--rotate", env=env)
    assert rotated != first
    assert failure("token", "nobody@example.com", "--rotate", env=env) == "ots: No account with that email"
    assert redis_servers_in(data_dir) == []

    # The server started afterwards on the same data dir sees what the commands wrote.
    with ServerProcess(env, tmp_path / "logs") as server, server.client() as api:
        assert authcheck(api, "alice@example.com", rotated).json() == {"status": "nominal", "locale": "en"}
        assert authcheck(api, "alice@example.com", first).json() == NOT_AUTHORIZED
        basic = api.post("/share", data={"secret": "x", "ttl": str(30 * DAY)}, auth=("alice@example.com", rotated))
        assert basic.json()["ttl"] == 14 * DAY  # the default plan


def test_account_commands_share_the_running_servers_embedded_redis(data_dir: Path, tmp_path: Path) -> None:
    env = ots_env(data_dir)
    with ServerProcess(env, tmp_path / "logs") as server, server.client() as api:
        (embedded,) = redis_servers_in(data_dir)
        token = printed_token("create", "bob@example.com", "--plan", "identity", env=env)
        assert authcheck(api, "bob@example.com", token).status_code == 200
        long_lived = api.post("/share", data={"secret": "x", "ttl": str(31 * DAY)}, auth=("bob@example.com", token))
        assert long_lived.json()["ttl"] == 30 * DAY  # the identity plan's maximum
        assert long_lived.json()["custid"] == "bob@example.com"

        assert failure("create", "bob@example.com", env=env) == "ots: An account with that email already exists"
        assert authcheck(api, "bob@example.com", token).status_code == 200  # the failed create changed nothing
        assert failure("create", "not-an-email", env=env) == "ots: Not a valid email address: not-an-email"

        rotated = printed_token("token", "bob@example.com", "--rotate", env=env)
        assert rotated != token
        refused = authcheck(api, "bob@example.com", token)
        assert (refused.status_code, refused.json()) == (404, NOT_AUTHORIZED)
        assert authcheck(api, "bob@example.com", rotated).status_code == 200
        # Without the password the history key cannot follow the token: a new list starts, and
        # the receipt made before stays reachable by its link.
        assert api.get("/private/recent", auth=("bob@example.com", rotated)).json() == []
        assert api.get(f"/private/{long_lived.json()['metadata_key']}").json()["ttl"] == 30 * DAY

        # The commands used the server's Redis and left it running.
        assert redis_servers_in(data_dir) == [embedded]
        assert api.get("/status").status_code == 200
        assert server.stop() == 0
    assert redis_servers_in(data_dir) == []
