"""What must hold every simulated day (docs/escalation.md, "Journey simulation").

Two kinds of check. At hand-out (`handout_violations`), for each case "Next case"
gives a simulated collector: its next action time has come, and no arrangement in
good standing holds it. At the end of each day (`day_violations`), set-based over the
day's rows: the ladder left no due case behind and no case stalled on a rung it
cannot use; everything sent or called has an allowing decision in the ledger; no
message reached the backend twice; every deferral that came due was decided again;
every open work item can be completed by someone.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q

from calls.models import CallLog, CallTask
from calls.services.claims import (
    OPEN_TASK,
    claimable_task_sources,
    due_now,
    user_queue_ids,
)
from cases.models import (
    Case,
    EscalationPolicy,
    EscalationStep,
    PromiseToPay,
    RepaymentPlan,
)
from cases.services.next_call import arrangement_hold_until
from compliance.models import ContactAttempt
from compliance.services import ContactProposal, contact_evaluate_many
from escalation.models import WorkItem
from escalation.sweep import UNUSABLE_CODES, due_cases
from escalation.work_items import work_item_can_complete
from messaging.models import OutboundMessage

from .recorder import Delivered

OnUnusable = EscalationStep.OnUnusable


@dataclass(frozen=True)
class Violation:
    invariant: str
    detail: str

    def __str__(self) -> str:
        return f"{self.invariant}: {self.detail}"


INVARIANTS = {
    "ladder_stall": "no case stalls on a rung (due and not moved, or blocked on an "
    "unusable channel day after day)",
    "send_without_decision": "nothing is sent or called without an allowing decision",
    "call_in_arrangement": "no collection call to a case in an arrangement in good "
    "standing",
    "handout_early": "no case handed out before its next action time",
    "collector_idle": 'no collector gets nothing from "Next case" while a case in '
    "their queues may be called",
    "work_item_orphan": "every open work item can be completed by some user",
    "sent_twice": "no message sent twice",
    "deferral_undecided": "every deferral is followed by a decision",
}


def arrangement_holding(case_id: int, at: dt.datetime) -> str:
    """The arrangement in good standing that holds the case at `at`, or ''."""
    promise = (
        PromiseToPay.objects.filter(
            case_id=case_id, status=PromiseToPay.Status.PENDING, made_at__lte=at
        )
        .order_by("due_date")
        .first()
    )
    if promise is not None and at < arrangement_hold_until(promise.due_date):
        return f"promise {promise.pk} due {promise.due_date}"
    plan = RepaymentPlan.objects.filter(
        case_id=case_id, status=RepaymentPlan.Status.ACTIVE
    ).first()
    if plan is not None:
        unpaid = (
            plan.instalments.filter(paid_amount__lt=F("amount"))
            .order_by("due_date")
            .first()
        )
        if unpaid is not None and at < arrangement_hold_until(unpaid.due_date):
            return f"plan {plan.reference} next due {unpaid.due_date}"
    return ""


def handout_violations(task: CallTask, *, now: dt.datetime) -> list[Violation]:
    """A case "Next case" just handed out: its time had come, nothing holds it."""
    found = []
    case = Case.objects.get(pk=task.case_id)
    if case.next_call_at is not None and case.next_call_at > now:
        found.append(
            Violation(
                "handout_early",
                f"case {case.reference} handed out at {now:%Y-%m-%d %H:%M} before "
                f"its next action time {case.next_call_at:%Y-%m-%d %H:%M} "
                f"({case.next_call_reason})",
            )
        )
    holding = arrangement_holding(case.pk, now)
    if holding:
        found.append(
            Violation(
                "call_in_arrangement",
                f"case {case.reference} handed out at {now:%Y-%m-%d %H:%M} while "
                f"{holding} holds it",
            )
        )
    return found


# How many waiting cases the idle check asks the gate about, per source.
IDLE_CHECK_LIMIT = 5000


def idle_violations(collector, *, now: dt.datetime) -> list[Violation]:
    """ "Next case" gave `collector` nothing twice running (each press tries up to
    ten cases and writes back the blocks it meets): then no case waiting in their
    queues may be called now. Asks the gate, in one batch, about every case a press
    could reach: the due tasks of their queues and the due cases with no task."""
    queue_ids = user_queue_ids(user=collector)
    case_ids: set[int] = set()
    for source in claimable_task_sources(user=collector, queue_ids=queue_ids, now=now):
        case_ids.update(source.values_list("case_id", flat=True)[:IDLE_CHECK_LIMIT])
    busy = CallTask.objects.filter(status__in=OPEN_TASK).values("case_id")
    case_ids.update(
        Case.objects.open()
        .filter(queue_id__in=queue_ids)
        .filter(due_now(now))
        .exclude(pk__in=busy)
        .values_list("pk", flat=True)[:IDLE_CHECK_LIMIT]
    )
    if not case_ids:
        return []
    cases = list(
        Case.objects.filter(pk__in=case_ids).select_related("customer").order_by("pk")
    )
    decisions = contact_evaluate_many(
        [
            ContactProposal(customer=c.customer, channel="call", case=c, at=now)
            for c in cases
        ],
        at=now,
    )
    callable_now = [
        c.reference for c, d in zip(cases, decisions, strict=True) if d.allowed
    ]
    if not callable_now:
        return []
    return [
        Violation(
            "collector_idle",
            f"{collector.username} got nothing from Next case at "
            f"{now:%Y-%m-%d %H:%M} while {len(callable_now)} case(s) in their queues "
            f"could be called, e.g. {', '.join(callable_now[:5])}",
        )
    ]


def _sent_without_decision(start, end) -> list[Violation]:
    found = []
    allowed = Q(contact_attempt__allowed=True, contact_attempt__decision__allowed=True)
    bad = (
        OutboundMessage.objects.filter(sent_at__gte=start, sent_at__lt=end)
        .exclude(channel=OutboundMessage.Channel.WEBHOOK)
        .exclude(allowed & Q(contact_attempt__decision__proposed_at__lte=end))
    )
    for pk, key in bad.values_list("pk", "idempotency_key")[:20]:
        found.append(
            Violation(
                "send_without_decision",
                f"message {pk} ({key}) sent with no allowing decision",
            )
        )
    calls = CallLog.objects.filter(started_at__gte=start, started_at__lt=end).exclude(
        Q(contact_attempt__allowed=True, contact_attempt__decision__allowed=True)
    )
    for reference, case in calls.values_list("reference", "case__reference")[:20]:
        found.append(
            Violation(
                "send_without_decision",
                f"call {reference} on case {case} with no allowing decision",
            )
        )
    return found


def _calls_in_arrangement(start, end) -> list[Violation]:
    found = []
    calls = CallLog.objects.filter(
        started_at__gte=start,
        started_at__lt=end,
        contact_attempt__purpose="collection",
    ).values_list("reference", "case_id", "case__reference", "started_at")
    for reference, case_id, case_ref, started in calls:
        holding = arrangement_holding(case_id, started)
        if holding:
            found.append(
                Violation(
                    "call_in_arrangement",
                    f"call {reference} on case {case_ref} at {started:%Y-%m-%d %H:%M}"
                    f" while {holding} holds it",
                )
            )
    return found


def _sent_twice(delivered: list[Delivered]) -> list[Violation]:
    twice = Counter(d.key for d in delivered)
    by_message = Counter(d.message_id for d in delivered)
    found = [
        Violation("sent_twice", f"message key {key} reached the backend {n} times")
        for key, n in twice.items()
        if n > 1
    ]
    found += [
        Violation("sent_twice", f"message {pk} reached the backend {n} times")
        for pk, n in by_message.items()
        if n > 1 and not found
    ]
    return found


def _ladder(sweep_at: dt.datetime, day_start) -> list[Violation]:
    """After the day's last sweep at `sweep_at`, nothing is still due on any rung
    (the sweep moved, skipped or deferred every due case: a deferral that came due
    was decided again); and no case wrote a blocked decision on an unusable channel
    of the same rung on two days (the stall of issue 17) where its rung skips."""
    found = []
    policies = EscalationPolicy.objects.filter(
        status=EscalationPolicy.Status.ACTIVE
    ).prefetch_related("steps")
    for policy in policies:
        steps = sorted(policy.steps.all(), key=lambda s: s.order)
        for index, step in enumerate(steps):
            previous = steps[index - 1] if index else None
            left = list(
                due_cases(policy=policy, step=step, previous=previous, at=sweep_at)
                # One rung per case per run, highest first: a case this sweep moved
                # is taken on by the next one (five minutes later in production).
                .exclude(stage_at__gte=sweep_at)
                .order_by("pk")
                .values_list("reference", flat=True)[:10]
            )
            if left:
                found.append(
                    Violation(
                        "deferral_undecided",
                        f"{len(left)}+ case(s) still due on rung {step.order} "
                        f"({step.name}) after the sweep at {sweep_at:%Y-%m-%d %H:%M}:"
                        f" {', '.join(left)}",
                    )
                )
    # The stall signature: blocked sweep decisions whose every reason says the
    # channel is unusable, for the same case and channel, on more than one day.
    rows = ContactAttempt.objects.filter(
        source="sweep",
        allowed=False,
        at__gte=day_start - dt.timedelta(days=1),
        at__lt=sweep_at + dt.timedelta(seconds=1),
        case__status=Case.Status.OPEN,
    ).values_list("case_id", "channel", "at", "decision__reasons")
    days: dict[tuple[int, str], set] = {}
    for case_id, channel, at, reasons in rows:
        codes = {r.get("code") for r in reasons or []}
        if codes and codes <= UNUSABLE_CODES:  # not skipped: no rung_skipped
            days.setdefault((case_id, channel), set()).add(at.date())
    waits = {
        s.pk
        for p in policies
        for s in p.steps.all()
        if s.on_unusable == OnUnusable.WAIT
    }
    for (case_id, channel), seen in days.items():
        if len(seen) < 2:
            continue
        case = Case.objects.get(pk=case_id)
        if case.stage_id in waits:
            continue
        found.append(
            Violation(
                "ladder_stall",
                f"case {case.reference} blocked on {channel} (unusable) on "
                f"{len(seen)} days without its rung being skipped",
            )
        )
    return found


def _outbox_deferrals(dispatched_at: dt.datetime) -> list[Violation]:
    """After the dispatcher ran dry at `dispatched_at`, no message due by then is
    still waiting (letters wait for their producer: not a deferral)."""
    left = OutboundMessage.objects.filter(
        status__in=[OutboundMessage.Status.PENDING, OutboundMessage.Status.FAILED],
        send_after__lte=dispatched_at,
    ).exclude(channel=OutboundMessage.Channel.LETTER)
    n = left.count()
    if not n:
        return []
    return [
        Violation(
            "deferral_undecided",
            f"{n} message(s) due by {dispatched_at:%Y-%m-%d %H:%M} still waiting "
            f"after dispatch",
        )
    ]


def _work_items() -> list[Violation]:
    """Every open work item has a user who may complete it. The rule depends on the
    item's team only (work_item_can_complete), so one item per team is asked."""
    open_items = WorkItem.objects.filter(
        state__in=[WorkItem.State.OPEN, WorkItem.State.IN_PROGRESS]
    )
    teams = open_items.values("team_id").annotate(n=Count("pk"))
    users = list(
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__name__in=["supervisor", "admin"]) | Q(is_superuser=True))
        .distinct()
    )
    found = []
    for row in teams:
        item = open_items.filter(team_id=row["team_id"]).select_related("team").first()
        if not any(work_item_can_complete(user=u, item=item) for u in users):
            found.append(
                Violation(
                    "work_item_orphan",
                    f"{row['n']} open work item(s) of team {row['team_id']} (e.g. "
                    f"{item.kind} on case {item.case_id}) nobody can complete",
                )
            )
    return found


def day_violations(
    *,
    start: dt.datetime,
    end: dt.datetime,
    sweep_at: dt.datetime,
    dispatched_at: dt.datetime,
    delivered: list[Delivered],
) -> list[Violation]:
    """Every end-of-day check over the day [start, end)."""
    return [
        *_ladder(sweep_at, start),
        *_outbox_deferrals(dispatched_at),
        *_sent_without_decision(start, end),
        *_calls_in_arrangement(start, end),
        *_sent_twice(delivered),
        *_work_items(),
    ]
