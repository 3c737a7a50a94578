"""Roll rates and cure rate, from the daily bucket snapshots."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, F, FilteredRelation, Q, Value
from django.db.models.functions import Coalesce

from cases.models import Case
from cases.selectors import case_list_for_user

from ..models import BucketSnapshot

if TYPE_CHECKING:
    from .dashboard import Period

BUCKET_ORDER = ["", *[label for _, _, label in settings.DPD_BUCKETS]]


def _snapshot_day(on_or_before: dt.date) -> dt.date | None:
    return (
        BucketSnapshot.objects.filter(day__lte=on_or_before)
        .order_by("-day")
        .values_list("day", flat=True)
        .first()
    )


def roll_rates(*, user, period: Period) -> dict:
    """How the user's open cases at the start of the period stood at its end: a
    bucket-to-bucket matrix of counts and rates (rolled forward = into a worse
    bucket), and the cure rate (overdue at the start, current or closed as
    paid/cured/settled at the end). Counted in SQL (one grouped query over the
    start snapshot joined to the end one), at most four queries; empty without two
    snapshots in or around the period."""
    start_day = _snapshot_day(period.start)
    if start_day is None:  # snapshots began inside the period: start with the first
        start_day = (
            BucketSnapshot.objects.filter(day__gte=period.start, day__lte=period.end)
            .order_by("day")
            .values_list("day", flat=True)
            .first()
        )
    end_day = _snapshot_day(period.end)
    if start_day is None or end_day is None or start_day >= end_day:
        return {}
    visible = case_list_for_user(user=user).order_by().values("pk")
    grouped = (
        BucketSnapshot.objects.filter(day=start_day, case_id__in=visible)
        # The end snapshot as a LEFT JOIN (a hash join over the day), not a
        # subquery per case.
        .annotate(
            at_end=FilteredRelation(
                "case__bucket_snapshots",
                condition=Q(case__bucket_snapshots__day=end_day),
            )
        )
        .annotate(
            # Not in the end snapshot: closed (or moved out of the user's teams).
            to=Coalesce(F("at_end__bucket"), Value("closed"))
        )
        .values("bucket", "to", "case__close_reason")
        .annotate(n=Count("id"))
        .order_by()
    )
    cured_reasons = {
        Case.CloseReason.PAID,
        Case.CloseReason.CURED,
        Case.CloseReason.SETTLED,
    }
    matrix: dict[str, Counter] = defaultdict(Counter)
    cured = overdue_at_start = 0
    for row in grouped:
        bucket, to, n = row["bucket"], row["to"], row["n"]
        matrix[bucket][to] += n
        if bucket:
            overdue_at_start += n
            if to == "" or (
                to == "closed" and row["case__close_reason"] in cured_reasons
            ):
                cured += n
    columns = [*BUCKET_ORDER, "closed"]
    table = []
    for bucket in BUCKET_ORDER:
        counts = matrix.get(bucket)
        if not counts:
            continue
        n = sum(counts.values())
        worse = sum(
            v
            for k, v in counts.items()
            if k in BUCKET_ORDER and BUCKET_ORDER.index(k) > BUCKET_ORDER.index(bucket)
        )
        table.append(
            {
                "bucket": bucket or "current",
                "cases": n,
                "to": {c or "current": counts.get(c, 0) for c in columns},
                "roll_forward_rate": round(100 * worse / n, 1),
            }
        )
    return {
        "start_day": start_day,
        "end_day": end_day,
        "columns": [c or "current" for c in columns],
        "rows": table,
        "cure_rate": round(100 * cured / overdue_at_start, 1)
        if overdue_at_start
        else None,
        "overdue_at_start": overdue_at_start,
        "cured": cured,
    }
