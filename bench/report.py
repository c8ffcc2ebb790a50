"""Turn a bench result into the table, the verdicts on the issue's targets, and BENCHMARKS.md.

`python -m bench.report` re-renders BENCHMARKS.md from bench/results/latest.json (after editing
bench/NOTES.md, whose text closes the document).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
NOTES = REPO / "bench" / "NOTES.md"
CEILING = "ceiling GET /ping"
TARGET_SHARE = 0.60
TARGET_P99_MS = 25.0
TARGET_MIXED_P99_MS = 50.0
TARGET_BYTES = 600
BUDGET_SECONDS = 600
FLAT_RATIO = 0.9
LINEAR_SPREAD = 0.15
HEADER = ["scenario", "workers", "conns", "req/s", "p50 ms", "p99 ms", "errors", "of ceiling", "server CPU us/req"]

Result = dict[str, Any]


def find_row(result: Result, scenario: str, workers: int, connections: int) -> Result | None:
    """Return the run of a scenario at these workers and connections."""
    for row in result.get("runs", []):
        if (row["scenario"], row["workers"], row["connections"]) == (scenario, workers, connections):
            return dict(row)
    return None


def ceiling_share(result: Result, row: Result) -> float | None:
    """Return a run's requests/s as a share of the ceiling's at the same workers and connections."""
    ceiling = find_row(result, CEILING, row["workers"], row["connections"])
    if not ceiling or not ceiling["rps"] or row["scenario"].startswith("ceiling"):
        return None
    return float(row["rps"]) / float(ceiling["rps"])


def _share_targets(result: Result, workers: int, add: Callable[[str, str, bool], None]) -> None:
    for scenario in ("create", "reveal"):
        row = find_row(result, scenario, workers, 64)
        share = ceiling_share(result, row) if row else None
        figure = "not measured"
        if row and share is not None:
            figure = f"{row['rps']:.0f} req/s = {share:.0%} of the ceiling"
        add(f"{scenario} >= 60% of the trivial endpoint (w={workers}, c=64)", figure, (share or 0) >= TARGET_SHARE)
    for scenario in ("create", "reveal", "receipt"):
        row = find_row(result, scenario, workers, 16)
        figure = f"p99 {row['p99_ms']:.1f} ms" if row else "not measured"
        add(f"{scenario} p99 < 25 ms at 16 connections (w={workers})", figure, bool(row) and row["p99_ms"] < 25)  # type: ignore[index]


def _mixed_targets(result: Result, add: Callable[[str, str, bool], None]) -> None:
    for mixed in result.get("mixed", []):
        victim = mixed["victim"]
        figure = (
            f"p99 {victim['p99_ms']:.1f} ms ({victim['rps']:.0f} req/s at 16 connections;"
            f" without the attack: p99 {mixed['baseline_p99_ms'] or 0:.1f} ms)"
        )
        met = victim["p99_ms"] < TARGET_MIXED_P99_MS and victim["errors"] == 0
        add(f"reveal p99 < 50 ms while 16 clients send wrong passphrases, {mixed['attack']}", figure, met)


def _memory_and_error_targets(result: Result, add: Callable[[str, str, bool], None]) -> None:
    memory = next((m for m in result.get("memory", []) if m["value_bytes"] == 100 and not m["passphrase"]), None)
    figure = f"{memory['bytes_per_secret']} B (MEMORY USAGE)" if memory else "not measured"
    add("<= 600 bytes of Redis per stored 100-byte secret", figure, bool(memory) and memory["bytes_per_secret"] <= 600)  # type: ignore[index]
    runs = result.get("runs", [])
    errors = [row for row in runs if row["errors"]]
    exhausted = [row for row in runs if row.get("exhausted_threads")]
    figure = "0 in every run"
    if errors:
        figure = "; ".join(
            f"{r['scenario']} w={r['workers']} c={r['connections']}: {r['errors']} {r['error_kinds']}" for r in errors
        )
    if exhausted:
        figure += f" ({len(exhausted)} run(s) ran out of pre-created keys)"
    add("0 errors everywhere", figure, not errors and not exhausted)


def _scaling_targets(result: Result, add: Callable[[str, str, bool], None]) -> None:
    tiers = result.get("scaling", [])
    if len(tiers) < 2:
        return
    first, last = tiers[0], tiers[-1]
    ratio = last["create_rps"] / first["create_rps"] if first["create_rps"] else 0.0
    figure = f"{first['create_rps']:.0f} -> {last['create_rps']:.0f} req/s ({ratio:.0%})"
    add(f"create cost flat from {first['tier']:,} to {last['tier']:,} stored secrets", figure, ratio >= FLAT_RATIO)
    sizes = [t["bytes_per_secret"] for t in tiers]
    spread = (max(sizes) - min(sizes)) / max(min(sizes), 1)
    add(
        "Redis memory linear in stored secrets",
        " / ".join(f"{s} B" for s in sizes) + " per secret",
        spread <= LINEAR_SPREAD,
    )


PEER_ROUTES = ("create", "reveal", "home page", "reveal page")
PEER_TARGETS = {"create": 3.0, "reveal": 3.0, "home page": 1.5, "reveal page": 1.5}
"""Our successful req/s over snappass's: create and reveal against the same route of snappass, the
two pages against snappass's `GET /` (issue 13)."""
PEER_CONNECTIONS = 32
PEER_P99_CONNECTIONS = 16
PEER_HEADER = ["route", "conns", "ours req/s", "ours p99 ms", "snappass req/s", "snappass p99 ms", "ratio", "target"]


def _peer_row(result: Result, route: str, connections: int) -> Result | None:
    for row in result.get("versus_peer", {}).get("rows", []):
        if row["route"] == route and row["connections"] == connections:
            return dict(row)
    return None


def _peer_baseline(result: Result, route: str, connections: int) -> float | None:
    """Return the snappass rate a route is judged against: its own route, or `GET /` for a page."""
    row = _peer_row(result, route if route in ("create", "reveal") else "home page", connections)
    return float(row["snappass"]["ok_rps"]) if row and row["snappass"]["ok_rps"] else None


def _peer_targets(result: Result, add: Callable[[str, str, bool], None]) -> None:
    if not result.get("versus_peer"):
        return
    for route, wanted in PEER_TARGETS.items():
        row = _peer_row(result, route, PEER_CONNECTIONS)
        baseline = _peer_baseline(result, route, PEER_CONNECTIONS)
        against = route if route in ("create", "reveal") else "`GET /`"
        target = f"{route} >= {wanted:g}x snappass's {against} (2 workers each, c={PEER_CONNECTIONS}, 0 errors)"
        if not row or not baseline:
            add(target, "not measured", bool(row and baseline))
            continue
        ratio = row["ours"]["ok_rps"] / baseline
        figure = f"{row['ours']['ok_rps']:.0f} vs {baseline:.0f} req/s = {ratio:.2f}x, errors {row['ours']['errors']}"
        add(target, figure, ratio >= wanted and row["ours"]["errors"] == 0)
    slow = [
        f"{r['route']} {r['ours']['p99_ms']:.1f} ms"
        for r in result["versus_peer"]["rows"]
        if r["connections"] == PEER_P99_CONNECTIONS
    ]
    worst = max(
        (r["ours"]["p99_ms"] for r in result["versus_peer"]["rows"] if r["connections"] == PEER_P99_CONNECTIONS),
        default=1e9,
    )
    add(
        "p99 < 25 ms at 16 connections for every route (side by side)",
        "; ".join(slow) or "not measured",
        worst < TARGET_P99_MS,
    )


def peer_rows(result: Result) -> list[list[str]]:
    """Return the cells of the side-by-side table."""
    rows = []
    for row in result.get("versus_peer", {}).get("rows", []):
        baseline = _peer_baseline(result, row["route"], row["connections"])
        ratio = row["ours"]["ok_rps"] / baseline if baseline else None
        against = "" if row["route"] in ("create", "reveal") else " of GET /"
        rows.append(
            [
                row["route"],
                str(row["connections"]),
                f"{row['ours']['ok_rps']:.0f}",
                _ms(row["ours"]["p99_ms"]),
                f"{row['snappass']['ok_rps']:.0f}",
                _ms(row["snappass"]["p99_ms"]),
                f"{ratio:.2f}x{against}" if ratio is not None else "",
                f">= {PEER_TARGETS[row['route']]:g}x",
            ]
        )
    return rows


def peer_cpu_rows(result: Result) -> list[list[str]]:
    """Return the side-by-side CPU per request of every route, beside the ceiling's at the same connections."""
    versus = result.get("versus_peer", {})
    rows = []
    for r in versus.get("rows", []):
        ours = r["ours"]["server_cpu_us_per_request"]
        ceiling = versus.get("ceiling", {}).get(str(r["connections"]), {}).get("server_cpu_us_per_request")
        rows.append(
            [
                r["route"],
                str(r["connections"]),
                str(ours),
                "" if ceiling is None else str(ceiling),
                f"{ours / ceiling:.1f}x" if ours and ceiling else "",
                str(r["snappass"]["server_cpu_us_per_request"]),
            ]
        )
    return rows


def peer_text(result: Result) -> str:
    """Return the side-by-side table and its verdicts as printed by the bench."""
    rows = [PEER_HEADER, *peer_rows(result)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(PEER_HEADER))]
    lines = ["vs snappass (" + result.get("versus_peer", {}).get("peer", "not run") + ")"]
    for index, row in enumerate(rows):
        lines.append(
            "  ".join(cell.ljust(widths[0]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row))
        )
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    verdicts = [v for v in result.get("targets", []) if "snappass" in v["target"] or "side by side" in v["target"]]
    cpu = [["route", "conns", "ours CPU us/req", "ceiling", "ours / ceiling", "snappass"], *peer_cpu_rows(result)]
    cpu_widths = [max(len(r[i]) for r in cpu) for i in range(len(cpu[0]))]
    lines.append("server CPU per request, beside the bare-Litestar ceiling (GET /ping) at the same connections:")
    lines += [
        "  ".join(c.ljust(cpu_widths[i]) if i == 0 else c.rjust(cpu_widths[i]) for i, c in enumerate(row))
        for row in cpu
    ]
    lines += [f"[{'met' if v['met'] else 'NOT MET'}] {v['target']}: {v['figure']}" for v in verdicts]
    return "\n".join(lines)


def targets(result: Result) -> list[Result]:
    """Judge the figures against the targets of the issue (2 workers, this machine)."""
    verdicts: list[Result] = []

    def add(target: str, figure: str, met: bool) -> None:
        verdicts.append({"target": target, "figure": figure, "met": bool(met)})

    workers = max((row["workers"] for row in result.get("runs", [])), default=2)
    _peer_targets(result, add)
    _share_targets(result, workers, add)
    _mixed_targets(result, add)
    _memory_and_error_targets(result, add)
    _scaling_targets(result, add)
    wall = result.get("wall_seconds")
    add("`make bench` under 10 minutes", f"{wall:.0f} s" if wall else "not measured", (wall or 1e9) < BUDGET_SECONDS)
    return verdicts


def _ms(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def run_rows(result: Result) -> list[list[str]]:
    """Return the main table's cells."""
    rows = []
    for row in result.get("runs", []):
        share = ceiling_share(result, row)
        errors = str(row["errors"]) + ("*" if row.get("exhausted_threads") else "")
        rows.append(
            [
                row["scenario"],
                str(row["workers"]),
                str(row["connections"]),
                f"{row['rps']:.0f}",
                _ms(row["p50_ms"]),
                _ms(row["p99_ms"]),
                errors,
                f"{share:.0%}" if share is not None else "",
                "" if row.get("server_cpu_us_per_request") is None else str(row["server_cpu_us_per_request"]),
            ]
        )
    return rows


def summary_lines(result: Result) -> list[str]:
    """Return the figures that are not request runs, one line each."""
    lines = [
        f"redis-benchmark {b['test']}: {b['rps']:.0f} req/s (50 clients, 100-byte values, p99 {b['p99_ms']} ms)"
        for b in result.get("redis_benchmark", [])
    ]
    lines += [
        f"Redis per secret, {m['value_bytes']:>6}-byte value, passphrase {'yes' if m['passphrase'] else 'no '}:"
        f" {m['bytes_per_secret']} B {m['by_key']}"
        for m in result.get("memory", [])
    ]
    lines += [
        f"{t['secrets_stored']:>9,} stored ({t['preload']}): Redis {t['used_memory_mib']} MiB,"
        f" {t['bytes_per_secret']} B/secret; create {t['create_rps']:.0f} req/s, p99 {t['create_p99_ms']} ms"
        for t in result.get("scaling", [])
    ]
    rss = result.get("rss")
    if rss:
        lines.append(
            f"server RSS per worker: {rss['worker_rss_after_warmup_mib']} MiB after warm-up,"
            f" {rss['worker_rss_after_mib']} MiB after {rss['secrets_created_over_http']:,} secrets created over"
            f" HTTP; redis-server RSS {rss['redis_rss_mib']} MiB"
        )
    return lines


def text_table(result: Result) -> str:
    """Return the table printed at the end of `make bench`."""
    rows = [HEADER, *run_rows(result)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    lines = []
    for index, row in enumerate(rows):
        lines.append(
            "  ".join(cell.ljust(widths[0]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row))
        )
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    lines += ["", *summary_lines(result), ""]
    if result.get("versus_peer"):
        lines += [peer_text(result), ""]
    lines += [f"[{'met' if v['met'] else 'NOT MET'}] {v['target']}: {v['figure']}" for v in result.get("targets", [])]
    lines += [f"note: {note}" for note in result.get("notes", [])]
    return "\n".join(lines)


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _md_head(result: Result) -> list[str]:
    m, v = result["machine"], result["versions"]
    load = result.get("load_average")
    return [
        "# Benchmarks",
        "",
        (
            f"Generated by `make bench` (bench/run.py) on {result.get('generated', '?')};"
            f" that run took {result.get('wall_seconds', 0):.0f} s of wall time, installs included."
        ),
        (
            "Raw figures: [bench/results/latest.json](bench/results/latest.json). How the bench works, the"
            " profiles and the proposed changes: see the notes at the end."
        ),
        "",
        "## Machine, versions, command",
        "",
        f"- {m['nproc']} cores ({m['cpu']}), {m['ram_gib']} GiB RAM, Linux {m['kernel']}, Python {m['python']}",
        "- " + ", ".join(f"{name} {version}" for name, version in v.items()),
        f"- load average when the run started and ended: {load}" if load else "- load average: not recorded",
        (
            "- load generator: wrk with the Lua scripts in bench/wrk/ (1 thread for 1 connection, else 2),"
            f" {result['seconds_per_run']:g} s a run (3 s at one connection, where latency alone sets the rate);"
            " wrk, the server and Redis share the 2 cores"
        ),
        "- command: `make bench` (installs what it needs, then runs `python -m bench.run`)",
        "",
        "## Targets (from the issue: this machine, 2 workers)",
        "",
        _md_table(
            ["target", "figure", "verdict"],
            [[t["target"], t["figure"], "met" if t["met"] else "**not met**"] for t in result["targets"]],
        ),
        "",
    ]


def _md_peer(result: Result) -> list[str]:
    versus = result.get("versus_peer")
    if not versus:
        return []
    return [
        "## vs snappass",
        "",
        (
            f"{versus['peer']} and {versus.get('ours', '`ots serve`')}, {versus['workers']} workers each, each on"
            " its own redis-server,"
            f" in the same run ({versus['generated']}; load average {versus['load_average']}). wrk with 2 threads,"
            f" {versus['seconds_per_run']:g} s a run; each route runs against us and then against snappass."
            " Only successful answers count. Create: our `POST /api/v1/share` against snappass's `POST /`"
            " (`password`, `ttl=day`, `Accept: application/json`), 100-byte secrets; reveal: our `POST"
            " /api/v1/secret/<key>` against snappass's `POST /<token>` (its HTML page with the secret), each"
            " secret once; home page: `GET /`; reveal page: our `GET /secret/<key>` against snappass's"
            " `GET /<token>`. The two pages are judged against snappass's `GET /`, as the issue asks."
            " Raw figures (CPU per request included) under `versus_peer` in latest.json."
        ),
        "",
        _md_table(PEER_HEADER, peer_rows(result)),
        "",
        (
            "Server CPU per request (all processes of each server), microseconds, beside the bare-Litestar"
            " ceiling's `GET /ping` measured in the same run (bench/ceiling_app.py, served as `ots serve` is):"
        ),
        "",
        _md_table(["route", "conns", "ours", "ceiling", "ours / ceiling", "snappass"], peer_cpu_rows(result)),
        "",
    ]


def _md_requests(result: Result) -> list[str]:
    out = [
        "## Requests",
        "",
        (
            "`of ceiling` is the share of the bare Litestar endpoint (`GET /ping` of bench/ceiling_app.py,"
            " served with the same uvicorn settings) at the same workers and connections. `errors` counts"
            " non-2xx answers (every v1 error is HTTP 404), socket errors and timeouts; `*` marks a run that"
            " ran out of pre-created keys. `server CPU us/req` is the CPU time (all threads of all workers)"
            " the server spent per answered request: it moves far less than req/s when other work shares"
            " the machine."
        ),
        "",
        _md_table(HEADER, run_rows(result)),
        "",
    ]
    out += [f"Note: {note}." for note in result.get("notes", [])]
    bench_rows = [
        [b["test"], f"{b['rps']:.0f}", str(b["p50_ms"]), str(b["p99_ms"])] for b in result.get("redis_benchmark", [])
    ]
    out += ["", "Redis ceiling (`redis-benchmark`, 50 clients, 100-byte values):", ""]
    out += [_md_table(["test", "req/s", "p50 ms", "p99 ms"], bench_rows), ""]
    return out


def _md_durability(result: Result) -> list[str]:
    runs = {run["fsync"]: run for run in result.get("durability", [])}
    if set(runs) != {"everysec", "always"}:
        return []
    rows = [[policy, f"{run['rps']:.0f}", _ms(run["p50_ms"]), _ms(run["p99_ms"])] for policy, run in runs.items()]
    cost = 1 - runs["always"]["rps"] / runs["everysec"]["rps"] if runs["everysec"]["rps"] else 0.0
    return [
        "## Durability (OTS_FSYNC)",
        "",
        (
            "Creates at 16 connections, one worker, with the embedded Redis (append-only file on this machine's"
            " disk): `everysec` syncs the file once a second, `always` before Redis answers each write."
            f" Here `always` changed create throughput by {-cost:+.0%}."
        ),
        "",
        _md_table(["OTS_FSYNC", "creates/s", "p50 ms", "p99 ms"], rows),
        "",
    ]


def _md_memory(result: Result) -> list[str]:
    memory_rows = [
        [
            f"{x['value_bytes']:,} B",
            "yes" if x["passphrase"] else "no",
            str(x["bytes_per_secret"]),
            ", ".join(f"{k} {s}" for k, s in x["by_key"].items()),
        ]
        for x in result.get("memory", [])
    ]
    out = [
        "## Memory",
        "",
        (
            "Redis bytes per stored secret: `MEMORY USAGE` summed over every key a secret writes (average of"
            " 200 secrets with an anonymous owner, so no recent-list entry)."
        ),
        "",
        _md_table(["value", "passphrase", "bytes/secret", "by key"], memory_rows),
    ]
    rss = result.get("rss")
    if rss:
        out += [
            "",
            (
                f"Server RSS ({rss['workers']} workers): {rss['worker_rss_after_warmup_mib']} MiB per worker after"
                f" warm-up, {rss['worker_rss_after_mib']} MiB after {rss['secrets_created_over_http']:,} secrets"
                f" created over HTTP (redis-server then: {rss['redis_used_memory_mib']} MiB used,"
                f" {rss['redis_rss_mib']} MiB RSS)."
            ),
        ]
    scaling_rows = [
        [
            f"{t['secrets_stored']:,}",
            t["preload"],
            f"{t['preload_seconds']} s",
            f"{t['used_memory_mib']} MiB",
            str(t["bytes_per_secret"]),
            f"{t['create_rps']:.0f}",
            str(t["create_p99_ms"]),
            str(t["errors"]),
        ]
        for t in result.get("scaling", [])
    ]
    out += [
        "",
        "## Scaling (2 workers, create at 64 connections)",
        "",
        _md_table(
            [
                "stored secrets",
                "preloaded by",
                "preload time",
                "Redis used_memory",
                "bytes/secret",
                "create req/s",
                "create p99 ms",
                "errors",
            ],
            scaling_rows,
        ),
        "",
        (
            "`bytes/secret` here is the growth of Redis `used_memory` divided by the secrets stored: it includes"
            " the keyspace and expiry tables that MEMORY USAGE leaves out."
        ),
        "",
    ]
    return out


def _md_mixed(result: Result) -> list[str]:
    if not result.get("mixed"):
        return []
    rows = [
        [
            x["attack"],
            f"{x['attack_result']['rps']:.0f}",
            str(x["attack_result"]["error_kinds"].get("status", 0)),
            f"{x['victim']['rps']:.0f}",
            str(x["victim"]["p50_ms"]),
            str(x["victim"]["p99_ms"]),
            str(x["baseline_p99_ms"]),
        ]
        for x in result["mixed"]
    ]
    header = [
        "attack: 16 connections of wrong passphrases",
        "attack req/s",
        "attack 404s",
        "reveals req/s (16 conns)",
        "reveal p50 ms",
        "reveal p99 ms",
        "reveal p99 without attack",
    ]
    return ["## Reveals under a wrong-passphrase attack (2 workers)", "", _md_table(header, rows), ""]


def markdown(result: Result) -> str:
    """Return BENCHMARKS.md: verdicts, machine, versions, command, figures, then bench/NOTES.md."""
    out = [
        *_md_head(result),
        *_md_peer(result),
        *_md_requests(result),
        *_md_durability(result),
        *_md_memory(result),
        *_md_mixed(result),
    ]
    if NOTES.exists():
        out += [NOTES.read_text().strip(), ""]
    return "\n".join(out)


if __name__ == "__main__":
    data = json.loads((REPO / "bench" / "results" / "latest.json").read_text())
    (REPO / "BENCHMARKS.md").write_text(markdown(data))
    print(text_table(data))
