"""End-to-end secrets in a real browser, from `ots send`/`ots receive`, and what Redis holds of them.

The key lives in the link's fragment: every request the browsers make is captured and none may
carry the key, the plaintext or the passphrase.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import secrets
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest
import redis
import zxingcpp
from PIL import Image
from playwright.sync_api import Page, Request, expect

from onetime import e2e_format
from tests.e2e.conftest import Contexts
from tests.e2e.test_accounts_flows import link_in, mail_to, sign_up
from tests.e2e.test_pages_in_browser import run_axe
from tests.support.redis_server import RedisServer
from tests.support.server_process import PROJECT_ROOT, ServerProcess, ots_env
from tests.support.smtp_server import SmtpSink

RECEIPT_URL = re.compile(r"/private/[a-z0-9]{31}$")
LINK = re.compile(r"^http://127\.0\.0\.1:\d+/secret/[a-z0-9]{31}#[A-Za-z0-9_-]{48}$")
E2E_CHOICE = "Encrypt in my browser (end to end)"
GONE = "This secret is gone, or was never here"
Screenshot = Callable[[Page, str], None]


@dataclass
class Deployment:
    """`ots serve` with a Redis of its own, which a test may read through."""

    server: ServerProcess
    redis_url: str
    env: dict[str, str]


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory, smtp: SmtpSink) -> Iterator[Deployment]:
    """Start a redis-server and `ots serve` for this module's tests; stop both at the end."""
    directory = tmp_path_factory.mktemp("end-to-end")
    redis_server = RedisServer(directory / "redis").start()
    env = ots_env(
        directory / "data",
        OTS_REDIS_URL=redis_server.url,
        OTS_SECRET=base64.b64encode(secrets.token_bytes(32)).decode(),
        OTS_SMTP_URL=smtp.url,
        OTS_MAIL_FROM="Onetime Secret <noreply@example.com>",
    )
    try:
        with ServerProcess(env, directory / "logs") as running:
            yield Deployment(running, redis_server.url, {**env, "OTS_BASE_URL": running.origin})
    finally:
        redis_server.stop()


class Requests:
    """Every request a page makes, to check afterwards that none carries a secret."""

    def __init__(self, *pages: Page) -> None:
        self.seen: list[Request] = []
        for page in pages:
            page.on("request", self._record)

    def _record(self, request: Request) -> None:
        self.seen.append(request)

    def assert_none_carries(self, *needles: str) -> None:
        assert self.seen, "no request was captured"
        for request in self.seen:
            headers = "\n".join(f"{name}: {value}" for name, value in request.all_headers().items())
            body = request.post_data_buffer or b""
            for needle in needles:
                assert needle not in request.url, request.url
                assert needle not in headers, request.url
                assert needle.encode() not in body, request.url

    def posted(self) -> list[str]:
        return [request.url for request in self.seen if request.method == "POST"]


def create_end_to_end(page: Page, deployment: Deployment, value: str, passphrase: str = "") -> str:
    """Create a secret end to end from the home page and return its whole link."""
    page.goto(deployment.server.url("/"))
    expect(page.get_by_label(E2E_CHOICE)).to_be_checked()
    expect(page.locator("#encryption-mode")).to_contain_text("End-to-end: your browser encrypts the secret")
    page.get_by_label("Secret", exact=True).fill(value)
    if passphrase:
        page.get_by_label("Passphrase (optional)").fill(passphrase)
    page.get_by_role("button", name="Create a secret link").click()
    expect(page).to_have_url(RECEIPT_URL)
    expect(page.locator("#share-link")).to_have_value(LINK)
    return page.locator("#share-link").input_value()


def fragment_of(link: str) -> str:
    return link.split("#", 1)[1]


def decode_qr(page: Page) -> list[str]:
    svg = page.locator("[data-e2e-qr] svg.qr-code")
    expect(svg).to_be_visible()
    picture = Image.open(io.BytesIO(svg.screenshot(caret="initial")))
    decoded = zxingcpp.read_barcodes(picture.convert("L"))
    assert all(code.format == zxingcpp.BarcodeFormat.QRCode for code in decoded)
    return [code.text for code in decoded]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_secret_travels_end_to_end_and_no_request_carries_its_key_or_text(
    deployment: Deployment, people: Contexts, scheme: str
) -> None:
    value = f"end to end {secrets.token_hex(8)}\nsecond line"
    creator = people.new_page(color_scheme=scheme)
    creator_requests = Requests(creator)
    link = create_end_to_end(creator, deployment, value)
    expect(creator.get_by_text(re.compile(r"End-to-end, [\d,]+ bytes"))).to_be_visible()
    expect(creator.locator("[data-e2e-missing]")).to_be_hidden()
    assert decode_qr(creator) == [link]

    recipient = people.new_page(color_scheme=scheme)
    recipient_requests = Requests(recipient)
    recipient.goto(link)
    expect(recipient.get_by_role("heading", level=1)).to_have_text("You have a secret")
    expect(recipient.get_by_label("Passphrase")).to_be_hidden()
    recipient.get_by_role("button", name="Reveal the secret").click()
    expect(recipient.locator("#secret-value")).to_have_value(value)
    expect(recipient.get_by_text("Decrypted in your browser")).to_be_visible()
    assert "#" not in recipient.url  # the key left the address bar once it had done its work

    fragment = fragment_of(link)
    raw_key = e2e_format.parse_fragment(fragment).key
    for captured in (creator_requests, recipient_requests):
        captured.assert_none_carries(fragment, value, "end to end", base64.b64encode(raw_key).decode())
    assert any(url.endswith("/create") for url in creator_requests.posted())
    assert len(recipient_requests.posted()) == 1

    creator.reload()
    expect(creator.get_by_text(re.compile(r"Received \d{4}-\d\d-\d\d"))).to_be_visible()
    recipient.reload()
    expect(recipient.get_by_role("heading", level=1)).to_have_text(GONE)


def test_a_passphrase_stays_in_the_browsers_and_a_wrong_one_can_be_tried_again(
    deployment: Deployment, people: Contexts
) -> None:
    value = f"behind a passphrase {secrets.token_hex(8)}"
    passphrase = f"open sesame {secrets.token_hex(4)}"
    creator = people.new_page(color_scheme="dark")
    creator_requests = Requests(creator)
    link = create_end_to_end(creator, deployment, value, passphrase=passphrase)
    assert e2e_format.parse_fragment(fragment_of(link)).passphrase is True
    expect(creator.get_by_text("Not known to this server")).to_be_visible()

    recipient = people.new_page(color_scheme="dark")
    recipient_requests = Requests(recipient)
    recipient.goto(link)
    recipient.get_by_label("Passphrase").fill("a wrong guess")
    recipient.get_by_role("button", name="Reveal the secret").click()
    status = recipient.locator("[data-e2e-status]")
    expect(status).to_contain_text("The passphrase is wrong, or the key in the link was altered")
    expect(status).to_contain_text("deleted from the server")
    recipient.get_by_label("Passphrase").fill(passphrase)
    recipient.get_by_role("button", name="Decrypt").click()
    expect(recipient.locator("#secret-value")).to_have_value(value)
    assert len(recipient_requests.posted()) == 1  # the second try happened in the page alone

    for captured in (creator_requests, recipient_requests):
        captured.assert_none_carries(fragment_of(link), value, passphrase, "a wrong guess")


def test_a_damaged_or_missing_key_is_refused_before_anything_is_consumed(
    deployment: Deployment, people: Contexts
) -> None:
    creator = people.new_page()
    link = create_end_to_end(creator, deployment, "keep me whole")
    base, fragment = link.split("#", 1)
    swapped = fragment[:20] + ("A" if fragment[20] != "A" else "B") + fragment[21:]

    recipient = people.new_page()
    requests = Requests(recipient)
    for address, message in [
        (f"{base}#{swapped}", "The key at the end of this link (after '#') is damaged"),
        (f"{base}#{fragment[:-3]}", "The key at the end of this link (after '#') is damaged"),
        (base, "This link is missing its key: the part after '#' was cut off"),
    ]:
        recipient.goto("about:blank")
        recipient.goto(address)
        expect(recipient.get_by_role("alert")).to_contain_text(message)
        expect(recipient.get_by_role("alert")).to_contain_text("Nothing has been revealed or deleted")
        expect(recipient.get_by_role("button", name="Reveal the secret")).to_be_hidden()
    assert requests.posted() == []
    creator.reload()
    expect(creator.get_by_text("Opened, not revealed yet")).to_be_visible()  # still there, unconsumed

    # A well-formed key of another secret passes the check, so the secret is consumed: said plainly.
    other_key = e2e_format.LinkKey.new(passphrase=False).fragment()
    recipient.goto("about:blank")
    recipient.goto(f"{base}#{other_key}")
    recipient.get_by_role("button", name="Reveal the secret").click()
    expect(recipient.locator("[data-e2e-status]")).to_contain_text(
        "The key in this link does not open this secret, so it cannot be shown"
    )
    expect(recipient.locator("#secret-value")).to_be_hidden()
    creator.reload()
    expect(creator.get_by_text(re.compile(r"Received \d{4}-\d\d-\d\d"))).to_be_visible()


def test_the_full_link_is_only_in_the_creating_tab(deployment: Deployment, people: Contexts) -> None:
    creator = people.new_page()
    create_end_to_end(creator, deployment, "only here")
    receipt_url = creator.url
    elsewhere = people.new_page()
    elsewhere.goto(receipt_url)
    expect(elsewhere.get_by_text("it is no longer available here")).to_be_visible()
    expect(elsewhere.locator("#share-link")).to_be_hidden()
    expect(elsewhere.locator("[data-e2e-qr]")).to_be_hidden()
    no_script = people.new_page(javascript=False)
    no_script.goto(receipt_url)
    expect(no_script.get_by_text("it is no longer available here")).to_be_visible()
    expect(no_script.get_by_text(re.compile(r"End-to-end, [\d,]+ bytes"))).to_be_visible()


def test_without_javascript_the_page_says_the_server_encrypts_and_works_as_before(
    deployment: Deployment, people: Contexts
) -> None:
    page = people.new_page(javascript=False)
    page.goto(deployment.server.url("/"))
    expect(page.locator("#encryption-mode")).to_contain_text("Encrypted on the server")
    expect(page.get_by_label(E2E_CHOICE)).to_be_hidden()
    page.get_by_label("Secret", exact=True).fill("server side")
    page.get_by_role("button", name="Create a secret link").click()
    expect(page).to_have_url(RECEIPT_URL)
    expect(page.get_by_text("On this server")).to_be_visible()
    link = page.locator("#share-link").input_value()
    assert "#" not in link
    reader = people.new_page(javascript=False)
    reader.goto(link)
    reader.get_by_role("button", name="Reveal the secret").click()
    expect(reader.locator("#secret-value")).to_have_value("server side")


def test_with_javascript_the_creator_may_choose_server_side_encryption(
    deployment: Deployment, people: Contexts
) -> None:
    page = people.new_page()
    page.goto(deployment.server.url("/"))
    page.get_by_label(E2E_CHOICE).uncheck()
    expect(page.locator("#encryption-mode")).to_contain_text("Encrypted on the server")
    page.get_by_label("Secret", exact=True).fill("server side by choice")
    page.get_by_role("button", name="Create a secret link").click()
    expect(page).to_have_url(RECEIPT_URL)
    expect(page.get_by_text("On this server")).to_be_visible()
    assert "#" not in page.locator("#share-link").input_value()


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


def ots(deployment: Deployment, *args: str, stdin: str = "", **env: str) -> tuple[int, str, str]:
    """Run the `ots` command as a user would, against the deployment's server."""
    result = subprocess.run(
        [str(PROJECT_ROOT / ".venv/bin/ots"), *args],
        cwd=PROJECT_ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        env={**deployment.env, **env},
        timeout=60,
        check=False,
    )
    return result.returncode, result.stdout, result.stderr


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


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_end_to_end_pages_have_no_wcag_21_aa_violation(
    deployment: Deployment, people: Contexts, screenshot: Screenshot, scheme: str
) -> None:
    creator = people.new_page(color_scheme=scheme)
    creator.goto(deployment.server.url("/"))
    creator.get_by_label("Passphrase (optional)").fill("words")
    violations = {f"home-e2e-{scheme}": run_axe(creator)}
    screenshot(creator, f"home-e2e-{scheme}")
    link = create_end_to_end(creator, deployment, "checked by axe", passphrase="words")
    violations[f"receipt-e2e-{scheme}"] = run_axe(creator)
    screenshot(creator, f"receipt-e2e-{scheme}")
    recipient = people.new_page(color_scheme=scheme)
    recipient.goto(link)
    violations[f"reveal-e2e-{scheme}"] = run_axe(recipient)
    screenshot(recipient, f"reveal-e2e-{scheme}")
    recipient.get_by_label("Passphrase").fill("not the words")
    recipient.get_by_role("button", name="Reveal the secret").click()
    expect(recipient.locator("[data-e2e-retry]")).to_be_visible()
    violations[f"wrong-passphrase-e2e-{scheme}"] = run_axe(recipient)
    screenshot(recipient, f"wrong-passphrase-e2e-{scheme}")
    recipient.get_by_label("Passphrase").fill("words")
    recipient.get_by_role("button", name="Decrypt").click()
    expect(recipient.locator("#secret-value")).to_have_value("checked by axe")
    violations[f"revealed-e2e-{scheme}"] = run_axe(recipient)
    screenshot(recipient, f"revealed-e2e-{scheme}")
    second = create_end_to_end(creator, deployment, "damaged on the way")
    damaged = people.new_page(color_scheme=scheme)
    damaged.goto(second[:-4])
    expect(damaged.get_by_role("alert")).to_be_visible()
    violations[f"damaged-e2e-{scheme}"] = run_axe(damaged)
    screenshot(damaged, f"damaged-e2e-{scheme}")
    assert {name: found for name, found in violations.items() if found} == {}


def test_the_size_limit_counts_the_ciphertext_and_an_oversized_one_is_never_sent(
    deployment: Deployment, people: Contexts
) -> None:
    page = people.new_page()
    requests = Requests(page)
    page.goto(deployment.server.url("/"))
    limit = int(page.locator("#secret").get_attribute("data-max-bytes") or "0")
    text = "x" * (limit - 100)  # fits as text, not once encrypted
    page.get_by_label("Secret", exact=True).fill(text)
    expect(page.locator("[data-e2e-size]")).to_contain_text(f"of the {limit:,} bytes allowed")
    page.get_by_role("button", name="Create a secret link").click()
    expect(page.get_by_role("alert")).to_contain_text(f"over the limit of {limit:,}")
    assert requests.posted() == []
    page.get_by_label(E2E_CHOICE).uncheck()  # the server's own encryption counts the text
    page.get_by_role("button", name="Create a secret link").click()
    expect(page).to_have_url(RECEIPT_URL)


def test_the_dashboard_says_end_to_end_and_a_burn_forgets_the_key_in_the_tab(
    deployment: Deployment, people: Contexts
) -> None:
    page = people.new_page()
    sign_up(page, deployment.server, f"e2e-{secrets.token_hex(4)}@example.com")
    create_end_to_end(page, deployment, "an account's end-to-end secret")
    metadata_key = page.url.rsplit("/", 1)[1]
    assert page.evaluate("key => sessionStorage.getItem('ots-e2e-link:' + key)", metadata_key)
    page.goto(deployment.server.url("/dashboard"))
    entry = page.locator(f"#entry-{metadata_key}")
    expect(entry.get_by_text(re.compile(r"^end-to-end, [\d,]+ bytes$"))).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    entry.get_by_role("button", name=re.compile("^Burn")).click()
    expect(entry.locator(".state")).to_have_text("Burned")
    page.goto(deployment.server.url(f"/private/{metadata_key}"))
    expect(page.get_by_text(re.compile(r"Burned \d{4}-\d\d-\d\d"))).to_be_visible()
    assert page.evaluate("key => sessionStorage.getItem('ots-e2e-link:' + key)", metadata_key) is None


def test_a_blank_secret_is_refused_in_the_page_without_sending_the_passphrase(
    deployment: Deployment, people: Contexts
) -> None:
    page = people.new_page()
    requests = Requests(page)
    page.goto(deployment.server.url("/"))
    page.get_by_label("Secret", exact=True).fill("   \n  ")
    page.get_by_label("Passphrase (optional)").fill("pass-phrase-typed")
    page.get_by_role("button", name="Create a secret link").click()
    expect(page.get_by_role("alert")).to_contain_text("Type or paste the secret to share")
    assert requests.posted() == []
    expect(page.get_by_label("Passphrase (optional)")).to_have_value("pass-phrase-typed")  # nothing was redrawn
    page.get_by_label("Secret", exact=True).fill("short now")
    page.get_by_role("button", name="Create a secret link").click()
    expect(page).to_have_url(RECEIPT_URL)
    link = page.locator("#share-link").input_value()
    assert e2e_format.parse_fragment(fragment_of(link)).passphrase is True
    requests.assert_none_carries("short now", "pass-phrase-typed")


def test_a_secret_sent_by_email_is_encrypted_on_the_server_and_the_page_says_so(
    deployment: Deployment, people: Contexts, smtp: SmtpSink
) -> None:
    page = people.new_page()
    email = f"e2e-{secrets.token_hex(4)}@example.com"
    sign_up(page, deployment.server, email)
    page.goto(link_in(mail_to(smtp, email), deployment.server, "/account/confirm/"))
    page.get_by_role("button", name="Confirm my email address").click()
    page.goto(deployment.server.url("/"))
    page.get_by_label("Secret", exact=True).fill("by email")
    page.get_by_label("Send the link by email (optional)").fill(f"to-{email}")
    expect(page.locator("#encryption-mode")).to_contain_text("a secret sent by email is encrypted by this server")
    page.get_by_role("button", name="Create a secret link").click()
    expect(page).to_have_url(RECEIPT_URL)
    expect(page.get_by_text("On this server")).to_be_visible()
    page.goto(link_in(mail_to(smtp, f"to-{email}"), deployment.server, "/secret/"))
    page.get_by_role("button", name="Reveal the secret").click()
    expect(page.locator("#secret-value")).to_have_value("by email")


def form_token(client: httpx.Client, path: str) -> str:
    """Return the CSRF token of the form on a page (the client keeps the cookie)."""
    token = re.search(r'name="_csrf_token" value="([^"]+)"', client.get(path).text)
    assert token is not None
    return token.group(1)


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


def test_a_ciphertext_over_the_plan_is_refused_by_the_server_and_the_text_comes_back(
    deployment: Deployment, people: Contexts
) -> None:
    page = people.new_page()
    requests = Requests(page)
    page.goto(deployment.server.url("/"))
    limit = int(page.locator("#secret").get_attribute("data-max-bytes") or "0")
    # Lift the page's own check, as a stale page could: the server counts the ciphertext itself.
    page.locator("#secret").evaluate("(box, bytes) => { box.dataset.maxBytes = bytes; }", str(limit * 10))
    text = "y" * (limit - 50)
    page.get_by_label("Secret", exact=True).fill(text)
    page.get_by_label("Passphrase (optional)").fill("kept in the page")
    page.get_by_role("button", name="Create a secret link").click()
    expect(page.locator("#secret-error")).to_contain_text(f"maximum size of {limit} bytes")
    expect(page.get_by_label("Secret", exact=True)).to_have_value(text)  # put back by the page, never sent
    expect(page.get_by_label("Passphrase (optional)")).to_have_value("kept in the page")
    assert len(requests.posted()) == 1
    requests.assert_none_carries(text, "kept in the page")
