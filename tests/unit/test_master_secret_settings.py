"""OTS_SECRET_FILE, OTS_AOF_COMPACT_SECONDS, and where the master secret lives."""

import base64
from pathlib import Path

import pytest

from onetime.errors import SettingsError
from onetime.services import master_secret_beside_data, with_master_secret
from onetime.settings import Settings

SECRET = b"m" * 32


def test_the_master_secret_is_read_from_the_file_named(tmp_path: Path) -> None:
    mounted = tmp_path / "run" / "ots-secret"
    mounted.parent.mkdir()
    mounted.write_text(base64.b64encode(SECRET).decode() + "\n")
    settings = Settings.from_env({"OTS_SECRET_FILE": str(mounted), "OTS_DATA_DIR": str(tmp_path / "data")})
    assert settings.master_secret == SECRET
    assert master_secret_beside_data(settings) is None


def test_a_missing_or_malformed_secret_file_stops_start_up_naming_the_variable(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="OTS_SECRET_FILE names a file that cannot be read"):
        Settings.from_env({"OTS_SECRET_FILE": str(tmp_path / "absent")})
    short = tmp_path / "short"
    short.write_text(base64.b64encode(b"x" * 8).decode())
    with pytest.raises(SettingsError, match="OTS_SECRET_FILE must decode to at least 32 bytes"):
        Settings.from_env({"OTS_SECRET_FILE": str(short)})


def test_both_ways_of_giving_the_master_secret_at_once_are_refused(tmp_path: Path) -> None:
    mounted = tmp_path / "secret"
    mounted.write_text(base64.b64encode(SECRET).decode())
    with pytest.raises(SettingsError, match="not both"):
        Settings.from_env({"OTS_SECRET_FILE": str(mounted), "OTS_SECRET": base64.b64encode(SECRET).decode()})


def test_the_generated_master_key_is_known_to_live_beside_the_data(tmp_path: Path) -> None:
    settings = with_master_secret(Settings(data_dir=tmp_path))
    assert settings.master_secret is not None
    assert master_secret_beside_data(settings) == tmp_path / "master.key"
    inside = tmp_path / "secret"
    inside.write_text(base64.b64encode(SECRET).decode())
    from_file = Settings.from_env({"OTS_SECRET_FILE": str(inside), "OTS_DATA_DIR": str(tmp_path)})
    assert master_secret_beside_data(from_file) == inside


@pytest.mark.parametrize(("raw", "seconds"), [(None, 900), ("0", 0), ("60", 60)])
def test_the_compaction_interval_is_read(raw: str | None, seconds: int) -> None:
    env = {} if raw is None else {"OTS_AOF_COMPACT_SECONDS": raw}
    assert Settings.from_env(env).aof_compact_seconds == seconds


def test_a_bad_compaction_interval_stops_start_up() -> None:
    with pytest.raises(SettingsError, match="OTS_AOF_COMPACT_SECONDS"):
        Settings.from_env({"OTS_AOF_COMPACT_SECONDS": "soon"})
