"""`ots send` and `ots receive`: end-to-end secrets from the command line, against any server of ours.

They encrypt and decrypt here, with the format of `onetime.e2e_format` (docs/e2e-format.md), so a
script's secret never reaches the server in the clear, and a link made by a browser opens here
(and the other way round). `send` posts the ciphertext as the browser's create form does (the
JSON APIs keep server-side encryption); `receive` checks the link's key before it consumes
anything, then reveals through the v1 API, which consumes exactly like a reveal in a browser.
"""

from __future__ import annotations

import argparse
import getpass
import html
import os
import re
import sys
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx

from onetime import e2e_format
from onetime.settings import Settings

_CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')
_LINK_ATTRIBUTE = re.compile(r'data-e2e-link="([^"]+)"')
_MESSAGE = re.compile(r'<p class="(?:alert|field-error)"[^>]*>(.*?)</p>', re.DOTALL)
_SECRET_PATH = re.compile(r"/secret/([a-z0-9]+)/?")
TIMEOUT = 30.0
PASSPHRASE_TRIES = 3


class CommandError(Exception):
    """A failure to say in one line (never quoting a secret, key or passphrase)."""


def add_e2e_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `send` and `receive` to the `ots` command."""
    send = commands.add_parser("send", help="encrypt standard input end to end, store it, print its link")
    send.add_argument("--server", help="the server's origin (default: OTS_BASE_URL)")
    send.add_argument("--ttl", type=int, help="seconds the secret lives (default: the server's)")
    receive = commands.add_parser("receive", help="reveal an end-to-end link once and print the secret")
    receive.add_argument("link", help="the whole link, with its key after '#'")
    for command in (send, receive):
        command.add_argument("--passphrase-env", metavar="NAME", help="read the passphrase from this variable")
        command.add_argument("--ask-passphrase", action="store_true", help="ask for a passphrase on the terminal")


def e2e_command(settings: Settings, args: argparse.Namespace) -> int:
    """Run `ots send` or `ots receive`; 0 on success, 1 with a message on stderr otherwise."""
    try:
        if args.command == "send":
            link, receipt = send(args.server or settings.base_url, sys.stdin.read(), _passphrase(args), args.ttl)
            print(link)
            print(f"ots: the receipt (keep it to yourself): {receipt}", file=sys.stderr)
        else:
            sys.stdout.write(receive(args.link, lambda: _passphrase(args), retry=args.ask_passphrase))
            sys.stdout.flush()
    except CommandError as error:
        print(f"ots: {error}", file=sys.stderr)
        return 1
    except httpx.HTTPError as error:
        print(f"ots: the server could not be reached ({type(error).__name__})", file=sys.stderr)
        return 1
    return 0


def send(server: str, value: str, passphrase: str | None, ttl: int | None = None) -> tuple[str, str]:
    """Encrypt a value, store it on a server; return its link (with the key) and its receipt link."""
    if not value:
        raise CommandError("nothing to send: standard input was empty")
    link_key = e2e_format.LinkKey.new(passphrase=bool(passphrase))
    ciphertext = e2e_format.seal(value, link_key, passphrase)
    origin = server.rstrip("/")
    with httpx.Client(base_url=origin, timeout=TIMEOUT) as client:
        home = client.get("/")
        token = _CSRF_FIELD.search(home.text)
        if home.status_code != httpx.codes.OK or token is None:
            raise CommandError(f"{origin} does not look like a server of ours (HTTP {home.status_code})")
        form = {"secret": ciphertext, "e2e": "v1", "_csrf_token": html.unescape(token.group(1))}
        if ttl is not None:
            form["ttl"] = str(ttl)
        created = client.post("/create", data=form)
        if created.status_code != httpx.codes.SEE_OTHER:
            raise CommandError(f"the server refused the secret: {_message(created)}")
        receipt_path = created.headers["location"]
        receipt = client.get(receipt_path)
        shown = _LINK_ATTRIBUTE.search(receipt.text)
        if shown is None:
            raise CommandError("the server stored the secret but did not show its link")
    return f"{html.unescape(shown.group(1))}#{link_key.fragment()}", f"{origin}{receipt_path}"


def receive(link: str, ask_passphrase: Callable[[], str | None], *, retry: bool = False) -> str:
    """Reveal an end-to-end link (consuming it) and return the secret.

    The key is checked before anything is consumed; the passphrase is asked for before too, as a
    wrong one can be tried again only while the ciphertext is in memory here.
    """
    parts = urlsplit(link)
    path = _SECRET_PATH.fullmatch(parts.path)
    if not parts.scheme or path is None:
        raise CommandError("that is not a secret link (it should end with /secret/<key>#<key>)")
    try:
        link_key = e2e_format.parse_fragment(parts.fragment)
    except e2e_format.MissingFragment:
        raise CommandError("the link is missing its key (the part after '#'); nothing was revealed") from None
    except e2e_format.DamagedFragment:
        raise CommandError("the key after '#' in the link is damaged; nothing was revealed") from None
    passphrase = ask_passphrase() if link_key.passphrase else None
    if link_key.passphrase and not passphrase:
        raise CommandError("this secret needs its passphrase (--passphrase-env or --ask-passphrase)")
    with httpx.Client(base_url=f"{parts.scheme}://{parts.netloc}", timeout=TIMEOUT) as client:
        answer = client.post(f"/api/v1/secret/{path.group(1)}")
    value = answer.json().get("value") if answer.status_code == httpx.codes.OK else None
    if not isinstance(value, str):
        raise CommandError("this secret is gone, or was never here")
    return _decrypt(value, link_key, passphrase, ask_passphrase if retry else None)


def _decrypt(
    value: str, link_key: e2e_format.LinkKey, passphrase: str | None, ask_again: Callable[[], str | None] | None
) -> str:
    for _ in range(PASSPHRASE_TRIES):
        try:
            return e2e_format.open_sealed(value, link_key, passphrase)
        except e2e_format.FormatError:
            raise CommandError("the secret was revealed, but it is not an end-to-end secret of this format") from None
        except e2e_format.CannotDecrypt:
            if not link_key.passphrase or ask_again is None:
                break
            print("ots: wrong passphrase; the secret is held here only until this command ends", file=sys.stderr)
            passphrase = ask_again()
    what = (
        "the passphrase is wrong, or the link's key was altered" if link_key.passphrase else "the key does not open it"
    )
    raise CommandError(f"{what}; the secret was deleted from the server when it was fetched, so it is lost")


def _passphrase(args: argparse.Namespace) -> str | None:
    if args.passphrase_env:
        value = os.environ.get(args.passphrase_env)
        if not value:
            raise CommandError(f"the variable {args.passphrase_env} holds no passphrase")
        return value
    if args.ask_passphrase:
        return getpass.getpass("Passphrase: ") or None
    return None


def _message(response: httpx.Response) -> str:
    found = _MESSAGE.search(response.text)
    text = html.unescape(re.sub(r"<[^>]+>|\s+", " ", found.group(1))).strip() if found else ""
    return text or f"HTTP {response.status_code}"
