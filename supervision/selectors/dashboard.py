"""The team dashboard: per-collector figures for a period, aggregated in SQL grouped
by collector (a fixed number of queries whatever the team size or period), cached
per scope and warmed ahead of time."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calls.models import CallLog, CallReview
from cases.models import Loan, Payment, PromiseToPay, RepaymentPlan, Team
from compliance.models import ContactAttempt
from core.replica import replica_reads
from core.roles import Role

from ..models import PaymentCredit
from .calls import AUTO_FLAGGED, DISCLOSED_FIRST, _prefixed, day_start
from .closures import Closures, closures_in_period
from .rolls import roll_rates
from .scope import User, collectors_for_user, is_admin, teams_for_user

ZERO = Decimal("0")

# A payment counts for the collector who last called the customer within this many
# days before it ("last touch").
ATTRIBUTION_DAYS = 30
# Payments not yet credited (supervision.services.payment_credits_take) are looked up
# live, at most this many (a bound on the page's cost): beyond it the credit task is
# far behind, and the amounts collected are short until it catches up.
MAX_LIVE_CREDITS = 5000
# Plans that were agreed at some point (approved, running or finished since).
AGREED_PLAN_STATUSES = (
    RepaymentPlan.Status.APPROVED,
    RepaymentPlan.Status.ACTIVE,
    RepaymentPlan.Status.COMPLETED,
    RepaymentPlan.Status.BROKEN,
)


@dataclass
class Period:
    start: dt.date
    end: dt.date  # inclusive

    @property
    def since(self) -> dt.datetime:
        return day_start(self.start)

    @property
    def until(self) -> dt.datetime:
        return day_start(self.end + dt.timedelta(days=1))

    @classmethod
    def last_days(cls, days: int, today: dt.date | None = None) -> Period:
        today = today or timezone.localdate()
        return cls(start=today - dt.timedelta(days=days - 1), end=today)

    @classmethod
    def chosen(
        cls, start: dt.date | None, end: dt.date | None, today: dt.date | None = None
    ) -> Period | None:
        """The period a start and/or an end give (an end alone: the 30 days to it;
        a start alone: to today), or None when neither is given."""
        if not (start or end):
            return None
        end = end or today or timezone.localdate()
        return cls(start=start or end - dt.timedelta(days=29), end=end)

    def problems(self) -> dict[str, str]:
        """What is wrong with the period, by the field to blame: the page and the
        API hold a start alone to the same rules as a start and an end."""
        if self.end < self.start:
            return {"end": _("The end is before the start.")}
        if (self.end - self.start).days > 366:
            return {"start": _("A period is at most a year.")}
        return {}


@dataclass
class CollectorRow:
    collector_id: int
    username: str
    name: str
    attempts: int = 0
    right_party_contacts: int = 0
    promises: int = 0
    promises_kept: int = 0
    promises_broken: int = 0
    collected: Decimal = ZERO
    plans_agreed: int = 0
    talk_seconds: int = 0
    talked_calls: int = 0
    reviews: int = 0
    score_total: int = 0
    blocks: int = 0
    flagged: int = 0

    @property
    def kept_rate(self) -> float | None:
        resolved = self.promises_kept + self.promises_broken
        return round(100 * self.promises_kept / resolved, 1) if resolved else None

    @property
    def average_handling_seconds(self) -> int | None:
        if not self.talked_calls:
            return None
        return round(self.talk_seconds / self.talked_calls)

    @property
    def qa_score(self) -> float | None:
        return round(self.score_total / self.reviews, 1) if self.reviews else None

    def as_dict(self) -> dict:
        return {
            "collector": self.username,
            "name": self.name,
            "attempts": self.attempts,
            "right_party_contacts": self.right_party_contacts,
            "promises": self.promises,
            "promises_kept": self.promises_kept,
            "promises_broken": self.promises_broken,
            "promise_kept_rate": self.kept_rate,
            "amount_collected": self.collected,
            "plans_agreed": self.plans_agreed,
            "average_handling_seconds": self.average_handling_seconds,
            "reviews": self.reviews,
            "qa_score": self.qa_score,
            "compliance_blocks": self.blocks,
            "flagged_calls": self.flagged,
        }


@dataclass
class Dashboard:
    period: Period
    team: Team | None
    rows: list[CollectorRow]
    total: CollectorRow
    blocks_by_reason: dict[str, int] = field(default_factory=dict)
    roll_rates: dict = field(default_factory=dict)
    closures: Closures = field(default_factory=Closures)
    computed_at: dt.datetime = field(default_factory=timezone.now)


def _sum_rows(rows: list[CollectorRow]) -> CollectorRow:
    total = CollectorRow(collector_id=0, username="", name="")
    for row in rows:
        for name in (
            "attempts",
            "right_party_contacts",
            "promises",
            "promises_kept",
            "promises_broken",
            "collected",
            "plans_agreed",
            "talk_seconds",
            "talked_calls",
            "reviews",
            "score_total",
            "blocks",
            "flagged",
        ):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return total


def dashboard_cache_seconds() -> int:
    return int(getattr(settings, "SUPERVISION_DASHBOARD_CACHE_SECONDS", 120))


def _scope_key(user) -> str:
    if is_admin(user):
        return "all"
    return ".".join(str(t.pk) for t in teams_for_user(user=user)) or "none"


def _dashboard_key(user, period: Period, team: Team | None) -> str:
    return (
        f"supervision:dashboard:v2:{_scope_key(user)}:{team.pk if team else '-'}:"
        f"{period.start.isoformat()}:{period.end.isoformat()}"
    )


def team_dashboard_cached(
    *, user, period: Period, team: Team | None = None
) -> Dashboard:
    """team_dashboard, kept for SUPERVISION_DASHBOARD_CACHE_SECONDS (default 120)
    per scope (the teams the user supervises), team and period: every supervisor of
    a team shares one computation, and figures are at most that old (the page says
    when they were computed). 0 turns the cache off. `dashboards_warm` computes the
    standard periods ahead of time, so opening the page does not wait for them."""
    seconds = dashboard_cache_seconds()
    if seconds <= 0:
        with replica_reads():
            return team_dashboard(user=user, period=period, team=team)
    key = _dashboard_key(user, period, team)
    board = cache.get(key)
    if board is None:
        # Figures may lag by the cache's lifetime already: the replica will do.
        with replica_reads():
            board = team_dashboard(user=user, period=period, team=team)
        cache.set(key, board, seconds)
    return board


# The periods the dashboard offers (PeriodForm's choices), computed ahead of time.
STANDARD_PERIOD_DAYS = (7, 30, 90)


def dashboards_warm(*, interval: int, today: dt.date | None = None) -> int:
    """Compute every supervisor scope's dashboards for the standard periods (all
    their teams and each team) and cache them for `interval` seconds beyond the
    cache's own lifetime, so a job running every `interval` seconds keeps them
    always fresh. Custom date ranges are computed when asked. Returns how many."""
    seconds = dashboard_cache_seconds()
    if seconds <= 0:
        return 0
    supervisors = User.objects.filter(
        groups__name=Role.SUPERVISOR, is_active=True
    ).distinct()
    scopes: set[str] = set()
    warmed = 0
    for user in supervisors:
        scope = _scope_key(user)
        if scope in scopes or scope == "none":
            continue
        scopes.add(scope)
        teams = teams_for_user(user=user)
        for days in STANDARD_PERIOD_DAYS:
            period = Period.last_days(days, today=today)
            boards = {None: team_dashboard(user=user, period=period)}
            for team in teams:
                # A supervisor of one team: "all my teams" is that team, computed once.
                boards[team] = (
                    dataclasses.replace(boards[None], team=team)
                    if len(teams) == 1
                    else team_dashboard(user=user, period=period, team=team)
                )
            for team, board in boards.items():
                cache.set(_dashboard_key(user, period, team), board, seconds + interval)
                warmed += 1
    return warmed


def team_dashboard(*, user, period: Period, team: Team | None = None) -> Dashboard:
    """Per collector and for the team, in `period`: attempts (calls made), right-party
    contacts, promises taken and how many were kept, amount collected (payments on
    customers the collector last called within ATTRIBUTION_DAYS before paying), plans
    agreed, average handling time (talk time of connected calls), QA score (mean
    review score of their calls), compliance blocks by reason, flagged calls; and the
    portfolio's roll rates and cure rate.

    Everything is aggregated in SQL, grouped by collector: eight queries whatever the
    team size or period length.
    """
    collectors = collectors_for_user(user=user, team=team)
    ids = [c.pk for c in collectors]
    rows = {
        c.pk: CollectorRow(
            collector_id=c.pk,
            username=c.username,
            name=c.get_full_name() or c.username,
        )
        for c in collectors
    }
    since, until = period.since, period.until

    calls = CallLog.objects.filter(
        collector_id__in=ids, started_at__gte=since, started_at__lt=until
    )
    for r in (
        calls.values("collector_id")
        .annotate(
            attempts=Count("id"),
            rpc=Count("id", filter=Q(right_party_contact=True)),
            talk=Sum("duration_seconds", filter=Q(duration_seconds__gt=0)),
            talked=Count("id", filter=Q(duration_seconds__gt=0)),
            flagged=Count("id", filter=AUTO_FLAGGED),
        )
        .order_by()
    ):
        row = rows[r["collector_id"]]
        row.attempts, row.right_party_contacts = r["attempts"], r["rpc"]
        row.talk_seconds, row.talked_calls = r["talk"] or 0, r["talked"]
        row.flagged = r["flagged"]

    for r in (
        PromiseToPay.objects.filter(
            created_by_id__in=ids, made_at__gte=since, made_at__lt=until
        )
        .values("created_by_id")
        .annotate(
            n=Count("id"),
            kept=Count("id", filter=Q(status=PromiseToPay.Status.KEPT)),
            broken=Count("id", filter=Q(status=PromiseToPay.Status.BROKEN)),
        )
        .order_by()
    ):
        row = rows[r["created_by_id"]]
        row.promises, row.promises_kept, row.promises_broken = (
            r["n"],
            r["kept"],
            r["broken"],
        )

    for r in (
        RepaymentPlan.objects.filter(
            proposed_by_id__in=ids,
            created_at__gte=since,
            created_at__lt=until,
            status__in=AGREED_PLAN_STATUSES,
        )
        .values("proposed_by_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        rows[r["proposed_by_id"]].plans_agreed = r["n"]

    for r in (
        CallReview.objects.filter(
            call__collector_id__in=ids,
            call__started_at__gte=since,
            call__started_at__lt=until,
        )
        .values("call__collector_id")
        .annotate(
            n=Count("id"),
            total=Sum("score"),
            # Calls flagged only by a review's violation (the calls query counted
            # the automatic flags): read here, not as a subquery per call there.
            violations=Count(
                "call_id",
                distinct=True,
                filter=Q(violation=True)
                & ~Q(call__notes_flagged=True)
                & ~_prefixed(DISCLOSED_FIRST, "call__"),
            ),
        )
        .order_by()
    ):
        row = rows[r["call__collector_id"]]
        row.reviews, row.score_total = r["n"], r["total"] or 0
        row.flagged += r["violations"]

    _collected(rows, ids=ids, since=since, until=until)
    blocks_by_reason = _blocks(rows, ids=ids, since=since, until=until)
    ordered = [rows[c.pk] for c in collectors]
    return Dashboard(
        period=period,
        team=team,
        rows=ordered,
        total=_sum_rows(ordered),
        blocks_by_reason=dict(blocks_by_reason.most_common()),
        roll_rates=roll_rates(user=user, period=period),
        closures=closures_in_period(user=user, since=since, until=until),
    )


def payments_with_caller(*, since, until, collector_ids=None) -> QuerySet[Payment]:
    """Payments received in [since, until) annotated with `caller`: the collector who
    last called the customer in the ATTRIBUTION_DAYS before the payment (or None).
    With `collector_ids`, only payments of customers those collectors called."""
    last_caller = (
        CallLog.objects.filter(
            case__customer__loans=OuterRef("loan_id"),
            started_at__lte=OuterRef("received_at"),
            started_at__gte=ExpressionWrapper(
                OuterRef("received_at")
                - Value(dt.timedelta(days=ATTRIBUTION_DAYS), DurationField()),
                output_field=CallLog._meta.get_field("started_at"),
            ),
            collector__isnull=False,
        )
        .order_by("-started_at")
        .values("collector_id")[:1]
    )
    payments = Payment.objects.filter(received_at__gte=since, received_at__lt=until)
    if collector_ids is not None:
        # Only customers the team called can be credited: reading payments through
        # their loans walks payment_loan_time_idx, not every payment in the period.
        called = (
            CallLog.objects.filter(
                collector_id__in=collector_ids,
                started_at__gte=since - dt.timedelta(days=ATTRIBUTION_DAYS),
                started_at__lt=until,
            )
            .order_by()
            .values("case__customer_id")
        )
        payments = payments.filter(
            loan_id__in=Loan.objects.filter(customer_id__in=called).values("pk")
        )
    return payments.annotate(caller=Subquery(last_caller))


def _collected(rows, *, ids, since, until) -> None:
    """Payments in the period, each credited to the collector who last called the
    customer in the ATTRIBUTION_DAYS before it. Two queries: the credits already
    taken (supervision.services.payment_credits_take, an indexed sum), and the
    payments not credited yet (at most MAX_LIVE_CREDITS of them), looked up call by
    call."""
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    credited = (
        PaymentCredit.objects.filter(
            collector_id__in=ids, received_at__gte=since, received_at__lt=until
        )
        .values("collector_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for r in credited:
        totals[r["collector_id"]] += Decimal(str(r["total"] or 0))
    # Payments not credited yet: found first (an anti-join), so the call lookup
    # runs only for them (a filter on the lookup would run it for every payment).
    uncredited = list(
        Payment.objects.filter(received_at__gte=since, received_at__lt=until)
        .filter(~Exists(PaymentCredit.objects.filter(payment_id=OuterRef("pk"))))
        .values_list("pk", flat=True)[:MAX_LIVE_CREDITS]
    )
    if uncredited:
        pending = (
            payments_with_caller(since=since, until=until, collector_ids=ids)
            .filter(pk__in=uncredited, caller__in=ids)
            .values("caller")
            .annotate(total=Sum("amount"))
            .order_by()
        )
        for r in pending:
            totals[r["caller"]] += Decimal(str(r["total"] or 0))
    for collector_id, total in totals.items():
        rows[collector_id].collected = total.quantize(Decimal("0.01"))


def _blocks(rows, *, ids, since, until) -> Counter:
    """Contact attempts the gate blocked for the team's collectors, counted per
    collector and per reason code. The reasons are a JSON list on the decision, so
    they are counted here from one query's rows (a blocked attempt may have several
    reasons; each counts once)."""
    by_reason: Counter = Counter()
    blocked = ContactAttempt.objects.filter(
        actor_id__in=ids, allowed=False, at__gte=since, at__lt=until
    ).values_list("actor_id", "decision__reasons")
    for actor_id, reasons in blocked:
        rows[actor_id].blocks += 1
        codes = {r.get("code") for r in (reasons or []) if isinstance(r, dict)}
        for code in codes or {"unknown"}:
            by_reason[code] += 1
    return by_reason
