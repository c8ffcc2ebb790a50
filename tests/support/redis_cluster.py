"""A real Redis Cluster for tests: redis-server nodes on free loopback ports, joined by redis-cli.

Three masters, each optionally with one replica (to test failover). Every node is a
`RedisServer` with `--cluster-enabled yes`, so a test can stop, freeze or restart one node the
way it does a single Redis. A node also listens on its port + 10000 (the cluster bus), so node
ports stay at 55535 or below, with both ports free.
"""

from __future__ import annotations

import random
import shutil
import socket
import subprocess
import time
from pathlib import Path

from redis.crc import key_slot

from tests.support.redis_server import RedisServer

NODE_TIMEOUT_MS = 2000
"""How long a master may be silent before the others call it failed (a replica then takes over)."""
BUS_PORT_OFFSET = 10000
HIGHEST_NODE_PORT = 65535 - BUS_PORT_OFFSET
FORM_TIMEOUT = 30.0


def _is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_node_port(taken: set[int]) -> int:
    """Return a port that a cluster node can use: it and its bus port are free, and low enough."""
    for _ in range(1000):
        port = random.randint(20000, HIGHEST_NODE_PORT)  # noqa: S311 - not a secret
        used = taken | {other + BUS_PORT_OFFSET for other in taken}
        pair = {port, port + BUS_PORT_OFFSET}
        if not pair & used and all(_is_free(each) for each in pair):
            return port
    raise RuntimeError("no free port pair for a cluster node")


def redis_cli() -> str:
    """Return the redis-cli binary (Debian's redis-tools; `make system-deps` installs it)."""
    found = shutil.which("redis-cli")
    if found is None:
        raise RuntimeError("redis-cli is missing: run `make system-deps` (Debian package redis-tools)")
    return found


class RedisClusterNodes:
    """A Redis Cluster of `masters` masters with `replicas` replicas each, owned by one test or session."""

    def __init__(self, directory: Path, masters: int = 3, replicas: int = 0, *extra: str) -> None:
        self.directory = directory
        self.masters = masters
        self.replicas = replicas
        self.extra = extra
        """More redis-server options for every node."""
        self.nodes: list[RedisServer] = []

    @property
    def url(self) -> str:
        """Return the OTS_REDIS_URL of this cluster: every node is a seed."""
        return "redis+cluster://" + ",".join(f"127.0.0.1:{node.port}" for node in self.nodes)

    def node(self, port: int) -> RedisServer:
        """Return the node listening on a port."""
        return next(node for node in self.nodes if node.port == port)

    def start(self) -> RedisClusterNodes:
        """Start every node, form the cluster, and wait until it serves every slot (and replicas sync)."""
        taken: set[int] = set()
        for _ in range(self.masters * (1 + self.replicas)):
            port = free_node_port(taken)
            taken.add(port)
            node = RedisServer(
                self.directory / str(port), port,
                "--cluster-enabled", "yes",
                "--cluster-config-file", f"nodes-{port}.conf",
                "--cluster-node-timeout", str(NODE_TIMEOUT_MS),
                *self.extra,
            )  # fmt: skip
            self.nodes.append(node.start())
        addresses = [f"127.0.0.1:{node.port}" for node in self.nodes]
        subprocess.run(
            [redis_cli(), "--cluster", "create", *addresses, "--cluster-replicas", str(self.replicas), "--cluster-yes"],
            check=True,
            capture_output=True,
            timeout=FORM_TIMEOUT,
        )
        self.wait_until_healthy()
        return self

    def cli(self, port: int, *command: str) -> str:
        """Run one command on one node with redis-cli and return its answer."""
        result = subprocess.run(
            [redis_cli(), "-h", "127.0.0.1", "-p", str(port), *command],
            check=False,
            capture_output=True,
            text=True,
            timeout=10,
        )
        return result.stdout

    def cluster_state(self, port: int) -> str:
        """Return what one node thinks of the cluster: ok, fail, or "" when it does not answer."""
        for line in self.cli(port, "cluster", "info").splitlines():
            if line.startswith("cluster_state:"):
                return line.split(":", 1)[1].strip()
        return ""

    def master_ports(self) -> list[int]:
        """Return the ports of the masters that serve slots now, as a live node sees them."""
        for node in self.nodes:
            if node.process is None or node.process.poll() is not None:
                continue
            lines = self.cli(node.port, "cluster", "nodes").splitlines()
            masters = []
            for line in lines:
                fields = line.split()
                if len(fields) > 8 and "master" in fields[2] and "fail" not in fields[2]:
                    masters.append(int(fields[1].split("@")[0].rsplit(":", 1)[1]))
            if masters:
                return sorted(masters)
        return []

    def master_port_of(self, key: str) -> int:
        """Return the port of the master that serves a key's slot now."""
        slot = key_slot(key.encode())
        for node in self.nodes:
            if node.process is None or node.process.poll() is not None:
                continue
            for line in self.cli(node.port, "cluster", "nodes").splitlines():
                fields = line.split()
                if len(fields) < 9 or "master" not in fields[2] or "fail" in fields[2]:
                    continue
                for served in fields[8:]:
                    low, _, high = served.partition("-")
                    if low.isdigit() and int(low) <= slot <= int(high or low):
                        return int(fields[1].split("@")[0].rsplit(":", 1)[1])
        raise RuntimeError(f"no live master serves slot {slot}")

    def wait_for_replication(self, timeout: float = 10.0) -> None:
        """Wait until every replica has everything its master wrote so far."""
        deadline = time.monotonic() + timeout
        for port in self.master_ports():
            while True:
                info = dict(
                    line.split(":", 1) for line in self.cli(port, "info", "replication").splitlines() if ":" in line
                )
                written = int(info.get("master_repl_offset", "0"))
                copied = [
                    int(dict(part.split("=", 1) for part in value.split(","))["offset"])
                    for name, value in info.items()
                    if name.startswith("slave") and name[5:].isdigit()
                ]
                if len(copied) >= self.replicas and all(offset >= written for offset in copied):
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the replicas of {port} did not catch up within {timeout} s")
                time.sleep(0.05)

    def wait_for_failover(self, dead: int, timeout: float = FORM_TIMEOUT) -> float:
        """Wait until a replica has replaced the dead master and the cluster is ok; return how long."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            running = [node for node in self.nodes if node.process is not None and node.process.poll() is None]
            masters = self.master_ports()
            healthy = all(self.cluster_state(node.port) == "ok" for node in running)
            if dead not in masters and len(masters) == self.masters and healthy:
                return time.monotonic() - started
            time.sleep(0.1)
        raise RuntimeError(f"no replica replaced master {dead} within {timeout} s")

    def wait_until_healthy(self, timeout: float = FORM_TIMEOUT) -> None:
        """Wait until every running node says ok, with every master's replicas in sync."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            running = [node for node in self.nodes if node.process is not None and node.process.poll() is None]
            if all(self.cluster_state(node.port) == "ok" for node in running) and self._replicas_synced(running):
                return
            time.sleep(0.1)
        raise RuntimeError(f"the Redis Cluster in {self.directory} did not become healthy in {timeout} s")

    def _replicas_synced(self, running: list[RedisServer]) -> bool:
        if not self.replicas:
            return True
        synced = 0
        for node in running:
            info = self.cli(node.port, "info", "replication")
            if "role:slave" in info and "master_link_status:up" in info:
                synced += 1
        return synced >= len(self.master_ports()) * self.replicas

    def wait_for_state(self, port: int, state: str, timeout: float = 15.0) -> float:
        """Wait until a node reports the cluster state; return how long that took."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.cluster_state(port) == state:
                return time.monotonic() - started
            time.sleep(0.05)
        raise RuntimeError(f"node {port} did not report cluster_state:{state} within {timeout} s")

    def stop(self) -> None:
        """Stop every node."""
        for node in self.nodes:
            node.stop()
        self.nodes = []
