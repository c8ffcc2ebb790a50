"""`ots domain ...`: add, verify, brand, list and remove an account's custom share domains."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from onetime.domains.branding import BRANDING_FIELDS, LOGO_MAX_BYTES, BrandingChange, BrandingField
from onetime.domains.custom_domain import Domain
from onetime.domains.service import DomainService
from onetime.errors import OnetimeError
from onetime.services import Services
from onetime.settings import Settings
from onetime.storage.client import connect

ON_OFF = {"on": True, "off": False}
_FLAGS = {"display_name": ("--name",), "primary_colour": ("--color", "--colour")}
"""Flags that are not named after their branding field (`--before-reveal` sets before_reveal)."""


def _flags(field: BrandingField) -> tuple[str, ...]:
    return _FLAGS.get(field.name, (f"--{field.name.replace('_', '-')}",))


def add_domain_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `domain` command and its actions to the `ots` parser."""
    domain = commands.add_parser("domain", help="manage an account's custom share domains")
    actions = domain.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="register a domain and print the DNS records to create")
    verify = actions.add_parser("verify", help="check the domain's DNS records now (exit 1 while pending)")
    remove = actions.add_parser("remove", help="forget a domain; its links stop working")
    brand = actions.add_parser("brand", help="set the domain's name, colour, texts, logo and home page")
    for action in (add, verify, remove, brand):
        action.add_argument("email")
        action.add_argument("domain")
    listing = actions.add_parser("list", help="list an account's domains and their states")
    listing.add_argument("email")
    for field in BRANDING_FIELDS:
        if field.kind == "switch":
            brand.add_argument(*_flags(field), dest=field.name, choices=ON_OFF, help=field.summary)
        else:
            brand.add_argument(*_flags(field), dest=field.name, metavar=field.kind.upper(), help=field.summary)
    brand.add_argument("--logo", type=Path, help="a PNG or JPEG file (re-encoded; at most 256 KB)")


async def domain_command(settings: Settings, redis_url: str, args: argparse.Namespace) -> int:
    """Run one `ots domain` action; print its outcome, or one error line."""
    client = connect(redis_url)
    try:
        domains = Services.build(settings, client).domain_service
        return await _run(domains, args)
    except OnetimeError as error:
        print(f"ots: {error.message}", file=sys.stderr)
        return 1
    finally:
        await client.aclose()


async def _run(domains: DomainService, args: argparse.Namespace) -> int:
    if args.action == "add":
        _print_instructions(await domains.add(args.email, args.domain), args.email)
    elif args.action == "verify":
        domain, _ = await domains.verify(args.email, args.domain)
        _print_state(domain)
        return 0 if domain.is_verified else 1
    elif args.action == "remove":
        await domains.remove(args.email, args.domain)
        print(f"removed {args.domain.strip().lower()}")
    elif args.action == "list":
        for domain in await domains.of_account(args.email):
            print(f"{domain.name}\t{domain.state}")
    else:
        _print_branding(await domains.brand(args.email, args.domain, _branding_change(args)))
    return 0


def _branding_change(args: argparse.Namespace) -> BrandingChange:
    logo: bytes | None = None
    if args.logo is not None:
        try:
            with args.logo.open("rb") as upload:
                logo = upload.read(LOGO_MAX_BYTES + 1)
        except OSError as error:
            raise OnetimeError(f"Cannot read the logo file: {error.strerror}") from None
    values: dict[str, Any] = {field.name: _value(field, getattr(args, field.name)) for field in BRANDING_FIELDS}
    return BrandingChange(**values, logo=logo)


def _value(field: BrandingField, given: str | None) -> str | bool | None:
    """Return a flag's value as the domain takes it: a switch's `on`/`off` as True/False."""
    return ON_OFF[given] if field.kind == "switch" and given is not None else given


def _print_instructions(domain: Domain, email: str) -> None:
    print(f"{domain.name}: {domain.state}")
    print("Create this DNS record:")
    print(f'  {domain.challenge_name}  TXT  "{domain.token}"')
    print(f"and point {domain.name} at this server (an A, AAAA or CNAME record), then run:")
    print(f"  ots domain verify {email} {domain.name}")
    if domain.expires is not None:
        lapses = datetime.fromtimestamp(domain.expires, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")
        print(f"Verify it by {lapses}, or this claim lapses; the first account to verify the name gets it.")


def _print_state(domain: Domain) -> None:
    print(f"{domain.name}: {domain.state}")
    for line in domain.missing:
        print(f"  missing: {line}")


def _print_branding(domain: Domain) -> None:
    brand = domain.branding
    print(f"{domain.name}: {domain.state}")
    print(f"  name: {brand.display_name or '(the domain)'}")
    print(f"  colour: {brand.primary_colour or '(default)'}")
    print(f"  logo: {brand.logo_type or '(none)'}")
    print(f"  public homepage: {'on' if brand.public_homepage else 'off'}")
