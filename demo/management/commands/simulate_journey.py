"""Run the case journey, day by day, on a throwaway database, and check that it holds.

    manage.py simulate_journey --days 120 --customers 300 --seed 1 [--quiet] [--json F]

The real escalation sweep, outbox dispatch (to a recording backend), promise and plan
refresh, "Next case" claims and call logging, with simulated debtors (some pay,
promise and keep or break, dispute, opt out, never answer, change number) and
collectors, on a moving clock. Every day it checks the invariants of
docs/escalation.md ("Journey simulation") and stops with exit status 1, printing the
violations, when one fails.

The database is a copy of a migrated template on the server of DATABASE_URL
(PostgreSQL: `<database>_journey_template`, copied to `..._j<pid>`; SQLite: a file
next to the database), dropped afterwards unless --keep. The database the app uses
is never touched. Needs time-machine (a development dependency; docs/decisions.md,
record 49).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from core import scratch_db


def _current_url() -> str:
    db = settings.DATABASES["default"]
    if "sqlite" in db["ENGINE"]:
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}{port}/{db['NAME']}"


def default_template(url: str) -> str:
    if scratch_db.is_postgres(url):
        return scratch_db.with_db(url, f"{scratch_db.db_name(url)}_journey_template")
    path = scratch_db.sqlite_path(url)
    return f"sqlite:///{path.with_name(path.stem + '_journey_template.sqlite3')}"


class Command(BaseCommand):
    help = __doc__.split("\n\n")[0]

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=120)
        parser.add_argument("--customers", type=int, default=300)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--start", default="2026-01-05", help="the first simulated day (ISO date)"
        )
        parser.add_argument(
            "--presses",
            type=int,
            help='"Next case" presses a day over all collectors (default: one per '
            "ten customers, at least 12, at most 24)",
        )
        parser.add_argument(
            "--template",
            help="URL of the migrated template database (default: next to "
            "DATABASE_URL's, migrated when needed)",
        )
        parser.add_argument(
            "--template-migrated",
            action="store_true",
            help="the template is migrated already: do not run migrate on it (the "
            "benchmark suite's copies are)",
        )
        parser.add_argument("--keep", action="store_true", help="keep the database")
        parser.add_argument("--quiet", action="store_true", help="the summary only")
        parser.add_argument("--json", type=Path, help="write the summary here as JSON")

    def handle(self, *args, **options):
        try:
            import time_machine  # noqa: F401
        except ImportError:
            raise CommandError(
                "simulate_journey moves the clock with time-machine, a development "
                "dependency: install the dev extras (make install)."
            ) from None
        from demo.journey import INVARIANTS, JourneyConfig, journey_run

        if options["days"] < 1 or options["customers"] < 1:
            raise CommandError("--days and --customers must be at least 1.")
        try:
            start = dt.date.fromisoformat(options["start"])
        except ValueError:
            raise CommandError(f"--start {options['start']!r} is not a date.") from None
        config = JourneyConfig(
            days=options["days"],
            customers=options["customers"],
            seed=options["seed"],
            start=start,
            presses=options["presses"],
        )
        quiet = options["quiet"]
        template = options["template"] or default_template(_current_url())
        if not options["template_migrated"]:
            if not quiet:
                self.stdout.write(f"Template {_safe(template)}: migrating if needed")
            scratch_db.template_ready(template)
        url = scratch_db.database_fresh(template, f"j{os.getpid()}")
        if not quiet:
            self.stdout.write(f"Simulating on {_safe(url)}")
        saved = dict(settings.DATABASES["default"])
        self._use(url)
        if options["verbosity"] < 2:
            # The services' own info logs (a line per sweep and refresh) would bury
            # the day lines.
            logging.disable(logging.INFO)
        try:
            result = journey_run(
                config, on_day=None if quiet else (lambda d: self._day(d))
            )
        finally:
            logging.disable(logging.NOTSET)
            self._use(None, saved)
            if options["keep"]:
                self.stdout.write(f"Kept {_safe(url)}")
            else:
                scratch_db.database_drop(url)
        summary = result.summary()
        self._summary(summary)
        if options["json"]:
            options["json"].write_text(
                json.dumps(
                    {
                        **summary,
                        "violation_list": [str(v) for v in result.violations],
                        "per_day": [
                            {
                                **d.__dict__,
                                "date": str(d.date),
                                "collected": str(d.collected),
                            }
                            for d in result.days
                        ],
                    },
                    indent=2,
                    default=str,
                )
            )
        if result.violations:
            for v in result.violations:
                self.stderr.write(f"VIOLATION {v}  [{INVARIANTS[v.invariant]}]")
            raise CommandError(
                f"{len(result.violations)} invariant violation(s) on day "
                f"{result.days[-1].day + 1}."
            )

    def _use(self, url: str | None, saved: dict | None = None) -> None:
        """Point the default connection at `url` (or back at `saved`)."""
        connection = connections["default"]
        connection.close()
        target = settings.DATABASES["default"]
        if saved is not None:
            target.clear()
            target.update(saved)
        elif scratch_db.is_postgres(url):
            target["NAME"] = scratch_db.db_name(url)
        else:
            target["NAME"] = str(scratch_db.sqlite_path(url))
        connection.settings_dict = target

    def _day(self, d) -> None:
        rungs = " ".join(f"r{k}:{v}" for k, v in d.open_by_rung.items())
        buckets = " ".join(f"{k or 'current'}:{v}" for k, v in d.open_by_bucket.items())
        contacts = " ".join(f"{k}:{v}" for k, v in d.contacts.items())
        blocks = " ".join(f"{k}:{v}" for k, v in list(d.blocks.items())[:5])
        self.stdout.write(
            f"day {d.day + 1:>3} {d.date}  open {sum(d.open_by_rung.values())} "
            f"[{rungs}] [{buckets}]  contacts [{contacts}]  blocks [{blocks}]  "
            f"promises +{d.promises_made} kept {d.promises_kept} broken "
            f"{d.promises_broken}  collected {d.collected:,.2f}  closed {d.closed}"
            + (f"  VIOLATIONS {len(d.violations)}" if d.violations else "")
        )

    def _summary(self, s: dict) -> None:
        rows = [
            ("days simulated", s["days"]),
            ("customers", s["customers"]),
            ("seed", s["seed"]),
            ("debtors by behaviour", _pairs(s["behaviours"])),
            ("contacts", _pairs(s["contacts"])),
            ("blocks by reason (top)", _pairs(s["blocks"])),
            ("promises made / kept / broken",
             f"{s['promises_made']} / {s['promises_kept']} / {s['promises_broken']}"),
            ("collected", f"{float(s['collected']):,.2f}"),
            ("cases closed", s["cases_closed"]),
            ("open cases at the end", s["open_cases_end"]),
            ("open by rung at the end", _pairs(s["open_by_rung_end"])),
            ("open by bucket at the end", _pairs(s["open_by_bucket_end"])),
            ("violations", s["violations"]),
            ("seconds", s["seconds"]),
        ]  # fmt: skip
        width = max(len(k) for k, _ in rows)
        self.stdout.write("-" * (width + 40))
        for key, value in rows:
            self.stdout.write(f"{key:<{width}}  {value}")


def _pairs(mapping: dict) -> str:
    return ", ".join(f"{k or '-'} {v}" for k, v in mapping.items()) or "-"


def _safe(url: str) -> str:
    """The URL without a password."""
    if "@" in url and ":" in url.split("@")[0].split("//")[-1]:
        scheme, rest = url.split("//", 1)
        auth, host = rest.split("@", 1)
        return f"{scheme}//{auth.split(':')[0]}:***@{host}"
    return url
