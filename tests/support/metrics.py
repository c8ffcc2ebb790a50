"""Read a server's /metrics the way Prometheus does, and compare two scrapes."""

from __future__ import annotations

import socket

import httpx
from prometheus_client.parser import text_string_to_metric_families

Sample = tuple[str, frozenset[tuple[str, str]]]
"""A sample's name (with its _total, _count or _bucket suffix) and its labels."""


def parse(text: str) -> dict[Sample, float]:
    """Return every sample of a scrape by name and labels."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def scrape(origin: str, **options: object) -> dict[Sample, float]:
    """Scrape /metrics on a server; fail unless it answers 200."""
    response = httpx.get(f"{origin}/metrics", timeout=10, **options)  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return parse(response.text)


def sample(name: str, **labels: str) -> Sample:
    """Name one sample."""
    return (name, frozenset(labels.items()))


def moved(before: dict[Sample, float], after: dict[Sample, float], key: Sample) -> float:
    """Return how far one sample moved between two scrapes (absent counts as 0)."""
    return after.get(key, 0.0) - before.get(key, 0.0)


def outside_address() -> str | None:
    """Return an address of this machine that is not loopback (to be a non-loopback client), if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(
                ("203.0.113.1", 9)
            )  # a documentation address; no packet is sent, this only picks an interface
        except OSError:
            return None
        address = str(probe.getsockname()[0])
    return None if address.startswith("127.") or address == "0.0.0.0" else address  # noqa: S104
