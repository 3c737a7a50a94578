"""Reads for supervisors: the team's call records, the approvals waiting for them and
the team dashboard. Scope is always "the teams this user supervises" (admins: all);
anything outside it answers 404. Each read runs a fixed number of queries, whatever
the period or team size (DESIGN.md section 9: bounded queries, no N+1)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from calls.models import CallLog, CallReview
from cases.models import (
    Case,
    Loan,
    Payment,
    PromiseToPay,
    RepaymentPlan,
    Team,
    WorkQueue,
)
from cases.selectors import case_list_for_user
from compliance.models import ContactAttempt, ContactRestriction
from core.roles import Role, user_roles

from .models import Approval, BucketSnapshot, FollowUp, PaymentCredit

ZERO = Decimal("0")
User = get_user_model()

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


# A payment counts for the collector who last called the customer within this many
# days before it ("last touch").
ATTRIBUTION_DAYS = 30
# Payments not yet credited (supervision.services.payment_credits_take) are looked up
# live, at most this many (a bound on the page's cost): beyond it the credit task is
# far behind, and the amounts collected are short until it catches up.
MAX_LIVE_CREDITS = 5000
# The weekly QA sample: this many unreviewed calls per collector per week.
QA_SAMPLE_SIZE = 3
# Plans that were agreed at some point (approved, running or finished since).
AGREED_PLAN_STATUSES = (
    RepaymentPlan.Status.APPROVED,
    RepaymentPlan.Status.ACTIVE,
    RepaymentPlan.Status.COMPLETED,
    RepaymentPlan.Status.BROKEN,
)


# --------------------------------------------------------------------------------------
# Scope
# --------------------------------------------------------------------------------------


def is_admin(user) -> bool:
    return Role.ADMIN in user_roles(user)


def teams_for_user(*, user) -> list[Team]:
    teams = Team.objects.order_by("name")
    if not is_admin(user):
        teams = teams.filter(supervisors=user)
    return list(teams)


def team_get_for_user(*, user, team_id) -> Team:
    """A team the user supervises (admins: any), else 404."""
    try:
        team_id = int(team_id)
    except (TypeError, ValueError):
        raise Http404("No such team.") from None
    for team in teams_for_user(user=user):
        if team.pk == team_id:
            return team
    raise Http404("No such team.")


def collectors_for_user(*, user, team: Team | None = None) -> list:
    """The collectors of the user's teams (or of `team`), by name, one query."""
    users = User.objects.filter(groups__name=Role.COLLECTOR)
    if team is not None:
        users = users.filter(teams=team)
    elif not is_admin(user):
        users = users.filter(teams__supervisors=user)
    return list(users.distinct().order_by("username"))


# Reassignment: the one rule set for which targets a user may move cases to, read by
# supervision.services.cases_reassign (and by the page, to offer them).


def reassign_queues_for_user(*, user) -> QuerySet[WorkQueue]:
    """The queues the user may move cases into: those of the teams they supervise
    (admins: any queue), by priority."""
    queues = WorkQueue.objects.select_related("team").order_by("priority", "code")
    if not is_admin(user):
        queues = queues.filter(team__supervisors=user).distinct()
    return queues


def reassign_collector_for_user(*, user, username: str):
    """The collector named `username` if the user may assign cases to them (one of
    their teams' collectors; admins: any collector), else None."""
    users = User.objects.filter(groups__name=Role.COLLECTOR, username=username)
    if not is_admin(user):
        users = users.filter(teams__supervisors=user)
    return users.distinct().first()


def reassign_cases_for_user(
    *, user, references: Iterable[str]
) -> tuple[list[Case], list[str]]:
    """The cases among `references` the user may see, and the references of the
    others (unknown or not visible: they answer alike), sorted."""
    references = set(references)
    cases = list(case_list_for_user(user=user).filter(reference__in=references))
    missing = sorted(references - {c.reference for c in cases})
    return cases, missing


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


# --------------------------------------------------------------------------------------
# Call records
# --------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------
# Approvals
# --------------------------------------------------------------------------------------


def plans_for_supervisor(*, user, status: str | None = None) -> QuerySet[RepaymentPlan]:
    visible = case_list_for_user(user=user).order_by().values("pk")
    plans = RepaymentPlan.objects.filter(case_id__in=visible).select_related(
        "case__customer", "proposed_by", "decided_by"
    )
    if status:
        plans = plans.filter(status=status)
    return plans.prefetch_related("instalments").order_by("created_at")


def plan_get_for_supervisor(*, user, reference: str) -> RepaymentPlan:
    plan = plans_for_supervisor(user=user).filter(reference=reference).first()
    if plan is None:
        raise Http404("No such plan.")
    return plan


def approvals_for_supervisor(*, user, status: str | None = None) -> QuerySet[Approval]:
    visible = case_list_for_user(user=user).order_by().values("pk")
    approvals = Approval.objects.filter(case_id__in=visible).select_related(
        "case", "restriction", "promise", "requested_by", "decided_by"
    )
    if status:
        approvals = approvals.filter(status=status)
    return approvals.order_by("requested_at")


def approval_get_for_supervisor(*, user, reference: str) -> Approval:
    approval = approvals_for_supervisor(user=user).filter(reference=reference).first()
    if approval is None:
        raise Http404("No such approval.")
    return approval


def decision_history(*, user, limit: int = 50) -> list[dict]:
    """Recent decisions on plans and approvals, newest first, from the history
    tables (who decided what, when and why). Two queries."""
    visible = case_list_for_user(user=user).order_by().values("pk")
    rows = []
    plan_history = (
        RepaymentPlan.history.filter(
            case_id__in=visible,
            status__in=[
                RepaymentPlan.Status.ACTIVE,
                RepaymentPlan.Status.APPROVED,
                RepaymentPlan.Status.REJECTED,
            ],
        )
        .filter(
            Q(history_change_reason__startswith="approved")
            | Q(history_change_reason__startswith="rejected")
        )
        .select_related("history_user")
        .order_by("-history_date")[:limit]
    )
    for h in plan_history:
        rows.append(
            {
                "what": "plan",
                "reference": h.reference,
                "status": h.status,
                "at": h.history_date,
                "by": h.history_user,
                "reason": h.history_change_reason,
            }
        )
    approval_history = (
        Approval.history.filter(case_id__in=visible)
        .exclude(status=Approval.Status.PENDING)
        .select_related("history_user")
        .order_by("-history_date")[:limit]
    )
    for h in approval_history:
        rows.append(
            {
                "what": h.kind,
                "reference": h.reference,
                "status": h.status,
                "at": h.history_date,
                "by": h.history_user,
                "reason": h.history_change_reason,
            }
        )
    rows.sort(key=lambda r: r["at"], reverse=True)
    return rows[:limit]


def follow_ups_for_user(*, user, status: str | None = None) -> QuerySet[FollowUp]:
    """Follow-ups a user may see: their own as a collector, their teams' as a
    supervisor, all as an admin."""
    follow_ups = FollowUp.objects.select_related("collector", "call", "created_by")
    if not is_admin(user):
        scope = Q(collector=user)
        if Role.SUPERVISOR in user_roles(user):
            scope |= Q(collector__in=collectors_for_user(user=user))
        follow_ups = follow_ups.filter(scope)
    if status:
        follow_ups = follow_ups.filter(status=status)
    return follow_ups.order_by("status", "due_date")


# --------------------------------------------------------------------------------------
# The team dashboard
# --------------------------------------------------------------------------------------


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
        f"supervision:dashboard:v1:{_scope_key(user)}:{team.pk if team else '-'}:"
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
        return team_dashboard(user=user, period=period, team=team)
    key = _dashboard_key(user, period, team)
    board = cache.get(key)
    if board is None:
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


# --------------------------------------------------------------------------------------
# Roll rates and cure rate, from the daily bucket snapshots
# --------------------------------------------------------------------------------------

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


def restriction_for_case(*, case: Case, restriction_id) -> ContactRestriction:
    restriction = ContactRestriction.objects.filter(
        pk=restriction_id, customer_id=case.customer_id
    ).first()
    if restriction is None:
        raise Http404("No such restriction on this case.")
    return restriction


def supervisor_work(*, user) -> dict:
    """What waits for the supervisor: the counts on their home page (four queries)."""
    flagged = call_list_for_supervisor(
        user=user, filters=CallFilters(flagged=True, unreviewed=True)
    )
    return {
        "plans": plans_for_supervisor(user=user, status="proposed").count(),
        "requests": approvals_for_supervisor(user=user, status="pending").count(),
        "flagged_unreviewed": flagged.count(),
        "open_follow_ups": follow_ups_for_user(
            user=user, status=FollowUp.Status.OPEN
        ).count(),
    }
