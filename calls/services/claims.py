"""Claiming work: "next case" takes the best call task the gate allows now (or gives
the best case with none a claimed task), and a collector can give a task back.

A claim is a conditional UPDATE (FOR UPDATE SKIP LOCKED on PostgreSQL), so fifty
collectors pressing "next" at once each get a different case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from cases.models import Case, EscalationStep, WorkQueue
from compliance.services import ContactProposal, contact_evaluate_many
from core.errors import ApplicationError
from core.history import history_note

from ..models import CallTask

# "Next case" asks the gate about this many of the best candidates in one batch (one
# query), then tries rows one at a time, at most CLAIM_ATTEMPTS of them.
CLAIM_PREVIEW = 20
CLAIM_ATTEMPTS = 40
OPEN_TASK = (CallTask.Status.OPEN, CallTask.Status.CLAIMED)
# Ad-hoc tasks "next case" creates for a case with none: one open at a time per case
# (the key is cleared when the task is done, see `call_logs._tasks_close`).
ADHOC_KEY = "next:{case_id}"


def claim_minutes() -> int:
    return int(getattr(settings, "CLAIM_MINUTES", 15))


def user_queue_ids(*, user) -> list[int]:
    """The active queues of the teams `user` works in."""
    return list(
        WorkQueue.objects.filter(team__members=user, is_active=True)
        .values_list("pk", flat=True)
        .distinct()
    )


def claimable_tasks(*, user, queue_ids: Iterable[int], now: dt.datetime) -> QuerySet:
    """Call tasks `user` may take now: due, unclaimed or with an expired claim, in one
    of their queues (or on a case assigned to them), on an open case. Supervisor
    reviews and legal referrals are tasks too, but not calls: they are left out."""
    queue_ids = list(queue_ids)
    mine = Q(case__assigned_to=user)
    if queue_ids:
        mine |= Q(queue_id__in=queue_ids) | Q(
            queue__isnull=True, case__queue_id__in=queue_ids
        )
    return (
        CallTask.objects.filter(
            mine,
            status__in=OPEN_TASK,
            due_at__lte=now,
            case__status=Case.Status.OPEN,
        )
        .filter(Q(claimed_by__isnull=True) | Q(claimed_until__lt=now))
        .filter(Q(step__isnull=True) | Q(step__action=EscalationStep.Action.CALL_TASK))
        .order_by("-priority", "due_at")
    )


def _callable(cases: list[Case], now: dt.datetime) -> list[bool]:
    """Whether the gate allows a call to each case's customer's primary phone now."""
    if not cases:
        return []
    decisions = contact_evaluate_many(
        [
            ContactProposal(customer=c.customer, channel="call", case=c, at=now)
            for c in cases
        ],
        at=now,
    )
    return [d.allowed for d in decisions]


def _claim(task_id: int, *, user, now: dt.datetime, until: dt.datetime) -> bool:
    """Take the task if nobody holds a live claim on it. A conditional UPDATE: on
    SQLite (no row locks) it is what stops two collectors taking the same task."""
    taken = (
        CallTask.objects.filter(pk=task_id, status__in=OPEN_TASK)
        .filter(Q(claimed_by__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_by=user, claimed_until=until, status=CallTask.Status.CLAIMED)
    )
    return taken == 1


def _current_claim(*, user, now: dt.datetime) -> CallTask | None:
    return (
        CallTask.objects.select_related("case__customer")
        .filter(
            claimed_by=user,
            claimed_until__gte=now,
            status=CallTask.Status.CLAIMED,
            case__status=Case.Status.OPEN,
        )
        .order_by("-priority", "due_at")
        .first()
    )


def _verdicts(items: list, cases: list[Case], now: dt.datetime) -> dict[int, bool]:
    return {item.pk: ok for item, ok in zip(items, _callable(cases, now), strict=True)}


def _claim_from_tasks(
    *, user, queue_ids: list[int], now: dt.datetime, until: dt.datetime
) -> CallTask | None:
    """The queue pattern: lock the best claimable row with FOR UPDATE SKIP LOCKED
    LIMIT 1, so fifty collectors at once each lock a different row at once instead of
    queueing behind the first. The gate is asked about the best candidates in one
    batch before any lock is taken, so a lock is held only for the claiming UPDATE."""
    claimable = claimable_tasks(user=user, queue_ids=queue_ids, now=now)
    preview = list(claimable.select_related("case__customer")[:CLAIM_PREVIEW])
    if not preview:
        return None
    verdicts = _verdicts(preview, [t.case for t in preview], now)
    blocked = {pk for pk, ok in verdicts.items() if not ok}
    postgres = connection.vendor == "postgresql"
    for _ in range(CLAIM_ATTEMPTS):
        with transaction.atomic():
            candidates = claimable.exclude(pk__in=blocked).select_related(
                "case__customer"
            )
            if postgres:
                candidates = candidates.select_for_update(
                    skip_locked=True, of=("self",)
                )
            task = candidates.first()
            if task is None:
                return None
            allowed = verdicts.get(task.pk)
            if allowed is None:  # beyond the preview: ask about the next batch
                more = list(
                    claimable.exclude(pk__in=verdicts.keys()).select_related(
                        "case__customer"
                    )[:CLAIM_PREVIEW]
                )
                verdicts.update(_verdicts(more, [t.case for t in more], now))
                blocked.update(pk for pk, ok in verdicts.items() if not ok)
                allowed = verdicts.get(task.pk, False)
            if not allowed:
                blocked.add(task.pk)
                continue
            # On SQLite (no row locks) the conditional UPDATE is the guard: a
            # collector who lost the race reads the next row on the next turn.
            if _claim(task.pk, user=user, now=now, until=until):
                task.claimed_by, task.claimed_until = user, until
                task.status = CallTask.Status.CLAIMED
                return task
    return None


def _claim_from_cases(
    *, user, queue_ids: list[int], now: dt.datetime, until: dt.datetime
) -> CallTask | None:
    """The best open case in the user's queues (then of those assigned to them) with
    no open call task: give it one, claimed. Each source is read on its own: one OR
    across them would sort the whole portfolio instead of walking an index
    (case_open_queue_priority_idx, case_open_assignee_idx)."""
    sources = [Q(queue_id__in=queue_ids)] if queue_ids else []
    sources.append(Q(assigned_to=user))
    for source in sources:
        task = _claim_from_case_source(source=source, user=user, now=now, until=until)
        if task is not None:
            return task
    return None


def _claim_from_case_source(
    *, source: Q, user, now: dt.datetime, until: dt.datetime
) -> CallTask | None:
    busy = CallTask.objects.filter(status__in=OPEN_TASK).values("case_id")
    cases = (
        Case.objects.open()
        .filter(source)
        .exclude(pk__in=busy)
        .select_related("customer")
        # Priority alone: the index's order, so LIMIT stops early (no tiebreak sort).
        .order_by("-priority")
    )
    preview = list(cases[:CLAIM_PREVIEW])
    if not preview:
        return None
    verdicts = _verdicts(preview, preview, now)
    skipped = {pk for pk, ok in verdicts.items() if not ok}
    postgres = connection.vendor == "postgresql"
    for _ in range(CLAIM_ATTEMPTS):
        with transaction.atomic():
            candidates = cases.exclude(pk__in=skipped)
            if postgres:
                candidates = candidates.select_for_update(
                    skip_locked=True, of=("self",)
                )
            case = candidates.first()
            if case is None:
                return None
            skipped.add(case.pk)
            allowed = verdicts.get(case.pk)
            if allowed is None:  # beyond the preview: ask about the next batch
                more = list(cases.exclude(pk__in=verdicts.keys())[:CLAIM_PREVIEW])
                verdicts.update(_verdicts(more, more, now))
                skipped.update(pk for pk, ok in verdicts.items() if not ok)
                allowed = verdicts.get(case.pk, False)
            if not allowed:
                continue
            task = _adhoc_task_create(case=case, user=user, now=now, until=until)
            if task is not None:
                return task
    return None


def _adhoc_task_create(
    *, case: Case, user, now: dt.datetime, until: dt.datetime
) -> CallTask | None:
    """Give `case` a claimed ad-hoc task, or None when another collector just did.

    The unique key makes a second collector's insert for the same case fail rather
    than create a duplicate (SQLite has no row locks). A key left on a task that was
    finished other than by call_log is released and the insert tried once more; that
    is rare, so the common path is one INSERT (and its history row).
    """
    key = ADHOC_KEY.format(case_id=case.pk)
    task = CallTask(
        case=case,
        queue_id=case.queue_id,
        reason="Next case: no task yet",
        due_at=now,
        priority=case.priority,
        status=CallTask.Status.CLAIMED,
        claimed_by=user,
        claimed_until=until,
        idempotency_key=key,
    )
    history_note(task, reason="claimed", user=user)
    for _ in range(2):
        try:
            with transaction.atomic():
                task.save(force_insert=True)
            return task
        except IntegrityError:
            released = (
                CallTask.objects.filter(idempotency_key=key)
                .exclude(status__in=OPEN_TASK)
                .update(idempotency_key=None)
            )
            if not released:  # a live task holds the key: someone else has the case
                return None
    return None


def call_task_claim_next(*, user, now: dt.datetime | None = None) -> CallTask | None:
    """Claim the best task `user` may call now, or None when nothing may be called.

    A task the user already holds comes back first (pressing "next" twice must not
    leak claims). Otherwise the best due task in their queues by priority then due
    time whose customer the gate allows a call to now; failing that, the best open
    case in their queues with no task gets one. A claim lasts CLAIM_MINUTES; then
    anyone may take the task again.
    """
    now = now or timezone.now()
    until = now + dt.timedelta(minutes=claim_minutes())
    held = _current_claim(user=user, now=now)
    if held is not None:
        return held
    queue_ids = user_queue_ids(user=user)
    task = _claim_from_tasks(user=user, queue_ids=queue_ids, now=now, until=until)
    if task is None:
        task = _claim_from_cases(user=user, queue_ids=queue_ids, now=now, until=until)
    if task is not None:
        history_note(task, reason="claimed", user=user)
    return task


def call_task_release(*, user, task: CallTask) -> CallTask:
    """Give a claimed task back to the queue (the collector skips it)."""
    updated = CallTask.objects.filter(
        pk=task.pk, claimed_by=user, status=CallTask.Status.CLAIMED
    ).update(claimed_by=None, claimed_until=None, status=CallTask.Status.OPEN)
    if not updated:
        message = "You do not hold this task."
        raise ApplicationError(message, code="not_claimed", errors={"task": [message]})
    task.refresh_from_db()
    return task
