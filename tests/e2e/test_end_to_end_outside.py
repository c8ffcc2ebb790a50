"""End-to-end secrets seen from outside the browser: `ots send`/`ots receive`, Redis, the HTTP answers."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets

import httpx
import redis
from playwright.sync_api import expect

from onetime import e2e_format
from tests.e2e.conftest import Contexts
from tests.support.end_to_end import LINK, Deployment, Requests, create_end_to_end, deployment, fragment_of, ots

__all__ = ["deployment"]  # the module's server (a fixture)


def every_stored_byte(redis_url: str) -> bytes:
    """Return every key and value in the Redis, whatever their types, joined."""
    client = redis.Redis.from_url(redis_url)
    stored: list[bytes] = []
    try:
        for key in client.scan_iter(count=1000):
            stored.append(key)
            kind = client.type(key).decode()
            if kind == "string":
                stored.append(client.get(key) or b"")
            elif kind == "hash":
                stored.extend(item for pair in client.hgetall(key).items() for item in pair)
            elif kind == "zset":
                stored.extend(client.zrange(key, 0, -1))
            elif kind == "set":
                stored.extend(client.smembers(key))
            elif kind == "list":
                stored.extend(client.lrange(key, 0, -1))
            else:
                stored.append(client.dump(key) or b"")
    finally:
        client.close()
    return b"\x00".join(stored)


def test_redis_holds_no_plaintext_and_no_key_of_an_end_to_end_secret(deployment: Deployment, people: Contexts) -> None:
    value = f"never stored in the clear {secrets.token_hex(8)}"
    passphrase = f"never stored {secrets.token_hex(4)}"
    creator = people.new_page()
    links = [
        create_end_to_end(creator, deployment, value),
        create_end_to_end(creator, deployment, value, passphrase=passphrase),
    ]
    stored = every_stored_byte(deployment.redis_url)
    assert stored, "Redis held nothing: the scan read the wrong server"
    assert value.encode() not in stored
    assert passphrase.encode() not in stored
    for link in links:
        fragment = fragment_of(link)
        key = e2e_format.parse_fragment(fragment).key
        for form in (fragment.encode(), key, base64.b64encode(key), key.hex().encode()):
            assert form not in stored
        assert link.split("/secret/")[1].split("#")[0].encode() not in stored  # nor the link's own path key


def test_ots_send_then_ots_receive(deployment: Deployment) -> None:
    code, link, _ = ots(deployment, "send", stdin="from a script\n")
    assert code == 0
    link = link.strip()
    assert LINK.match(link), link
    code, printed, _ = ots(deployment, "receive", link)
    assert (code, printed) == (0, "from a script\n")
    code, printed, errors = ots(deployment, "receive", link)
    assert code == 1
    assert printed == ""
    assert "gone" in errors


def test_ots_send_with_a_passphrase_then_receive_refuses_a_damaged_link_first(deployment: Deployment) -> None:
    code, link, _ = ots(deployment, "send", "--passphrase-env", "SECRET_WORDS", stdin="guarded", SECRET_WORDS="pw 1")
    assert code == 0
    link = link.strip()
    code, _, errors = ots(deployment, "receive", link[:-2])
    assert code == 1
    assert "damaged; nothing was revealed" in errors
    code, _, errors = ots(deployment, "receive", link)
    assert code == 1
    assert "needs its passphrase" in errors
    code, printed, _ = ots(deployment, "receive", "--passphrase-env", "WORDS", link, WORDS="pw 1")
    assert (code, printed) == (0, "guarded")


def test_a_browser_link_opens_with_ots_receive(deployment: Deployment, people: Contexts) -> None:
    creator = people.new_page()
    link = create_end_to_end(creator, deployment, "from a browser to a script", passphrase="shared words")
    code, printed, _ = ots(deployment, "receive", "--passphrase-env", "WORDS", link, WORDS="shared words")
    assert (code, printed) == (0, "from a browser to a script")
    creator.reload()
    expect(creator.get_by_text(re.compile(r"Received \d{4}-\d\d-\d\d"))).to_be_visible()


def test_an_ots_send_link_opens_in_a_browser(deployment: Deployment, people: Contexts) -> None:
    code, link, _ = ots(deployment, "send", "--passphrase-env", "WORDS", stdin="from a script\nto a browser", WORDS="w")
    assert code == 0
    recipient = people.new_page()
    requests = Requests(recipient)
    recipient.goto(link.strip())
    recipient.get_by_label("Passphrase").fill("w")
    recipient.get_by_role("button", name="Reveal the secret").click()
    expect(recipient.locator("#secret-value")).to_have_value("from a script\nto a browser")
    requests.assert_none_carries(fragment_of(link.strip()), "from a script")


def test_the_server_refuses_a_malformed_end_to_end_value_or_a_sent_passphrase(deployment: Deployment) -> None:
    with httpx.Client(base_url=deployment.server.origin, timeout=10) as client:
        token = form_token(client, "/")
        sealed = e2e_format.seal("x", e2e_format.LinkKey.new(passphrase=False))
        cases = [
            ({"secret": "plain text, not a ciphertext"}, "Not an end-to-end ciphertext"),
            ({"secret": sealed, "passphrase": "sent by mistake"}, "it is never sent"),
        ]
        for fields, message in cases:
            answer = client.post("/create", data={"_csrf_token": token, "e2e": "v1", **fields})
            assert answer.status_code == httpx.codes.UNPROCESSABLE_ENTITY  # the HTML face's answer to a broken rule
            assert message in answer.text
            assert "sent by mistake" not in answer.text
        stored = client.post("/create", data={"_csrf_token": token, "e2e": "v1", "secret": sealed})
        assert stored.status_code == httpx.codes.SEE_OTHER


def test_every_script_carries_the_integrity_of_the_file_served(deployment: Deployment) -> None:
    with httpx.Client(base_url=deployment.server.origin, timeout=10) as client:
        page = client.get("/").text
        scripts = re.findall(r'<script src="([^"]+)" integrity="(sha384-[^"]+)"', page)
        assert len(scripts) == len(re.findall(r"<script", page)) >= 3  # htmx, app.js, e2e.js; none inline
        sealed = e2e_format.seal("x", e2e_format.LinkKey.new(passphrase=False))
        token = form_token(client, "/")
        created = client.post("/create", data={"_csrf_token": token, "e2e": "v1", "secret": sealed})
        receipt = client.get(created.headers["location"]).text
        qr = re.search(r'data-script="([^"]+)"\s+data-integrity="(sha384-[^"]+)"', receipt)
        assert qr is not None
        for src, integrity in [*scripts, qr.groups()]:
            body = client.get(src).content
            assert integrity == "sha384-" + base64.b64encode(hashlib.sha384(body).digest()).decode(), src
            assert b"eval(" not in body or src.startswith("/static/vendor/htmx"), src  # htmx's eval is off by config
            assert b"WebAssembly" not in body, src


def test_an_end_to_end_link_opened_without_javascript_consumes_nothing(
    deployment: Deployment, people: Contexts
) -> None:
    creator = people.new_page()
    link = create_end_to_end(creator, deployment, "needs a script")
    reader = people.new_page(javascript=False)
    reader.goto(link)
    expect(reader.get_by_text("Only a browser with JavaScript turned on")).to_be_visible()
    expect(reader.get_by_role("button", name="Reveal the secret")).to_be_hidden()
    # A form posted by hand, without the browser's end-to-end field, is refused and consumes nothing.
    with httpx.Client(base_url=deployment.server.origin, timeout=10) as client:
        page = client.get(link.split("#")[0])
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
        assert token is not None
        refused = client.post(link.split("#")[0], data={"_csrf_token": token.group(1)})
    assert refused.status_code == httpx.codes.CONFLICT
    assert "Nothing was revealed or deleted" in refused.text
    creator.reload()
    expect(creator.get_by_text("Opened, not revealed yet")).to_be_visible()


def form_token(client: httpx.Client, path: str) -> str:
    """Return the CSRF token of the form on a page (the client keeps the cookie)."""
    token = re.search(r'name="_csrf_token" value="([^"]+)"', client.get(path).text)
    assert token is not None
    return token.group(1)
