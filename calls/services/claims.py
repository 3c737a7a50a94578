"""Claiming work: "next case" takes the best call task the gate allows now (or gives
the best case with none a claimed task), and a collector can give a task back.

A claim is a conditional UPDATE (FOR UPDATE SKIP LOCKED on PostgreSQL), so fifty
collectors pressing "next" at once each get a different case.

Every claim reads through the case visibility of every other read
(`cases.selectors._VISIBILITY`, resolved once per claim by `case_scope_for_user`),
inside the same statement: a task sitting in
a queue of the collector's team on a case that has since moved to another team (an
old reassignment, an import) is never handed out, so "next case" cannot show a
customer the case page would answer 404 for (issue 15, finding 6).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from cases.models import Case, EscalationStep, WorkQueue
from cases.selectors import CaseScope, case_scope_for_user
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


def _scoped(rows: QuerySet, scope: CaseScope | None, *, via: str) -> QuerySet:
    """`rows` limited to the cases of `scope` (None: everything), in the same
    statement; `via` is the path from the rows to their case."""
    return rows if scope is None else rows.filter(scope.q(via=via))


_RESOLVE = object()


def claimable_tasks(
    *, user, queue_ids: Iterable[int], now: dt.datetime, scope=_RESOLVE
) -> QuerySet:
    """Call tasks `user` may take now: due, unclaimed or with an expired claim, in one
    of their queues (or on a case assigned to them), on an open case they may see
    (`scope`, from `case_scope_for_user` unless given). Supervisor reviews and legal
    referrals are tasks too, but not calls: they are left out."""
    if scope is _RESOLVE:
        scope = case_scope_for_user(user=user)
    queue_ids = list(queue_ids)
    mine = Q(case__assigned_to=user)
    if queue_ids:
        mine |= Q(queue_id__in=queue_ids) | Q(
            queue__isnull=True, case__queue_id__in=queue_ids
        )
    tasks = (
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
    return _scoped(tasks, scope, via="case__")


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


def _current_claim(
    *, user, scope: CaseScope | None, now: dt.datetime
) -> CallTask | None:
    """The live claim `user` holds, if its case is still one they may see."""
    held = CallTask.objects.select_related("case__customer").filter(
        claimed_by=user,
        claimed_until__gte=now,
        status=CallTask.Status.CLAIMED,
        case__status=Case.Status.OPEN,
    )
    return _scoped(held, scope, via="case__").order_by("-priority", "due_at").first()


def _verdicts(items: list, cases: list[Case], now: dt.datetime) -> dict[int, bool]:
    return {item.pk: ok for item, ok in zip(items, _callable(cases, now), strict=True)}


def _claim_from_tasks(
    *,
    user,
    scope: CaseScope | None,
    queue_ids: list[int],
    now: dt.datetime,
    until: dt.datetime,
) -> CallTask | None:
    """The queue pattern: lock the best claimable row with FOR UPDATE SKIP LOCKED
    LIMIT 1, so fifty collectors at once each lock a different row at once instead of
    queueing behind the first. The gate is asked about the best candidates in one
    batch before any lock is taken, so a lock is held only for the claiming UPDATE."""
    claimable = claimable_tasks(user=user, queue_ids=queue_ids, now=now, scope=scope)
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
    *,
    user,
    scope: CaseScope | None,
    queue_ids: list[int],
    now: dt.datetime,
    until: dt.datetime,
) -> CallTask | None:
    """The best open case in the user's queues (then of those assigned to them) with
    no open call task: give it one, claimed. Each source is read on its own: one OR
    across them would sort the whole portfolio instead of walking an index
    (case_open_queue_priority_idx, case_open_assignee_idx)."""
    sources = [Q(queue_id__in=queue_ids)] if queue_ids else []
    sources.append(Q(assigned_to=user))
    for source in sources:
        task = _claim_from_case_source(
            source=source, user=user, scope=scope, now=now, until=until
        )
        if task is not None:
            return task
    return None


def _claim_from_case_source(
    *, source: Q, user, scope: CaseScope | None, now: dt.datetime, until: dt.datetime
) -> CallTask | None:
    busy = CallTask.objects.filter(status__in=OPEN_TASK).values("case_id")
    cases = _scoped(
        Case.objects.open()
        .filter(source)
        .exclude(pk__in=busy)
        .select_related("customer")
        # Priority alone: the index's order, so LIMIT stops early (no tiebreak sort).
        .order_by("-priority"),
        scope,
        via="",
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
    # Resolved once: every statement below checks it on the case row it reads.
    scope = case_scope_for_user(user=user)
    held = _current_claim(user=user, scope=scope, now=now)
    if held is not None:
        return held
    queue_ids = user_queue_ids(user=user)
    source = {"user": user, "scope": scope, "queue_ids": queue_ids}
    task = _claim_from_tasks(**source, now=now, until=until)
    if task is None:
        task = _claim_from_cases(**source, now=now, until=until)
    if task is not None:
        history_note(task, reason="claimed", user=user)
    return task


def call_tasks_follow_cases(
    *, cases: list[Case], user, reason: str, queue_moved: bool
) -> int:
    """After `cases` were reassigned, their open tasks follow them: into the case's
    new queue when the queue changed, and with any live claim released, since the
    claim was taken under the old routing (the claimant may no longer see the case).
    Returns how many tasks moved. The caller holds the lock on the cases, in the same
    transaction.
    """
    by_case = {case.pk: case for case in cases}
    tasks = list(
        CallTask.objects.select_for_update().filter(
            case_id__in=by_case, status__in=OPEN_TASK
        )
    )
    for task in tasks:
        if queue_moved:
            task.queue_id = by_case[task.case_id].queue_id
        task.status, task.claimed_by, task.claimed_until = (
            CallTask.Status.OPEN,
            None,
            None,
        )
    if tasks:
        bulk_update_with_history(
            tasks,
            CallTask,
            ["queue", "status", "claimed_by", "claimed_until"],
            default_user=user,
            default_change_reason=f"case reassigned: {reason}"[:100],
        )
    return len(tasks)


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
