"""The demo's cases at varied points of their escalation ladder (issue 17: `make run`
shows call tasks, letters and work items at start-up).

A fresh demo has no past sweeps, so every case would stand before the first rung and
the start-up sweep would send reminder SMS only. Here each open case is given a
standing rung, drawn among those its days past due had reached before today, and
the rungs up to it are done by the real sweep at the time each came due (the first
at 1 DPD, 10:00 in the customer's zone; "N days after the previous" from there; a
DPD rung on the day the case reached it): the gate at that time, its ledger rows,
the outbox dispatched then (SMS and email to the journey's recording backend,
letters drawn to PDF and cut into that day's print batch), call tasks done by a
logged call. The rung after a case's standing rung is then due when `make run`
sweeps: an email, a call task in a collector's queue, a formal notice letter, a
supervisor review. What the gate blocked at the time stays blocked, deferred or
skipped, as the sweep left it.

Work-item rungs (supervisor review, legal referral) are never part of the history:
their items wait for a person, and the start-up sweep creates them.

Runs inside `time_machine.travel` (a development dependency, installed by `make
run`), so every row, PDF and history entry carries the time it happened. Draws from
its own random generator: the rest of the seed is unchanged.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.test import override_settings

from calls.models import CallLog, CallTask
from calls.services.call_logs import call_record
from cases.models import Case, ContactPoint, EscalationPolicy, EscalationStep
from core.errors import ApplicationError
from escalation.sweep import WORK_ITEM_ACTIONS, escalation_rung_run
from messaging.services import letters as letter_services
from messaging.services import outbox

from .data import DemoRun
from .journey.simulation import recording_senders
from .work import collector_for

Trigger = EscalationStep.Trigger
LOCAL_TIME = dt.time(10, 0)
# The chance a case stands on the last rung it had reached, else the one before
# (whose next rung is then due at start-up), else earlier.
TOP, BELOW = 0.45, 0.4


def _due_dates(steps: list[EscalationStep], dpd: int, today: dt.date) -> list:
    """When each rung came due for a case `dpd` days past due today, had the ladder
    run every day (None from the first rung not reached)."""
    dates: list[dt.date | None] = []
    previous: dt.date | None = None
    for index, step in enumerate(steps):
        if step.trigger == Trigger.DPD:
            due = today - dt.timedelta(days=dpd - step.trigger_days)
            if dpd < step.trigger_days:
                due = None
            elif previous is not None:
                due = max(due, previous)
        else:
            due = previous + dt.timedelta(days=step.trigger_days) if index else None
        if due is None:
            break
        dates.append(due)
        previous = due
    return dates


def _standing_rung(rng: random.Random, reached: int) -> int:
    """How many rungs the case has done: the last reached, the one before, or fewer."""
    if reached == 0:
        return 0
    roll = rng.random()
    if roll < TOP:
        return reached
    if roll < TOP + BELOW or reached == 1:
        return reached - 1
    return rng.randint(0, reached - 2)


def _plan(run: DemoRun, rng: random.Random, steps, open_cases: list[Case]) -> list:
    """The history's rung events: (time, order, step index, case ids)."""
    groups: dict[tuple[dt.datetime, int], list[int]] = {}
    for case in open_cases:
        dates = _due_dates(steps, case.max_days_past_due, run.today)
        reached = 0
        for step, due in zip(steps, dates, strict=False):
            if due >= run.today or step.action in WORK_ITEM_ACTIONS:
                break
            reached += 1
        zone = ZoneInfo(case.customer.time_zone or "Asia/Shanghai")
        for index in range(_standing_rung(rng, reached)):
            at = dt.datetime.combine(dates[index], LOCAL_TIME, tzinfo=zone)
            groups.setdefault((at, index), []).append(case.pk)
    return [(at, 0, index, ids) for (at, index), ids in groups.items()]


def seed_ladder_history(run: DemoRun, open_cases: list[Case], *, seed: int) -> None:
    import time_machine

    rng = random.Random(seed + 7)
    policy = EscalationPolicy.objects.get(is_default=True, status="active")
    steps = sorted(policy.steps.all(), key=lambda s: s.order)
    events = _plan(run, rng, steps, open_cases)
    heapq.heapify(events)
    cases = {case.pk: case for case in open_cases}
    counts = {"rungs done": 0, "history messages": 0, "history calls": 0}
    outbox._channel_sender.cache_clear()
    try:
        with (
            override_settings(OUTBOX_CHANNEL_SENDERS=recording_senders()),
            time_machine.travel(run.now, tick=False) as clock,
        ):
            while events:
                at, kind, index, payload = heapq.heappop(events)
                if at > run.now:
                    # Not history yet: a call task that comes due later today stays
                    # open in the queue (just after midnight, every one of the
                    # day's calls would otherwise be logged hours ahead).
                    break
                clock.move_to(at)
                if kind == 0:
                    _rung(steps[index], payload, at, events, counts)
                elif kind == 1:
                    _call(run, rng, cases[payload], at, counts)
                else:
                    letter_services.print_batch_cut(now=at)
            clock.move_to(run.now)
    finally:
        outbox._channel_sender.cache_clear()
    run.counts.update(counts)


def _rung(step, case_ids: list[int], at, events: list, counts: dict) -> None:
    report = escalation_rung_run(step=step, case_ids=case_ids, at=at)
    counts["rungs done"] += report.created
    counts["history messages"] += outbox.outbox_dispatch_many(now=at).claimed
    if step.action == EscalationStep.Action.LETTER:
        # The day's print batch, cut in the afternoon.
        heapq.heappush(events, (at + dt.timedelta(hours=6), 2, 0, 0))
    if step.action == EscalationStep.Action.CALL_TASK:
        # A collector calls when the task comes due (the gate may have put it later).
        for task in CallTask.objects.filter(
            case_id__in=case_ids, step=step, status=CallTask.Status.OPEN
        ):
            when = max(task.due_at, at) + dt.timedelta(minutes=40)
            heapq.heappush(events, (when, 1, 0, task.case_id))


def _call(run: DemoRun, rng: random.Random, case: Case, at, counts: dict) -> None:
    """The rung's call, logged: no answer, or a short conversation."""
    point = (
        ContactPoint.objects.filter(
            Q(invalid_at__isnull=True) | Q(invalid_at__gt=at),
            customer_id=case.customer_id,
            channel=ContactPoint.Channel.PHONE,
            relationship=ContactPoint.Relationship.SELF,
        )
        .order_by("-is_primary", "pk")
        .first()
    )
    if point is None:
        return
    talked = rng.random() < 0.4
    outcome = CallLog.Outcome.OTHER if talked else CallLog.Outcome.NO_ANSWER
    try:
        call_record(
            user=collector_for(run, case),
            case=case,
            contact_point=point,
            outcome=outcome,
            identity_confirmed=talked,
            disclosure_made=talked,
            started_at=at,
            ended_at=at + dt.timedelta(seconds=rng.randint(120, 400) if talked else 30),
            notes="客户表示近期资金紧张，会尽快安排还款。" if talked else "",
        )
    except ApplicationError:
        return  # the gate refused it then (a hold, a cap): the task waits
    counts["history calls"] += 1
