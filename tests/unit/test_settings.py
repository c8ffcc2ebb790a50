import base64
import ipaddress
from pathlib import Path

import pytest

from onetime.errors import SettingsError
from onetime.settings import RequestLimit, Settings

GOOD_SECRET = base64.b64encode(b"k" * 32).decode()


def test_defaults_when_nothing_is_set() -> None:
    settings = Settings.from_env({})
    assert (settings.host, settings.port, settings.workers) == ("127.0.0.1", 8000, 1)
    assert settings.base_url == "http://127.0.0.1:8000"
    assert settings.redis_url is None
    assert settings.master_secret is None
    assert settings.data_dir == Path("var")
    assert settings.trusted_proxies == (ipaddress.ip_network("127.0.0.1/32"),)
    assert settings.limit_create == RequestLimit(1000, 1200)
    assert settings.rate_limits is True
    assert settings.bcrypt_cost == 12
    assert settings.passphrase_max_length == 128


def test_every_variable_is_read() -> None:
    settings = Settings.from_env(
        {
            "OTS_HOST": "0.0.0.0",  # noqa: S104
            "OTS_PORT": "9000",
            "OTS_WORKERS": "4",
            "OTS_REDIS_URL": "redis+cluster://10.0.0.1:7000,10.0.0.2:7000",
            "OTS_DATA_DIR": "/srv/ots",
            "OTS_SECRET": GOOD_SECRET,
            "OTS_SECRET_PREVIOUS": f"{base64.b64encode(b'p' * 32).decode()}, {base64.b64encode(b'q' * 40).decode()}",
            "OTS_REGION": "eu",
            "OTS_SMTP_URL": "smtp://mail.example.com:587",
            "OTS_MAIL_FROM": "noreply@example.com",
            "OTS_TRUSTED_PROXIES": "10.0.0.0/8, ::1",
            "OTS_LIMIT_CREATE": "10/60",
            "OTS_LIMIT_REVEAL": "20/30",
            "OTS_RATE_LIMITS": "off",
            "OTS_PASSPHRASE_MIN_LENGTH": "8",
            "OTS_PASSPHRASE_MAX_LENGTH": "64",
            "OTS_PASSPHRASE_REQUIRED": "yes",
            "OTS_BCRYPT_COST": "10",
        }
    )
    assert settings.host == "0.0.0.0"  # noqa: S104
    assert settings.port == 9000
    assert settings.workers == 4
    assert settings.base_url == "http://127.0.0.1:9000"
    assert settings.redis_url == "redis+cluster://10.0.0.1:7000,10.0.0.2:7000"
    assert settings.data_dir == Path("/srv/ots")
    assert settings.master_secret == b"k" * 32
    assert settings.previous_master_secrets == (b"p" * 32, b"q" * 40)
    assert settings.region == "eu"
    assert settings.smtp_url == "smtp://mail.example.com:587"
    assert settings.mail_from == "noreply@example.com"
    assert settings.trusted_proxies == (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("::1/128"))
    assert settings.limit_create == RequestLimit(10, 60)
    assert settings.limit_reveal == RequestLimit(20, 30)
    assert settings.rate_limits is False
    assert settings.passphrase_min_length == 8
    assert settings.passphrase_max_length == 64
    assert settings.passphrase_required is True
    assert settings.bcrypt_cost == 10


def test_base_url_loses_its_trailing_slash() -> None:
    assert Settings.from_env({"OTS_BASE_URL": "https://secrets.example.com/"}).base_url == "https://secrets.example.com"


@pytest.mark.parametrize("url", ["redis://127.0.0.1:6379/0", "rediss://redis.example.com", "unix:///run/redis.sock"])
def test_redis_urls_with_supported_schemes_are_accepted(url: str) -> None:
    assert Settings.from_env({"OTS_REDIS_URL": url}).redis_url == url


def test_settings_are_frozen() -> None:
    settings = Settings.from_env({})
    with pytest.raises(AttributeError):
        settings.port = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("OTS_PORT", "http"),
        ("OTS_PORT", "0"),
        ("OTS_PORT", "65536"),
        ("OTS_WORKERS", "0"),
        ("OTS_SECRET", base64.b64encode(b"short").decode()),
        ("OTS_SECRET", "not base64 at all!"),
        ("OTS_SECRET_PREVIOUS", base64.b64encode(b"x" * 31).decode()),
        ("OTS_REDIS_URL", "http://127.0.0.1:6379"),
        ("OTS_REDIS_URL", "memcached://127.0.0.1"),
        ("OTS_REDIS_URL", "redis://127.0.0.1:99999"),
        ("OTS_REDIS_URL", "unix://"),
        ("OTS_REDIS_URL", "redis://"),
        ("OTS_BASE_URL", "ftp://example.com"),
        ("OTS_BASE_URL", "https://example.com/path"),
        ("OTS_BASE_URL", "https://example.com:70000"),
        ("OTS_LIMIT_CREATE", "many"),
        ("OTS_LIMIT_CREATE", "10"),
        ("OTS_LIMIT_CREATE", "10/0"),
        ("OTS_LIMIT_CREATE", "0/60"),
        ("OTS_LIMIT_REVEAL", "10/60/5"),
        ("OTS_RATE_LIMITS", "maybe"),
        ("OTS_APP_ACCESS_LOG", "/var/log/onetime-access.log"),
        ("OTS_PASSPHRASE_REQUIRED", "sometimes"),
        ("OTS_TRUSTED_PROXIES", "localhost"),
        ("OTS_BCRYPT_COST", "3"),
        ("OTS_BCRYPT_COST", "32"),
        ("OTS_PASSPHRASE_MAX_LENGTH", "0"),
    ],
)
def test_bad_value_raises_an_error_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=f"^{name} "):
        Settings.from_env({name: value})


def test_settings_error_never_echoes_the_master_secret() -> None:
    short = base64.b64encode(b"s3cr3t-but-short").decode()
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({"OTS_SECRET": short})
    assert short not in str(raised.value)


@pytest.mark.parametrize(
    "name",
    [
        "OTS_PORT",
        "OTS_REDIS_URL",
        "OTS_SECRET",
        "OTS_LIMIT_CREATE",
        "OTS_LIMIT_REVEAL",
        "OTS_RATE_LIMITS",
        "OTS_APP_ACCESS_LOG",
        "OTS_BASE_URL",
    ],
)
def test_empty_variable_means_the_default(name: str) -> None:
    assert Settings.from_env({name: ""}) == Settings.from_env({})


def test_request_limit_parse_reads_count_and_seconds() -> None:
    assert RequestLimit.parse("OTS_LIMIT_CREATE", " 5 / 10 ") == RequestLimit(5, 10)


def test_max_body_leaves_room_for_the_largest_secret_percent_encoded() -> None:
    settings = Settings()
    assert settings.max_secret_bytes == 10_000
    assert settings.max_body_bytes >= 3 * 10_000


@pytest.mark.parametrize("url", ["redis+cluster://10.0.0.1:7000,10.0.0.2:70000", "redis+cluster://h1:x,h2:7000"])
def test_cluster_url_with_a_bad_node_port_is_refused(url: str) -> None:
    with pytest.raises(SettingsError, match=r"^OTS_REDIS_URL "):
        Settings.from_env({"OTS_REDIS_URL": url})


def test_passphrase_minimum_above_the_maximum_is_refused() -> None:
    with pytest.raises(SettingsError, match=r"^OTS_PASSPHRASE_MIN_LENGTH must be between 0 and 64, got 65$"):
        Settings.from_env({"OTS_PASSPHRASE_MIN_LENGTH": "65", "OTS_PASSPHRASE_MAX_LENGTH": "64"})
    with pytest.raises(SettingsError, match=r"^OTS_PASSPHRASE_MIN_LENGTH "):
        Settings.from_env({"OTS_PASSPHRASE_MIN_LENGTH": "129"})


def test_fsync_log_format_and_metrics_token_have_safe_defaults() -> None:
    settings = Settings.from_env({})
    assert (settings.fsync, settings.log_format, settings.metrics_token) == ("everysec", "plain", None)


def test_fsync_log_format_and_metrics_token_are_read() -> None:
    token = "t" * 16
    settings = Settings.from_env({"OTS_FSYNC": "Always", "OTS_LOG_FORMAT": "json", "OTS_METRICS_TOKEN": token})
    assert (settings.fsync, settings.log_format, settings.metrics_token) == ("always", "json", token)
    assert token not in repr(settings)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("OTS_FSYNC", "never"),
        ("OTS_FSYNC", "no"),
        ("OTS_LOG_FORMAT", "xml"),
        ("OTS_METRICS_TOKEN", "short"),
        ("OTS_METRICS_TOKEN", "has a space in it, long"),
        ("OTS_METRICS_TOKEN", "non-ascii-token-\u00e9\u00e9\u00e9\u00e9"),
    ],
)
def test_a_bad_fsync_log_format_or_metrics_token_names_the_variable(variable: str, value: str) -> None:
    with pytest.raises(SettingsError, match=variable) as raised:
        Settings.from_env({variable: value})
    if variable == "OTS_METRICS_TOKEN":
        assert value not in str(raised.value)
