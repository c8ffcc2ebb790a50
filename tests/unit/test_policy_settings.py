"""Who may create, read-only mode, sign-up, the offered expiries and the plans, read from the environment."""

from __future__ import annotations

import ipaddress

import pytest

from onetime.errors import SettingsError
from onetime.plans import DAY, DEFAULT_PLANS, HOUR, MINUTE, TTL_CHOICES
from onetime.policy import CreationRestricted, ReadOnlyDeployment, SignUpClosed
from onetime.policy_settings import parse_duration
from onetime.settings import Settings
from web.cli import main


def test_by_default_anyone_creates_and_signs_up_and_the_plans_are_todays() -> None:
    settings = Settings.from_env({})
    access = settings.access
    assert (access.create, access.mode, access.signup) == ("anyone", "full", "open")
    assert access.may_create(anonymous=True, client_ip="203.0.113.7")
    assert dict(settings.plans) == DEFAULT_PLANS
    assert settings.plans["anonymous"].ttl_choices == tuple(ttl for ttl in TTL_CHOICES if ttl <= 7 * DAY)
    assert settings.plans["anonymous"].apply_ttl(None) == 7 * DAY


@pytest.mark.parametrize(
    ("raw", "seconds"), [("90", 90), ("90s", 90), ("5m", 5 * MINUTE), ("1h", HOUR), ("7d", 7 * DAY), ("2w", 14 * DAY)]
)
def test_durations_take_a_unit(raw: str, seconds: int) -> None:
    assert parse_duration("OTS_TTL_CHOICES", raw) == seconds


def test_offered_expiries_and_default_reach_every_plan() -> None:
    settings = Settings.from_env({"OTS_TTL_CHOICES": "1d, 5m,1h,7d,30d", "OTS_TTL_DEFAULT": "1h"})
    assert settings.plans["anonymous"].ttl_choices == (5 * MINUTE, HOUR, DAY, 7 * DAY)
    assert settings.plans["identity"].ttl_choices == (5 * MINUTE, HOUR, DAY, 7 * DAY, 30 * DAY)
    assert settings.plans["basic"].apply_ttl(None) == HOUR
    assert settings.plans["basic"].apply_ttl("99999999") == 14 * DAY  # still clamped to the plan


def test_plans_change_only_the_ones_named() -> None:
    settings = Settings.from_env({"OTS_PLANS": "anonymous:ttl=1d,size=500; basic:size=20000"})
    anonymous, basic = settings.plans["anonymous"], settings.plans["basic"]
    assert (anonymous.max_ttl, anonymous.max_size) == (DAY, 500)
    assert (basic.max_ttl, basic.max_size) == (14 * DAY, 20_000)
    assert settings.plans["identity"] == DEFAULT_PLANS["identity"]
    assert anonymous.ttl_choices[-1] == DAY
    assert anonymous.apply_ttl(None) == DAY  # the 7-day default, clamped to the plan
    assert settings.max_secret_bytes == 20_000  # the request body cap follows


def test_a_plan_shorter_than_every_choice_offers_its_own_maximum() -> None:
    settings = Settings.from_env({"OTS_TTL_CHOICES": "1d,7d", "OTS_PLANS": "anonymous:ttl=2h,size=1000"})
    assert settings.plans["anonymous"].ttl_choices == (2 * HOUR,)


def test_networks_mode_lets_anonymous_callers_create_only_from_inside() -> None:
    access = Settings.from_env({"OTS_CREATE": "networks", "OTS_CREATE_NETWORKS": "10.0.0.0/8, fd00::/8"}).access
    assert access.create_networks == (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("fd00::/8"))
    assert access.may_create(anonymous=True, client_ip="10.1.2.3")
    assert access.may_create(anonymous=True, client_ip="::ffff:10.1.2.3")
    assert access.may_create(anonymous=True, client_ip="fd00::1")
    assert not access.may_create(anonymous=True, client_ip="203.0.113.7")
    assert not access.may_create(anonymous=True, client_ip="unknown")
    assert access.may_create(anonymous=False, client_ip="203.0.113.7")  # accounts create from anywhere
    with pytest.raises(CreationRestricted):
        access.check_create(anonymous=True, client_ip="203.0.113.7")


def test_accounts_mode_refuses_every_anonymous_caller() -> None:
    access = Settings.from_env({"OTS_CREATE": "Accounts"}).access
    assert not access.may_create(anonymous=True, client_ip="127.0.0.1")
    assert access.may_create(anonymous=False, client_ip="127.0.0.1")


def test_read_mode_refuses_every_creation_and_sign_up() -> None:
    access = Settings.from_env({"OTS_MODE": "read"}).access
    assert access.read_only
    with pytest.raises(ReadOnlyDeployment):
        access.check_create(anonymous=False, client_ip="127.0.0.1")
    with pytest.raises(ReadOnlyDeployment):
        access.check_signup()
    assert not access.invitations_accepted


@pytest.mark.parametrize(
    ("signup", "open_", "invitations"), [("open", True, True), ("invite", False, True), ("closed", False, False)]
)
def test_sign_up_modes(signup: str, open_: bool, invitations: bool) -> None:
    access = Settings.from_env({"OTS_SIGNUP": signup}).access
    assert (access.signup_open, access.invitations_accepted) == (open_, invitations)
    if not open_:
        with pytest.raises(SignUpClosed):
            access.check_signup()


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"OTS_CREATE": "everyone"}, "OTS_CREATE"),
        ({"OTS_CREATE": "networks"}, "OTS_CREATE_NETWORKS"),
        ({"OTS_CREATE_NETWORKS": "10.0.0.0/33"}, "OTS_CREATE_NETWORKS"),
        ({"OTS_MODE": "readonly"}, "OTS_MODE"),
        ({"OTS_SIGNUP": "maybe"}, "OTS_SIGNUP"),
        ({"OTS_TTL_CHOICES": "5m,forever"}, "OTS_TTL_CHOICES"),
        ({"OTS_TTL_CHOICES": "30s"}, "OTS_TTL_CHOICES"),
        ({"OTS_TTL_CHOICES": " , "}, "OTS_TTL_CHOICES"),
        ({"OTS_TTL_CHOICES": "400d"}, "OTS_TTL_CHOICES"),
        ({"OTS_TTL_DEFAULT": "2d"}, "OTS_TTL_DEFAULT"),
        ({"OTS_TTL_CHOICES": "1h,1d", "OTS_TTL_DEFAULT": "7d"}, "OTS_TTL_DEFAULT"),
        ({"OTS_PLANS": "gold:ttl=1d,size=10"}, "OTS_PLANS"),
        ({"OTS_PLANS": "anonymous"}, "OTS_PLANS"),
        ({"OTS_PLANS": "anonymous:ttl=1d,colour=red"}, "OTS_PLANS"),
        ({"OTS_PLANS": "anonymous:size=0"}, "OTS_PLANS"),
        ({"OTS_PLANS": "anonymous:size=lots"}, "OTS_PLANS"),
        ({"OTS_PLANS": "anonymous:ttl=1y"}, "OTS_PLANS"),
    ],
)
def test_an_invalid_value_stops_start_up_naming_the_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=rf"^{named}\b") as raised:
        Settings.from_env(env)
    assert "\n" not in str(raised.value)


def test_ots_serve_refuses_to_start_with_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OTS_PLANS", "anonymous:ttl=forever")
    assert main(["serve"]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("ots: configuration error: OTS_PLANS")
