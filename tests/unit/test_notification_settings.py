"""The settings of read notifications: defaults, and one-line errors naming the variable."""

from __future__ import annotations

import pytest

from onetime.errors import SettingsError
from onetime.settings import Settings


def test_the_defaults_keep_90_days_and_allow_only_public_https_webhooks() -> None:
    settings = Settings.from_env({})
    assert settings.history_days == 90
    assert not settings.webhook_allow_http_loopback
    assert not settings.webhook_allow_private
    assert settings.webhook_delivery.attempts == 6


def test_the_operator_switches_are_read() -> None:
    settings = Settings.from_env(
        {"OTS_HISTORY_DAYS": "30", "OTS_WEBHOOK_ALLOW_HTTP_LOOPBACK": "1", "OTS_WEBHOOK_ALLOW_PRIVATE": "on"}
    )
    assert settings.history_days == 30
    assert settings.webhook_allow_http_loopback
    assert settings.webhook_allow_private


@pytest.mark.parametrize(
    ("name", "value"),
    [("OTS_HISTORY_DAYS", "0"), ("OTS_HISTORY_DAYS", "ninety"), ("OTS_WEBHOOK_ALLOW_PRIVATE", "maybe")],
)
def test_a_bad_value_stops_start_up_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})
