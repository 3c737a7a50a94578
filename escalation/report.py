"""What a sweep (or its dry run) did: counts per step, per outcome and per blocking
reason. A batch process sends its part back as plain values (`counts`)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field


@dataclass
class SweepReport:
    at: dt.datetime
    dry_run: bool
    # step label -> counts of created / preferred / substituted / skipped / deferred /
    # blocked / no_template
    steps: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    reasons: Counter = field(default_factory=Counter)
    # step label -> blocking reason counts, and -> (order, action) for comparisons
    step_reasons: dict[str, Counter] = field(
        default_factory=lambda: defaultdict(Counter)
    )
    step_meta: dict[str, tuple[int, str]] = field(default_factory=dict)
    # Cases that passed a rung they could not use: the sweep takes them on to the
    # next rung in the same run (docs/decisions.md, record 40).
    skipped_ids: list[int] = field(default_factory=list)

    @property
    def created(self) -> int:
        return sum(c["created"] for c in self.steps.values())

    def counts(self) -> tuple:
        """The counts, as plain picklable values (a batch process sends them back)."""
        return (
            {label: Counter(c) for label, c in self.steps.items()},
            {label: Counter(c) for label, c in self.step_reasons.items()},
            Counter(self.reasons),
            list(self.skipped_ids),
        )

    def merge_counts(self, counts: tuple) -> None:
        """Add `counts` (another part of this run's `counts()`)."""
        steps, step_reasons, reasons, skipped_ids = counts
        for label, c in steps.items():
            self.steps[label].update(c)
        for label, c in step_reasons.items():
            self.step_reasons[label].update(c)
        self.reasons.update(reasons)
        self.skipped_ids.extend(skipped_ids)

    def as_dict(self) -> dict:
        return {
            "at": self.at.isoformat(),
            "dry_run": self.dry_run,
            "created": self.created,
            "steps": {label: dict(c) for label, c in self.steps.items()},
            "blocked_by_reason": dict(self.reasons),
        }
