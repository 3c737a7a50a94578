"""Call records for supervisors: the team's calls with their flags and scores, one
call, its reviews and follow-ups, and the weekly QA sample."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.http import Http404
from django.utils import timezone

from calls.models import CallLog, CallReview
from cases.models import Team
from cases.selectors import case_list_for_user

from ..models import FollowUp
from .scope import collectors_for_user, is_admin

# Automatic flags (issue 6): notes the content lint objected to, and a reported
# disclosure before identity confirmation (CONC 7.9.10R, CN.DISCL). A review that
# found a violation flags the call too.
DISCLOSED_FIRST = Q(disclosed_at__isnull=False) & (
    Q(identity_confirmed_at__isnull=True)
    | Q(disclosed_at__lt=F("identity_confirmed_at"))
)
AUTO_FLAGGED = Q(notes_flagged=True) | DISCLOSED_FIRST


def _prefixed(q: Q, prefix: str) -> Q:
    """`q` with every lookup (and F reference) moved behind a relation `prefix`."""
    children = []
    for child in q.children:
        if isinstance(child, Q):
            children.append(_prefixed(child, prefix))
        else:
            lookup, value = child
            if isinstance(value, F):
                value = F(prefix + value.name)
            children.append((prefix + lookup, value))
    clone = Q(*children, _connector=q.connector, _negated=q.negated)
    return clone


# The weekly QA sample: this many unreviewed calls per collector per week.
QA_SAMPLE_SIZE = 3


def _call_scope(*, user, collector_ids: list[int] | None = None) -> Q | None:
    """Calls a supervisor may see: made by a collector of their teams, or on a case
    they may see. None: everything (admins)."""
    if is_admin(user) and collector_ids is None:
        return None
    if collector_ids is None:
        collector_ids = [u.pk for u in collectors_for_user(user=user)]
    visible = case_list_for_user(user=user).order_by().values("pk")
    if is_admin(user):
        return Q(collector_id__in=collector_ids)
    return Q(collector_id__in=collector_ids) | Q(case_id__in=visible)


@dataclass
class CallFilters:
    collector: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    outcome: str = ""
    attitude: str = ""
    min_duration: int | None = None
    max_duration: int | None = None
    right_party: bool | None = None
    flagged: bool = False
    unreviewed: bool = False
    team: Team | None = None


def day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def call_list_for_supervisor(
    *, user, filters: CallFilters | None = None
) -> QuerySet[CallLog]:
    """The team's calls, newest first, filtered, with their flags and latest score
    annotated (one query for the page, whatever its length)."""
    filters = filters or CallFilters()
    collector_ids = None
    if filters.team is not None:
        collector_ids = [
            u.pk for u in collectors_for_user(user=user, team=filters.team)
        ]
    scope = _call_scope(user=user, collector_ids=collector_ids)
    calls = CallLog.objects.all()
    if scope is not None:
        calls = calls.filter(scope)
    reviews = CallReview.objects.filter(call=OuterRef("pk"))
    calls = calls.select_related(
        "case", "collector", "contact_point", "case__customer"
    ).annotate(
        reviewed=Exists(reviews),
        violation=Exists(reviews.filter(violation=True)),
        last_score=Subquery(reviews.order_by("-created_at").values("score")[:1]),
        disclosed_first=ExpressionWrapper(
            DISCLOSED_FIRST, output_field=CallLog._meta.get_field("notes_flagged")
        ),
    )
    f = filters
    if f.collector:
        calls = calls.filter(collector__username=f.collector)
    if f.date_from:
        calls = calls.filter(started_at__gte=day_start(f.date_from))
    if f.date_to:
        calls = calls.filter(started_at__lt=day_start(f.date_to + dt.timedelta(1)))
    if f.outcome:
        calls = calls.filter(outcome=f.outcome)
    if f.attitude:
        calls = calls.filter(attitude=f.attitude)
    if f.min_duration is not None:
        calls = calls.filter(duration_seconds__gte=f.min_duration)
    if f.max_duration is not None:
        calls = calls.filter(duration_seconds__lte=f.max_duration)
    if f.right_party is not None:
        calls = calls.filter(right_party_contact=f.right_party)
    if f.flagged:
        calls = calls.filter(AUTO_FLAGGED | Q(violation=True))
    if f.unreviewed:
        calls = calls.filter(reviewed=False)
    return calls.order_by("-started_at", "-pk")


def call_flags(call: CallLog) -> list[str]:
    """The flag codes of a call (annotated by call_list_for_supervisor, or read from
    the row): content_lint, disclosure_before_identity, violation."""
    flags = []
    if call.notes_flagged:
        flags.append("content_lint")
    disclosed_first = getattr(call, "disclosed_first", None)
    if disclosed_first is None:
        disclosed_first = call.disclosed_at is not None and (
            call.identity_confirmed_at is None
            or call.disclosed_at < call.identity_confirmed_at
        )
    if disclosed_first:
        flags.append("disclosure_before_identity")
    if getattr(call, "violation", False):
        flags.append("violation")
    return flags


def call_get_for_supervisor(*, user, reference: str) -> CallLog:
    """One call of the user's teams, annotated like the list; 404 otherwise."""
    call = call_list_for_supervisor(user=user).filter(reference=reference).first()
    if call is None:
        raise Http404("No such call.")
    return call


def call_reviews(*, call: CallLog) -> list[CallReview]:
    return list(call.reviews.select_related("reviewer").order_by("-created_at"))


def call_follow_ups(*, call: CallLog) -> list[FollowUp]:
    return list(call.follow_ups.select_related("created_by").order_by("-created_at"))


def _week_key(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def qa_sample(
    *, user, week_of: dt.date | None = None, size: int = QA_SAMPLE_SIZE
) -> list[CallLog]:
    """A random sample of the week's unreviewed calls, `size` per collector.

    The draw is a keyed hash of the call's reference and the ISO week, so the sample
    is stable within the week (the same calls stay in it until reviewed) and nobody
    can predict it from the call data alone. One query."""
    week_of = week_of or timezone.localdate()
    monday = week_of - dt.timedelta(days=week_of.weekday())
    filters = CallFilters(
        date_from=monday, date_to=monday + dt.timedelta(days=6), unreviewed=True
    )
    calls = list(
        call_list_for_supervisor(user=user, filters=filters).filter(
            collector__isnull=False
        )
    )
    week = _week_key(monday)
    secret = settings.SECRET_KEY.encode()

    def draw(call: CallLog) -> str:
        return hashlib.sha256(secret + f"{week}:{call.reference}".encode()).hexdigest()

    by_collector: dict[int, list[CallLog]] = defaultdict(list)
    for call in calls:
        by_collector[call.collector_id].append(call)
    sample = []
    for rows in by_collector.values():
        sample.extend(sorted(rows, key=draw)[:size])
    return sorted(sample, key=lambda c: (c.collector.username, c.started_at))
