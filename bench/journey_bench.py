"""Journey benchmark: `manage.py simulate_journey` over a portfolio for a number of
days, timed, and its invariants as the correctness check (any violation fails the
suite).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/collections_journeybench \\
        .venv/bin/python -m bench.journey_bench --days 365 --customers 5000

The database in DATABASE_URL must be migrated and empty: it is the template the
command copies (bench/run.py gives each benchmark such a copy of its own), so every
run starts from the same empty schema and leaves it as it was.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--presses", type=int)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, required=True)
    args = parser.parse_args()
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        summary_path = Path(out.name)
    command = [
        sys.executable,
        "manage.py",
        "simulate_journey",
        f"--days={args.days}",
        f"--customers={args.customers}",
        f"--seed={args.seed}",
        f"--template={os.environ['DATABASE_URL']}",
        # bench/run.py's copy of its migrated template: no migrate on it again.
        "--template-migrated",
        f"--json={summary_path}",
        "--quiet",
        *([f"--presses={args.presses}"] if args.presses else []),
    ]
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 (our interpreter, our arguments)
        command, cwd=ROOT, env={**os.environ, "DEBUG": "1"}, check=False
    )
    seconds = time.perf_counter() - started
    try:
        summary = json.loads(summary_path.read_text() or "{}")
    except (OSError, json.JSONDecodeError):
        summary = {}
    finally:
        summary_path.unlink(missing_ok=True)
    results = {
        "journey_seconds": round(seconds, 2),
        "journey_day_seconds": round(seconds / max(1, summary.get("days", 1)), 3),
        "journey_days": summary.get("days", 0),
        "journey_exit": done.returncode,
        # The correctness check: none at all (a failed run has no summary: -1).
        "journey_violations": summary.get("violations", -1),
        "journey_contacts": sum(summary.get("contacts", {}).values()),
    }
    print(json.dumps(results))
    args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
