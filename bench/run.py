"""The benchmark suite: every benchmark at one scale, several runs each, the median,
p95 and spread of each figure, and a row per headline figure in bench/results.md.

    make bench          # the reference scale (1,000,000 loans, 10,000,000 ledger rows)
    make bench-smoke    # scale 0.001, two runs: proves every benchmark still runs
    .venv/bin/python -m bench.run --scale 0.1 --runs 3 --only sweep,workspace

Each benchmark gets a database of its own, `<base>_<name>`, copied from a migrated
template `<base>` (BENCH_DATABASE_URL, default collections_bench on the local
PostgreSQL), so one benchmark's rows never skew another's and no benchmark touches
the database the app or the tests use. The first run of a benchmark builds its data
(its build time is reported but not summarised); the later runs reuse it and only
measure. A benchmark that fails, or a correctness check that does not hold (a
re-run that creates something, a double claim, a duplicate message, a simulation
that wrote rows), fails the suite: `make bench-smoke` runs in .ci/run for that.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.portfolio import BENCH_PII_ENV
from core import scratch_db

ROOT = Path(__file__).resolve().parent.parent
RESULTS_MD = ROOT / "bench" / "results.md"
DEFAULT_BASE = "postgres://postgres@127.0.0.1:5432/collections_bench"
# DESIGN.md section 9: the reference portfolio.
REFERENCE_LOANS = 1_000_000
REFERENCE_ATTEMPTS = 10_000_000
REFERENCE_CALLS = 1_000_000


@dataclass
class Benchmark:
    name: str
    module: str
    measures: str
    # (scale, first run?) -> the module's command-line arguments
    args: callable
    # (metric, unit): the figures summarised and written to results.md
    headline: list[tuple[str, str]]
    # metric -> the value it must have in every run (correctness, not speed)
    checks: dict = field(default_factory=dict)
    # the module needs the reference portfolio (bench.portfolio) built first
    portfolio: bool = False


def _n(reference: int, scale: float, least: int = 1) -> int:
    return max(least, round(reference * scale))


def _small(scale: float) -> bool:
    return scale < 0.05


BENCHMARKS = [
    Benchmark(
        "sweep",
        "bench.sweep_bench",
        "escalation sweep against its floors, re-run, outbox dispatch",
        lambda s, first: [
            f"--loans={_n(REFERENCE_LOANS, s, 10)}",
            f"--attempts={_n(REFERENCE_ATTEMPTS, s)}",
            f"--dispatch={_n(20_000, s, 50)}",
            "--dispatch-workers=2",
            *([] if first else ["--reuse"]),
        ],
        [
            ("sweep_seconds", "s"),
            ("sweep_ratio_to_floor", "x"),
            ("peak_rss_mb", "MB"),
            ("rerun_seconds", "s"),
            ("dispatch_per_second", "msg/s"),
            ("dispatch_worker_cpu_ms_per_message", "ms"),
        ],
        checks={"rerun_created": 0, "dispatch_duplicates": 0},
    ),
    Benchmark(
        "fanout",
        "bench.fanout_bench",
        "the scheduled sweep as batch tasks shared by 1 and by 2 worker processes",
        lambda s, first: [
            f"--loans={_n(REFERENCE_LOANS, s, 10)}",
            f"--attempts={_n(REFERENCE_ATTEMPTS, s)}",
            f"--batch-size={_n(5_000, s, 100)}",
            *([] if first else ["--reuse"]),
        ],
        [
            ("fanout_1_workers_seconds", "s"),
            ("fanout_2_workers_seconds", "s"),
            ("fanout_speedup", "x"),
        ],
    ),
    Benchmark(
        "gate",
        "bench.compliance_bench",
        "compliance gate: single check latency, batch decisions per second",
        lambda s, first: [
            f"--ledger-rows={_n(REFERENCE_ATTEMPTS, s, 100)}",
            f"--customers={_n(REFERENCE_LOANS // 2, s, 10)}",
            f"--samples={200 if _small(s) else 2_000}",
            f"--batch={_n(50_000, s, 500)}",
        ],
        [
            ("check_p50_ms", "ms"),
            ("check_p95_ms", "ms"),
            ("batch_decisions_per_second", "/s"),
        ],
    ),
    Benchmark(
        "workspace",
        "bench.workspace_bench",
        "collector queue and case pages, 'Next case' by concurrent collectors",
        lambda s, first: [
            f"--samples={20 if _small(s) else 100}",
            f"--collectors={4 if _small(s) else 50}",
            f"--rounds={2 if _small(s) else 5}",
            f"--think={0.05 if _small(s) else 1.0}",
            *([] if first else ["--skip-prepare"]),
        ],
        [
            ("queue_p95_ms", "ms"),
            ("case_p95_ms", "ms"),
            ("claim_p95_ms", "ms"),
        ],
        checks={"claim_duplicates": 0},
        portfolio=True,
    ),
    Benchmark(
        "dashboard",
        "bench.dashboard_bench",
        "supervisor dashboard and team report API, cold and cached",
        lambda s, first: [
            f"--calls={_n(REFERENCE_CALLS, s, 100)}",
            f"--samples={3 if _small(s) else 20}",
            *([] if first else ["--skip-prepare"]),
        ],
        [
            ("cold_page_30d_p95_ms", "ms"),
            ("cached_page_30d_p95_ms", "ms"),
            ("cold_api_30d_p95_ms", "ms"),
        ],
        portfolio=True,
    ),
    Benchmark(
        "simulation",
        "bench.simulation_bench",
        "policy simulation of a draft ladder over the portfolio, writing nothing",
        lambda s, first: [
            f"--loans={_n(REFERENCE_LOANS, s, 10)}",
            f"--attempts={_n(REFERENCE_ATTEMPTS, s)}",
            *([] if first else ["--reuse"]),
        ],
        [
            ("simulate_draft_seconds", "s"),
            ("compare_with_live_seconds", "s"),
        ],
        checks={"rows_unchanged": True},
    ),
    Benchmark(
        "journey",
        "bench.journey_bench",
        "journey simulation: the real system day by day, invariants checked daily",
        lambda s, first: [
            f"--days={_n(365, s, 3)}",
            f"--customers={_n(5_000, s, 15)}",
            f"--presses={_n(24, s, 4)}",
        ],
        [
            ("journey_seconds", "s"),
            ("journey_day_seconds", "s"),
        ],
        checks={"journey_violations": 0, "journey_exit": 0},
    ),
    Benchmark(
        "import",
        "bench.import_bench",
        "portfolio file import through the COPY path",
        lambda s, first: [f"--loans={_n(REFERENCE_LOANS, s, 10)}"],
        [
            ("import_seconds", "s"),
            ("import_rows_per_second", "rows/s"),
            ("import_peak_rss_mb", "MB"),
        ],
        checks={"import_status": "completed"},
    ),
]


# -- databases (core.scratch_db, shared with `manage.py simulate_journey`) ------

_admin = scratch_db.admin_cursor


def template_ready(base: str) -> None:
    """The template database exists and is migrated (a no-op migrate takes ~1 s)."""
    scratch_db.template_ready(base, env=_env(base))


def database_fresh(base: str, bench: str) -> str:
    """A copy of the template for one benchmark (a file copy: milliseconds for an
    empty schema)."""
    return scratch_db.database_fresh(base, bench)


# -- the machine -----------------------------------------------------------------


def _git_commit() -> str:
    def git(*args):
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + ("-dirty" if git("status", "--porcelain", "--untracked=no") else "")


def _memory_gb() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GB"
    except OSError:
        pass
    return "?"


PG_SETTINGS = (
    "shared_buffers",
    "work_mem",
    "maintenance_work_mem",
    "effective_cache_size",
    "max_wal_size",
    "synchronous_commit",
    "max_parallel_workers_per_gather",
)


def machine(base: str) -> dict:
    with _admin(base) as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0].split()[0]
        values = []
        for name in PG_SETTINGS:
            cursor.execute(f"SHOW {name}")
            values.append(f"{name}={cursor.fetchone()[0]}")
    return {
        "date": dt.date.today().isoformat(),
        "commit": _git_commit(),
        "cores": str(os.cpu_count()),
        "memory": _memory_gb(),
        "postgresql": version,
        "settings": " ".join(values),
        "load": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


# -- running ---------------------------------------------------------------------


def _env(url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "collections_app.settings",
        # Production settings in-process through Django's test client.
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",
        "PYTHONUNBUFFERED": "1",
        # One keyring for every process of the run (bench.portfolio).
        **{k: os.environ.get(k) or v for k, v in BENCH_PII_ENV.items()},
    }


def _run(url: str, module: str, args: list[str], log) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        path = Path(out.name)
    try:
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", module, *args, f"--json={path}"],
            cwd=ROOT,
            env=_env(url),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        if done.returncode:
            raise BenchmarkFailed(f"{module} exited with {done.returncode}")
        results = json.loads(path.read_text())
        results["wall_seconds"] = round(time.perf_counter() - started, 2)
        return results
    finally:
        path.unlink(missing_ok=True)


class BenchmarkFailed(Exception):
    pass


def _portfolio(url: str, scale: float, log) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.portfolio",
            f"--loans={_n(REFERENCE_LOANS, scale, 10)}",
            f"--attempts={_n(REFERENCE_ATTEMPTS, scale)}",
        ],
        cwd=ROOT,
        env=_env(url),
        stdout=log,
        stderr=subprocess.STDOUT,
        check=True,
    )


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * 0.95) - 1)]


@dataclass
class Figure:
    benchmark: str
    metric: str
    unit: str
    values: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def p95(self) -> float:
        return p95(self.values)

    @property
    def spread(self) -> str:
        return f"{_fmt(min(self.values))}-{_fmt(max(self.values))}"


def _fmt(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def run_benchmark(bench: Benchmark, base: str, scale: float, runs: int, log):
    """Run one benchmark `runs` times; return its figures and any failed check."""
    url = database_fresh(base, bench.name)
    if bench.portfolio:
        _portfolio(url, scale, log)
    rows = []
    for n in range(runs):
        rows.append(_run(url, bench.module, bench.args(scale, n == 0), log))
    failures = [
        f"{bench.name}: {metric} is {row.get(metric)!r} in run {n + 1}, "
        f"expected {expected!r}"
        for n, row in enumerate(rows)
        for metric, expected in bench.checks.items()
        if row.get(metric) != expected
    ]
    figures = []
    for metric, unit in bench.headline:
        values = [
            row[metric] for row in rows if isinstance(row.get(metric), int | float)
        ]
        if values:
            figures.append(Figure(bench.name, metric, unit, values))
    return figures, failures


def results_append(path: Path, info: dict, scale: float, figures: list[Figure]):
    header = (
        "| date | commit | scale | cores | memory | load | PostgreSQL | settings | "
        "benchmark | figure | median | p95 | spread | runs |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            "# Benchmark results\n\nOne row per headline figure per run of "
            "`bench/run.py` (`make bench`), newest last. Median and p95 are over "
            "the runs; the spread is the lowest and highest run; the load is the "
            "machine's 1, 5 and 15-minute load average when the suite started.\n\n"
            + header
        )
    with path.open("a") as handle:
        for f in figures:
            handle.write(
                f"| {info['date']} | {info['commit']} | {scale:g} | {info['cores']} "
                f"| {info['memory']} | {info['load']} | {info['postgresql']} "
                f"| {info['settings']} "
                f"| {f.benchmark} | {f.metric} ({f.unit}) | {_fmt(f.median)} "
                f"| {_fmt(f.p95)} | {f.spread} | {len(f.values)} |\n"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--only", help="comma-separated names: " + ",".join(b.name for b in BENCHMARKS)
    )
    parser.add_argument("--results", type=Path, default=RESULTS_MD)
    parser.add_argument(
        "--log", type=Path, help="the benchmarks' own output (default: stdout)"
    )
    args = parser.parse_args(argv)
    base = os.environ.get("BENCH_DATABASE_URL", DEFAULT_BASE)
    if not base.startswith(("postgres://", "postgresql://")):
        parser.error("BENCH_DATABASE_URL must name a PostgreSQL database")
    chosen = BENCHMARKS
    if args.only:
        names = args.only.split(",")
        unknown = set(names) - {b.name for b in BENCHMARKS}
        if unknown:
            parser.error(f"--only: no benchmark named {', '.join(sorted(unknown))}")
        chosen = [b for b in BENCHMARKS if b.name in names]

    log = args.log.open("a") if args.log else sys.stdout
    started = time.perf_counter()
    template_ready(base)
    info = machine(base)
    print(
        f"scale {args.scale:g}, {args.runs} runs; {info['cores']} cores, "
        f"{info['memory']}, PostgreSQL {info['postgresql']}, commit {info['commit']}, "
        f"load {info['load']}",
        flush=True,
    )
    figures, failures = [], []
    for bench in chosen:
        print(f"== {bench.name}: {bench.measures}", flush=True)
        bench_started = time.perf_counter()
        try:
            got, failed = run_benchmark(bench, base, args.scale, args.runs, log)
        except (BenchmarkFailed, subprocess.CalledProcessError) as error:
            failures.append(f"{bench.name}: {error}")
            if args.log:  # the failure's own words, for a CI log
                log.flush()
                tail = args.log.read_text(errors="replace").splitlines()[-40:]
                print("\n".join(tail), file=sys.stderr)
            continue
        failures += failed
        figures += got
        for f in got:
            print(
                f"   {f.metric:<28} median {_fmt(f.median):>10} {f.unit:<6} "
                f"p95 {_fmt(f.p95):>10}  spread {f.spread}",
                flush=True,
            )
        print(f"   ({time.perf_counter() - bench_started:.1f} s)", flush=True)
    if figures:
        results_append(args.results, info, args.scale, figures)
        print(f"appended {len(figures)} rows to {args.results}")
    print(f"suite: {time.perf_counter() - started:.1f} s")
    for failure in failures:
        print(f"FAILED {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
