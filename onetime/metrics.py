"""What the server counts, for Prometheus: every metric, and the small calls that move them.

A label only ever holds one of a few fixed words (a plan name, a kind, a reason, a route's
template such as `/api/v1/secret/{key}`): never a key, an address or an email.

With several workers (`OTS_WORKERS` > 1) `ots serve` sets PROMETHEUS_MULTIPROC_DIR before they
start, each worker writes its figures to files there, and a scrape adds up every worker's files
(prometheus-client's multiprocess mode). With one worker the figures live in the process.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from pathlib import Path

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector

MULTIPROC_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# Words the labels take.
TYPED, GENERATED = "typed", "generated"
PASSPHRASE, PLAIN = "passphrase", "plain"
UNKNOWN, WRONG_PASSPHRASE, LOCKED, LIMITED = "unknown", "wrong_passphrase", "locked", "limited"
SECRET_PASSPHRASE, SIGN_IN = "secret_passphrase", "sign_in"
TIMEOUT, ERROR = "timeout", "error"
UNROUTED = "unrouted"
REVEALS_SECRET = "reveals_secret"  # noqa: S105 - a route option name
"""Route option a face declares on its reveal routes (`opt={REVEALS_SECRET: True}`): their failures are
counted as failed reveals."""

SECRETS_CREATED = Counter(
    "ots_secrets_created", "Secrets created, by the creator's plan and kind (typed or generated).", ["plan", "kind"]
)
SECRETS_REVEALED = Counter("ots_secrets_revealed", "Secrets revealed, by kind (passphrase or plain).", ["kind"])
SECRETS_BURNED = Counter("ots_secrets_burned", "Secrets burned before they were read.")
REVEAL_FAILURES = Counter(
    "ots_reveal_failures",
    "Reveals refused, by reason: unknown (no such secret, or gone), wrong_passphrase, locked (the passphrase "
    "lockout), limited (the client's reveal limit).",
    ["reason"],
)
LOCKOUTS = Counter(
    "ots_lockouts",
    "Requests refused because a lockout is in force: secret_passphrase (a reveal or burn after too many wrong "
    "passphrases) or sign_in.",
    ["kind"],
)
REQUEST_SECONDS = Histogram(
    "ots_request_duration_seconds",
    "Time to answer a request, by route (its template, or `unrouted`) and status class.",
    ["route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
REDIS_FAILURES = Counter(
    "ots_redis_failures",
    "Requests that failed because Redis did not answer in time (timeout) or at all (error).",
    ["kind"],
)
MAIL_SENT = Counter("ots_mail_sent", "Emails the SMTP server accepted.")
MAIL_RETRIED = Counter("ots_mail_retried", "Email deliveries that failed and were scheduled again.")
MAIL_FAILED = Counter("ots_mail_failed", "Emails given up on (refused, expired, or out of tries).")
BCRYPT_WAITING = Gauge(
    "ots_bcrypt_waiting",
    "bcrypt calls queued or running, by lane (secrets or accounts), summed over live workers.",
    ["lane"],
    multiprocess_mode="livesum",
)
_OUTBOX_DEPTH_NAME = "ots_mail_outbox_depth"
_OUTBOX_DEPTH_HELP = "Emails waiting in the outbox (due or scheduled for a retry), read from Redis at the scrape."


def secret_created(plan: str, *, generated: bool) -> None:
    """Count a secret stored for a creator on `plan`."""
    SECRETS_CREATED.labels(plan=plan, kind=GENERATED if generated else TYPED).inc()


def secret_revealed(*, passphrase: bool) -> None:
    """Count a secret revealed (and so destroyed)."""
    SECRETS_REVEALED.labels(kind=PASSPHRASE if passphrase else PLAIN).inc()


def secret_burned() -> None:
    """Count a secret burned by its creator."""
    SECRETS_BURNED.inc()


def reveal_failed(reason: str) -> None:
    """Count a reveal refused for `reason` (UNKNOWN, WRONG_PASSPHRASE, LOCKED or LIMITED)."""
    REVEAL_FAILURES.labels(reason=reason).inc()


def locked_out(kind: str) -> None:
    """Count a request refused by a lockout of `kind` (SECRET_PASSPHRASE or SIGN_IN)."""
    LOCKOUTS.labels(kind=kind).inc()


_passphrase_locked: ContextVar[bool] = ContextVar("ots_passphrase_locked", default=False)


def passphrase_locked() -> None:
    """Count a reveal or burn refused by the passphrase lockout; the service calls this as it refuses."""
    locked_out(SECRET_PASSPHRASE)
    _passphrase_locked.set(True)


def was_passphrase_locked() -> bool:
    """Tell whether this request (this task) was refused by the passphrase lockout, not by a request limit.

    Both refusals are the same RateLimited error; the face that counts a failed reveal asks this.
    """
    return _passphrase_locked.get()


def request_answered(route: str, status: int, seconds: float) -> None:
    """Time an answered request; `route` is its template (never the path, which may hold a key)."""
    REQUEST_SECONDS.labels(route=route, status=f"{status // 100}xx").observe(seconds)


def redis_failed(cause: BaseException | None) -> None:
    """Count a request that Redis failed, telling a timeout from any other fault by the original error."""
    REDIS_FAILURES.labels(kind=TIMEOUT if _is_timeout(cause) else ERROR).inc()


def _is_timeout(cause: BaseException | None) -> bool:
    # redis-py's TimeoutError is not the builtin one; both say "Timeout" in their class names.
    return cause is not None and (isinstance(cause, TimeoutError) or "Timeout" in type(cause).__name__)


def mail_sent() -> None:
    """Count an email the SMTP server accepted."""
    MAIL_SENT.inc()


def mail_retried() -> None:
    """Count a failed delivery that will be tried again."""
    MAIL_RETRIED.inc()


def mail_failed() -> None:
    """Count an email given up on."""
    MAIL_FAILED.inc()


def bcrypt_queued(lane: str) -> None:
    """Count a bcrypt call entering its lane."""
    BCRYPT_WAITING.labels(lane=lane).inc()


def bcrypt_done(lane: str) -> None:
    """Count a bcrypt call leaving its lane."""
    BCRYPT_WAITING.labels(lane=lane).dec()


class _Scrape(Collector):
    """Every figure of this server at one scrape: its counters, plus what was read for this scrape only."""

    def __init__(self, sources: Iterable[Collector], extra: Iterable[Metric]) -> None:
        self.sources = list(sources)
        self.extra = list(extra)

    def collect(self) -> Iterator[Metric]:
        for source in self.sources:
            yield from source.collect()
        yield from self.extra


def exposition(outbox_depth: int | None = None) -> bytes:
    """Return the Prometheus text of every worker's figures; `outbox_depth` when mail is on and Redis answered."""
    extra = []
    if outbox_depth is not None:
        extra.append(GaugeMetricFamily(_OUTBOX_DEPTH_NAME, _OUTBOX_DEPTH_HELP, value=outbox_depth))
    directory = os.environ.get(MULTIPROC_VARIABLE)
    if directory:
        _forget_dead_workers(Path(directory))
        sources: list[Collector] = [MultiProcessCollector(None, path=directory)]  # type: ignore[no-untyped-call]
    else:
        sources = [REGISTRY]
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Scrape(sources, extra))
    return generate_latest(registry)


_LIVE_GAUGE_FILE = re.compile(r"gauge_live\w+_(\d+)\.db")


def _forget_dead_workers(directory: Path) -> None:
    """Drop the live gauges of workers that have died (uvicorn replaces a dead worker with a new one)."""
    for path in directory.glob("gauge_live*_*.db"):
        match = _LIVE_GAUGE_FILE.fullmatch(path.name)
        if match and not Path(f"/proc/{match.group(1)}").exists():
            mark_process_dead(int(match.group(1)), str(directory))  # type: ignore[no-untyped-call]
