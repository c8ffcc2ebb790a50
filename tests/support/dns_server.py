"""A real DNS server for tests: dnslib's server on loopback (UDP and TCP on a free port).

Tests set the records they need (`server.txt(name, value)`, `server.a(name, address)`), point
OTS_DNS_RESOLVER at `server.address`, and verification asks this server over the wire.
"""

from __future__ import annotations

import socket
import threading
from collections import defaultdict
from typing import Any, Self

from dnslib import AAAA, CNAME, QTYPE, RCODE, RR, TXT, A, DNSRecord
from dnslib.server import BaseResolver, DNSServer

from onetime.settings import DnsResolver


def free_udp_tcp_port() -> int:
    """Return a port free for both UDP and TCP on 127.0.0.1."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port = int(udp.getsockname()[1])
            with socket.socket() as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port


class Zone(BaseResolver):  # type: ignore[misc]
    """Records by (name, type); names without the trailing dot, any case."""

    def __init__(self) -> None:
        self.records: dict[tuple[str, str], list[Any]] = defaultdict(list)
        self.queries: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def resolve(self, request: DNSRecord, handler: object) -> DNSRecord:
        del handler
        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        kind = QTYPE[request.q.qtype]
        with self.lock:
            self.queries.append((name, kind))
            answers = list(self.records.get((name, kind), []))
            cname = list(self.records.get((name, "CNAME"), []))
            known = any(key[0] == name for key in self.records)
        if not answers and cname and kind in {"A", "AAAA"}:
            # An alias: answer the CNAME, then the target's records, as a recursive resolver does.
            target = str(cname[0].label).rstrip(".").lower()
            reply.add_answer(RR(name, QTYPE.CNAME, rdata=cname[0], ttl=60))
            with self.lock:
                answers = list(self.records.get((target, kind), []))
            name = target
        for rdata in answers:
            reply.add_answer(RR(name, getattr(QTYPE, kind), rdata=rdata, ttl=60))
        if not answers and not cname and not known:
            reply.header.rcode = RCODE.NXDOMAIN
        return reply


class DnsTestServer:
    """One dnslib server that a test owns."""

    def __init__(self) -> None:
        self.zone = Zone()
        self.port = free_udp_tcp_port()
        self.servers = [
            DNSServer(self.zone, port=self.port, address="127.0.0.1", tcp=tcp, logger=_Quiet()) for tcp in (False, True)
        ]

    @property
    def address(self) -> str:
        """Return the value of OTS_DNS_RESOLVER that points at this server."""
        return f"127.0.0.1:{self.port}"

    @property
    def resolver(self) -> DnsResolver:
        """Return the settings value that points at this server."""
        return DnsResolver("127.0.0.1", self.port)

    def txt(self, name: str, *values: str) -> None:
        """Add a TXT record (several strings make one record, as DNS allows)."""
        self._add(name, "TXT", TXT([value.encode() for value in values]))

    def a(self, name: str, address: str) -> None:
        """Add an A record."""
        self._add(name, "A", A(address))

    def aaaa(self, name: str, address: str) -> None:
        """Add an AAAA record."""
        self._add(name, "AAAA", AAAA(address))

    def cname(self, name: str, target: str) -> None:
        """Add a CNAME record."""
        self._add(name, "CNAME", CNAME(target))

    def clear(self, name: str | None = None) -> None:
        """Forget every record (of one name, if given)."""
        with self.zone.lock:
            for key in list(self.zone.records):
                if name is None or key[0] == name.lower():
                    del self.zone.records[key]

    def _add(self, name: str, kind: str, rdata: object) -> None:
        with self.zone.lock:
            self.zone.records[(name.rstrip(".").lower(), kind)].append(rdata)

    def start(self) -> Self:
        for server in self.servers:
            server.start_thread()
        return self

    def stop(self) -> None:
        for server in self.servers:
            server.stop()
            server.server.server_close()


class _Quiet:
    """dnslib logs every query to stdout by default; tests keep their output for failures."""

    def __getattr__(self, name: str) -> object:
        return lambda *_, **__: None
