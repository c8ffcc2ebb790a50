"""The sign-up limit's setting."""

from __future__ import annotations

from onetime.settings import RequestLimit, Settings


def test_sign_ups_are_limited_to_five_an_hour_per_address_unless_configured() -> None:
    assert Settings.from_env({}).limit_signup == RequestLimit(5, 3600)
    assert Settings.from_env({"OTS_LIMIT_SIGNUP": "2/60"}).limit_signup == RequestLimit(2, 60)
