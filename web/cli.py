"""The `ots` command: serve the app, manage accounts."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import logging
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import FrameType

import uvicorn

from onetime.crypto import load_or_create_master_secret
from onetime.errors import OnetimeError, SettingsError
from onetime.plans import ACCOUNT_PLANS
from onetime.services import Services
from onetime.settings import Settings
from onetime.storage import embedded
from onetime.storage.client import connect
from onetime.storage.embedded import EmbeddedRedis
from web.cli_domains import add_domain_parser, domain_command
from web.cli_e2e import add_e2e_parsers, e2e_command
from web.http_protocol import HeaderTimeoutProtocol
from web.log_format import configure_command_logging, uvicorn_log_config
from web.serve_process import DataDirInUse, lock_data_dir, prepare_metrics_dir

log = logging.getLogger("ots")


def main(argv: Sequence[str] | None = None) -> int:  # noqa: PLR0911 - one exit per command
    """Run the `ots` command line."""
    parser = _parser()
    args = parser.parse_args(argv)
    # A server narrates; an account command prints its token and, on failure, one line.
    level = logging.INFO if args.command == "serve" else logging.WARNING
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"ots: configuration error: {error}", file=sys.stderr)
        return 2
    configure_command_logging(level, settings.log_format)
    if args.command == "serve":
        return serve(settings)
    try:
        if args.command == "account":
            return asyncio.run(_account(settings, args))
        if args.command in {"send", "receive"}:
            return e2e_command(settings, args)
        if args.command == "domain":
            with redis_for(settings) as url:
                return asyncio.run(domain_command(settings, url, args))
    except DataDirInUse as error:
        print(f"ots: {error}", file=sys.stderr)
        return 1
    parser.print_help()
    return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ots", description="A self-hosted one-time secret server.")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="serve the web app and the v1 API (configured by OTS_* variables)")
    account = commands.add_parser("account", help="manage API accounts").add_subparsers(dest="action", required=True)
    create = account.add_parser("create", help="create an account and print its API token")
    create.add_argument("email")
    create.add_argument("--plan", choices=ACCOUNT_PLANS, default="basic")
    token = account.add_parser("token", help="print a new API token for an account")
    token.add_argument("email")
    token.add_argument("--rotate", action="store_true", required=True, help="replace the token (required)")
    invite = account.add_parser("invite", help="email a single-use sign-up link (printed when mail is not configured)")
    invite.add_argument("email")
    add_domain_parser(commands)
    add_e2e_parsers(commands)
    return parser


@contextmanager
def redis_for(settings: Settings) -> Iterator[str]:
    """Yield the Redis URL a one-shot command uses, starting the embedded Redis for the duration if needed.

    A command that starts the embedded Redis holds the data directory meanwhile, so that a server
    starting then does not take that redis-server for one left behind and shut it down.
    """
    if settings.redis_url is not None:
        yield settings.redis_url
    elif embedded.is_running(settings.data_dir):
        yield embedded.redis_url(settings.data_dir)
    else:
        with lock_data_dir(settings.data_dir), embedded.EmbeddedRedis(settings.data_dir, settings.fsync) as server:
            yield server.url


class _Stop(Exception):
    """SIGTERM or SIGINT arrived: leave through the normal exit path."""


def _stop_on_signal(signum: int, _frame: FrameType | None) -> None:
    raise _Stop(signum)


def serve(settings: Settings) -> int:
    """Serve the app; with no OTS_REDIS_URL, supervise the embedded Redis in this process."""
    # After its graceful shutdown, uvicorn restores the previous handler and raises the signal
    # again; the default handler would kill this process before the embedded redis-server (in its
    # own session) is stopped. This one unwinds the `with` below instead, which stops it.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _stop_on_signal)
    try:
        data_dir_lock = lock_data_dir(settings.data_dir)
    except (DataDirInUse, OSError) as error:
        print(f"ots: {error}", file=sys.stderr)
        return 1
    try:
        with data_dir_lock:
            _serve_locked(settings)
    except embedded.EmbeddedRedisError as error:
        print(f"ots: {error}", file=sys.stderr)
        return 1
    except _Stop:
        pass  # the embedded Redis, if any, has been stopped on the way out
    return 0


def _serve_locked(settings: Settings) -> None:
    """Serve, holding the data directory: no other server runs on it."""
    if settings.master_secret is None:
        load_or_create_master_secret(settings.data_dir)  # once, before any worker reads it
    # With the lock held, a redis-server answering in the data dir was left by a server killed
    # outright: stop it cleanly and start one this server watches (and restarts if it dies).
    if settings.redis_url is None and embedded.shut_down_orphan(settings.data_dir):
        log.warning("shut down the embedded redis-server left running in %s by an earlier server", settings.data_dir)
    prepare_metrics_dir(settings.data_dir, settings.workers)
    with contextlib.ExitStack() as stack:
        url = settings.redis_url or stack.enter_context(EmbeddedRedis(settings.data_dir, settings.fsync)).url
        os.environ["OTS_REDIS_URL"] = url  # the workers build their settings from the environment
        log.info("serving on http://%s:%s with %s worker(s)", settings.host, settings.port, settings.workers)
        uvicorn.run(
            "web.serve_process:create_worker_app",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
            # uvicorn cannot time out slow request headers itself (web.http_protocol does); it
            # calls this partial like a protocol class, and a partial pickles for the workers.
            http=functools.partial(HeaderTimeoutProtocol, header_timeout=settings.header_timeout),  # type: ignore[arg-type]
            timeout_keep_alive=5,  # idle between two requests on one connection
            access_log=False,  # web.access_log writes a line without full keys instead
            proxy_headers=False,  # the app reads forwarded headers itself, from trusted proxies only
            server_header=False,
            log_level="info",
            log_config=uvicorn_log_config(settings.log_format) or uvicorn.config.LOGGING_CONFIG,
        )


HISTORY_RESTARTS = "ots: the account's list of recent receipts starts anew; its receipts stay reachable by their links"


async def _account(settings: Settings, args: argparse.Namespace) -> int:
    with redis_for(settings) as url:
        client = connect(url)
        try:
            services = Services.build(settings, client)
            accounts = services.account_service
            if args.action == "invite":
                return await _invite(services, args.email)
            if args.action == "create":
                token = (await accounts.create(args.email, args.plan)).token
            else:
                token = await accounts.rotate_token(args.email)
                # Without the password the history key cannot be rewrapped (onetime.accounts.history).
                print(HISTORY_RESTARTS, file=sys.stderr)
        except OnetimeError as error:
            print(f"ots: {error.message}", file=sys.stderr)
            return 1
        finally:
            await client.aclose()
    print(token)
    return 0


async def _invite(services: Services, email: str) -> int:
    """Invite an address; without mail, print the link for the operator to pass on (it works once)."""
    if not services.settings.access.invitations_accepted:
        print(
            "ots: sign-up is closed (OTS_SIGNUP=closed or OTS_MODE=read): the link could not be used", file=sys.stderr
        )
        return 1
    link = await services.sign_in_service.invitations.invite(email)
    if link is None:
        print(f"ots: invitation queued for {email}; the link works once, for 7 days", file=sys.stderr)
    else:
        print("ots: mail is not configured (OTS_SMTP_URL): pass this link on yourself; it works once", file=sys.stderr)
        print(link)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
