"""Claiming work: "next case" takes the best call task (or gives the best case with
none a claimed task) whose next action time has come, and a collector can skip a
case (with a reason), release it, or a supervisor take it over (decisions 42, 43).

The order is decided in SQL over the whole queue: a case is callable once its
`next_call_at` (the call queue's next action time, set by every logged call, by
arrangements and by skips) has passed. On PostgreSQL the task claim is one statement,
`UPDATE ... WHERE id = (SELECT ... FOR UPDATE SKIP LOCKED LIMIT 1) RETURNING`, ordered
by `calltask_claimable_idx`; a case without a task is locked the same way in the order
of `case_call_queue_idx`. Fifty collectors pressing "next" at once each get a
different case and none waits for another. The gate is then asked about the one case
taken (not about every candidate): when it blocks, its next permitted time is written
back to `next_call_at`, so no later claim looks at that case again before then.

Every claim reads through the case visibility of every other read
(`cases.selectors._VISIBILITY`, resolved once per claim by `case_scope_for_user`),
inside the same statement: a task sitting in
a queue of the collector's team on a case that has since moved to another team (an
old reassignment, an import) is never handed out, so "next case" cannot show a
customer the case page would answer 404 for (issue 15, finding 6).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_update_with_history

from cases.models import Case, EscalationStep, WorkQueue
from cases.selectors import CaseScope, case_scope_for_user
from compliance.rules.holds import HOLD_CODES
from compliance.services import ContactProposal, contact_evaluate_many
from core.errors import ApplicationError, ConflictError
from core.history import change_reason, history_note, history_save
from core.roles import Role, user_roles

from ..models import CallTask

# "Next case" takes a row, asks the gate about it, and when the gate blocks it writes
# the block back and takes the next row: at most this many rows per press (at night
# every case is outside the window; each press then defers this many until morning).
CLAIM_ATTEMPTS = 10
OPEN_TASK = (CallTask.Status.OPEN, CallTask.Status.CLAIMED)
# Ad-hoc tasks "next case" creates for a case with none: one open at a time per case
# (the key is cleared when the task is done, see `call_logs._tasks_close`).
ADHOC_KEY = "next:{case_id}"
# The prefixes of the case history rows the timeline shows (skip, release, take-over).
CLAIM_HISTORY_PREFIXES = ("skipped", "claim released", "claim taken over")


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


def due_now(now: dt.datetime, *, via: str = "") -> Q:
    """Cases whose next action time in the call queue has come (NULL: now)."""
    return Q(**{f"{via}next_call_at__isnull": True}) | Q(
        **{f"{via}next_call_at__lte": now}
    )


_RESOLVE = object()


def claimable_tasks(
    *, user, queue_ids: Iterable[int], now: dt.datetime, scope=_RESOLVE
) -> QuerySet:
    """Call tasks `user` may take now: due, unclaimed or with an expired claim, in one
    of their queues (or on a case assigned to them), on an open case they may see
    (`scope`, from `case_scope_for_user` unless given) whose next action time has
    come. Supervisor reviews and legal referrals are tasks too, but not calls: they
    are left out. The claim reads it source by source (`claimable_task_sources`)."""
    queue_ids = list(queue_ids)
    mine = Q(case__assigned_to=user)
    if queue_ids:
        mine |= Q(queue_id__in=queue_ids) | Q(
            queue__isnull=True, case__queue_id__in=queue_ids
        )
    return _claimable(mine, user=user, now=now, scope=scope)


def claimable_task_sources(
    *, user, queue_ids: Iterable[int], now: dt.datetime, scope=_RESOLVE
) -> list[QuerySet]:
    """`claimable_tasks` split by where the task comes from, best source first: the
    tasks of the user's queues (each a walk of `calltask_claimable_idx` in its order,
    stopping at the first row that qualifies), tasks without a queue on cases of
    their queues, and tasks on cases assigned to them. One OR across the three makes
    PostgreSQL join and sort every due task of the team (7 ms with 6,000 tasks,
    measured) instead of stopping at the first."""
    queue_ids = list(queue_ids)
    sources = []
    if queue_ids:
        sources.append(Q(queue_id__in=queue_ids))
        sources.append(Q(queue__isnull=True, case__queue_id__in=queue_ids))
    sources.append(Q(case__assigned_to=user))
    return [_claimable(q, user=user, now=now, scope=scope) for q in sources]


def _claimable(source: Q, *, user, now: dt.datetime, scope) -> QuerySet:
    if scope is _RESOLVE:
        scope = case_scope_for_user(user=user)
    tasks = (
        CallTask.objects.filter(
            source,
            status__in=OPEN_TASK,
            due_at__lte=now,
            case__status=Case.Status.OPEN,
        )
        .filter(due_now(now, via="case__"))
        .filter(Q(claimed_by__isnull=True) | Q(claimed_until__lt=now))
        .filter(Q(step__isnull=True) | Q(step__action=EscalationStep.Action.CALL_TASK))
        .order_by("-priority", "due_at")
    )
    return _scoped(tasks, scope, via="case__")


def _gate_allows(case: Case, now: dt.datetime):
    """The gate's decision on a call to the case's customer now (reads only)."""
    proposal = ContactProposal(
        customer=case.customer, channel="call", case=case, at=now
    )
    return contact_evaluate_many([proposal], at=now)[0]


def _blocked_until(decision, now: dt.datetime) -> dt.datetime:
    """When the queue may look at a case the gate blocks again: the block's next
    permitted time. A block with no end is looked at again later: after
    CALL_HELD_RECHECK_DAYS when a restriction holds the case (a legal hold, a cease
    request, a dispute: it lasts until someone ends it, and ending it brings the case
    back at once, `compliance.restrictions.restriction_end`; the recheck is for what
    ends a hold without telling the queue, such as a new rule pack), else after
    CALL_BLOCKED_RECHECK_MINUTES (a number marked invalid may be corrected at any
    time)."""
    if _held(decision):
        recheck = now + dt.timedelta(days=settings.CALL_HELD_RECHECK_DAYS)
    else:
        recheck = now + dt.timedelta(minutes=settings.CALL_BLOCKED_RECHECK_MINUTES)
    until = decision.next_permitted_at or recheck
    return recheck if until <= now else until


def _defer_blocked(case: Case, decision, now: dt.datetime) -> None:
    """Write the gate's block back as the case's next action time, so no claim looks
    at the case again before the gate could allow it (`_blocked_until`)."""
    Case.objects.filter(pk=case.pk).update(
        next_call_at=_blocked_until(decision, now), next_call_reason=Case.NextCall.GATE
    )


def cases_defer_blocked(*, case_ids: list[int], now: dt.datetime) -> int:
    """Ask the gate, in one batch, about a call to each case now and write back each
    block as a claim would (`_blocked_until`), one UPDATE per distinct time: for
    cases a new hold has just stopped (a legal referral) and the daily recheck, so
    that "Next case" does not spend its presses finding out. Returns how many were
    deferred."""
    cases = list(Case.objects.open().filter(pk__in=case_ids).select_related("customer"))
    proposals = [
        ContactProposal(customer=c.customer, channel="call", case=c, at=now)
        for c in cases
    ]
    decisions = contact_evaluate_many(proposals, at=now) if proposals else []
    by_until: dict[dt.datetime, list[int]] = defaultdict(list)
    for case, decision in zip(cases, decisions, strict=True):
        if not decision.allowed:
            by_until[_blocked_until(decision, now)].append(case.pk)
    for until, ids in by_until.items():
        Case.objects.filter(pk__in=ids).update(
            next_call_at=until, next_call_reason=Case.NextCall.GATE
        )
    return sum(len(ids) for ids in by_until.values())


# The daily recheck asks the gate about so many cases at a time.
RECHECK_BATCH = 2000


def call_queue_recheck(*, now: dt.datetime | None = None) -> int:
    """The day's rechecks of cases the gate deferred, in batches before collectors
    start: each case waiting for the gate ("gate") whose time comes within a day is
    asked about again now and its block written back (a hold: CALL_HELD_RECHECK_DAYS
    more). Otherwise holds recorded in one week all come due together a month later
    and "Next case" spends every press rediscovering them (the 365-day journey at
    5,000 customers, day 38). A case the gate now allows is left due. Returns how
    many were deferred again."""
    now = now or timezone.now()
    ids = list(
        Case.objects.open()
        .filter(
            next_call_reason=Case.NextCall.GATE,
            next_call_at__lte=now + dt.timedelta(days=1),
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sum(
        cases_defer_blocked(case_ids=ids[i : i + RECHECK_BATCH], now=now)
        for i in range(0, len(ids), RECHECK_BATCH)
    )


def _held(decision) -> bool:
    """Whether a restriction with no end is among the gate's reasons."""
    codes = {reason.get("code") for reason in decision.reasons}
    return bool(codes & HOLD_CODES)


def _claim(task_id: int, *, user, now: dt.datetime, until: dt.datetime) -> bool:
    """Take the task if nobody holds a live claim on it. A conditional UPDATE: on
    SQLite (no row locks) it is what stops two collectors taking the same task."""
    taken = (
        CallTask.objects.filter(pk=task_id, status__in=OPEN_TASK)
        .filter(Q(claimed_by__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_by=user, claimed_until=until, status=CallTask.Status.CLAIMED)
    )
    return taken == 1


def _release(task: CallTask) -> None:
    CallTask.objects.filter(pk=task.pk).update(
        claimed_by=None, claimed_until=None, status=CallTask.Status.OPEN
    )


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


def _take_one_task(
    claimable: QuerySet, *, user, now: dt.datetime, until: dt.datetime
) -> int | None:
    """Claim the best claimable task; its id, or None when there is none.

    PostgreSQL: one statement. The inner SELECT locks the best row nobody else has
    locked (SKIP LOCKED: fifty collectors at once each lock a different row instead
    of queueing behind the first) and the UPDATE claims it. SQLite (no row locks):
    read the best row, then the conditional UPDATE is the guard; a collector who lost
    the race reads the next row on the next turn."""
    if connection.vendor == "postgresql":
        sql, params = claimable.values("pk")[:1].query.sql_with_params()
        # The table name is the model's and the inner SELECT is compiled by the
        # ORM with its own parameters: nothing user-given is formatted in. The
        # locking clause is written here rather than by select_for_update(), which
        # refuses to compile outside a transaction: the statement runs in autocommit,
        # one round trip, and is atomic on its own.
        table = connection.ops.quote_name(CallTask._meta.db_table)
        statement = (
            f"UPDATE {table} SET claimed_by_id = %s, "  # noqa: S608
            f"claimed_until = %s, status = %s WHERE id = ({sql} FOR UPDATE OF "
            f"{table} SKIP LOCKED) RETURNING id"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                statement, [user.pk, until, CallTask.Status.CLAIMED, *params]
            )
            row = cursor.fetchone()
        return row[0] if row else None
    for _attempt in range(CLAIM_ATTEMPTS):
        task_id = claimable.values_list("pk", flat=True).first()
        if task_id is None:
            return None
        if _claim(task_id, user=user, now=now, until=until):
            return task_id
    return None


def _claim_from_tasks(
    *,
    user,
    scope: CaseScope | None,
    queue_ids: list[int],
    now: dt.datetime,
    until: dt.datetime,
) -> CallTask | None:
    """The best claimable task whose case the gate allows a call to now, source by
    source (`claimable_task_sources`). Each turn claims one row and asks the gate
    about its case; a blocked case's block is written back (`_defer_blocked`) and
    the row given back, so the claim's statement never sees that case again before
    its time."""
    sources = claimable_task_sources(
        user=user, queue_ids=queue_ids, now=now, scope=scope
    )
    attempts = CLAIM_ATTEMPTS
    for claimable in sources:
        while attempts > 0:
            attempts -= 1
            # An empty source costs one round trip; a row taken and then refused
            # by the gate is given back, with the block written, in one transaction.
            task_id = _take_one_task(claimable, user=user, now=now, until=until)
            if task_id is None:
                break  # this source is empty: the next one
            with transaction.atomic():
                task = CallTask.objects.select_related("case__customer").get(pk=task_id)
                decision = _gate_allows(task.case, now)
                if decision.allowed:
                    return task
                _defer_blocked(task.case, decision, now)
                _release(task)
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
    no open call task whose next action time has come: give it one, claimed. Each
    source is read on its own: one OR across them would sort the whole portfolio
    instead of walking an index (case_call_queue_idx, case_call_assignee_idx)."""
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
        .filter(due_now(now))
        .exclude(pk__in=busy)
        .select_related("customer")
        # The index's order (case_call_queue_idx), so LIMIT stops early: a case back
        # from a broken arrangement first, then by priority.
        .order_by("-call_boost", "-priority"),
        scope,
        via="",
    )
    if connection.vendor == "postgresql":
        cases = cases.select_for_update(skip_locked=True, of=("self",))
    for _attempt in range(CLAIM_ATTEMPTS):
        with transaction.atomic():
            case = cases.first()
            if case is None:
                return None
            decision = _gate_allows(case, now)
            if not decision.allowed:
                _defer_blocked(case, decision, now)
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
        reason=gettext_noop("Next case: no task yet"),
        due_at=now,
        priority=case.priority,
        status=CallTask.Status.CLAIMED,
        claimed_by=user,
        claimed_until=until,
        idempotency_key=key,
    )
    history_note(task, reason="claimed", user=user)
    for _attempt in range(2):
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
    time on a case whose next action time has come and whose customer the gate
    allows a call to now; failing that, the best such open case in their queues with
    no task gets one. A claim lasts CLAIM_MINUTES; then anyone may take the task
    again.
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
    """Give a claimed task back to the queue."""
    updated = CallTask.objects.filter(
        pk=task.pk, claimed_by=user, status=CallTask.Status.CLAIMED
    ).update(claimed_by=None, claimed_until=None, status=CallTask.Status.OPEN)
    if not updated:
        message = _("You do not hold this task.")
        raise ApplicationError(message, code="not_claimed", errors={"task": [message]})
    task.refresh_from_db()
    return task


# --------------------------------------------------------------------------------------
# One holder per case: skip, release, take over (decision 43)
# --------------------------------------------------------------------------------------


def case_claim(*, case: Case, now: dt.datetime | None = None) -> CallTask | None:
    """The live claim on the case, whoever holds it (None when nobody does)."""
    now = now or timezone.now()
    return (
        CallTask.objects.select_related("claimed_by")
        .filter(case=case, status=CallTask.Status.CLAIMED, claimed_until__gte=now)
        .order_by("-claimed_until")
        .first()
    )


def _holder_name(task: CallTask) -> str:
    return task.claimed_by.get_username() if task.claimed_by else "-"


def case_claim_refuse_other(*, case: Case, user) -> None:
    """Refuse (409, field `case`) when someone other than `user` holds a live claim
    on the case: one caller per case. A supervisor takes the case over explicitly
    (`case_claim_take_over`) rather than calling past the holder."""
    held = case_claim(case=case)
    if held is None or held.claimed_by_id == user.pk:
        return
    message = _(
        "%(holder)s is working on case %(case)s until %(until)s: only they may call "
        "it now."
    ) % {
        "holder": _holder_name(held),
        "case": case.reference,
        "until": timezone.localtime(held.claimed_until).strftime("%H:%M"),
    }
    raise ConflictError(message, code="claimed_by_other", errors={"case": [message]})


def _my_claim(*, case: Case, user, now: dt.datetime) -> CallTask:
    task = (
        CallTask.objects.select_for_update()
        .filter(
            case=case,
            claimed_by=user,
            status=CallTask.Status.CLAIMED,
            claimed_until__gte=now,
        )
        .first()
    )
    if task is None:
        message = _("You do not hold case %(case)s.") % {"case": case.reference}
        raise ConflictError(message, code="not_claimed", errors={"case": [message]})
    return task


def _give_back(task: CallTask, *, user, reason: str) -> None:
    """The claim ends. A task "next case" made for the case alone is cancelled (its
    key freed), so the case is not shown as having a due task; a ladder task or a
    callback goes back to the queue."""
    task.claimed_by, task.claimed_until = None, None
    task.status = CallTask.Status.OPEN
    if task.idempotency_key and task.idempotency_key.startswith("next:"):
        task.status, task.idempotency_key = CallTask.Status.CANCELLED, None
    history_save(
        task,
        reason=reason,
        user=user,
        update_fields=["claimed_by", "claimed_until", "status", "idempotency_key"],
    )


def case_skip(*, user, case: Case, reason: str, now: dt.datetime | None = None) -> Case:
    """Skip a claimed case: the claim ends and the case waits CALL_SKIP_MINUTES
    before the queue hands it out again (to anyone), so "next case" gives another.
    The reason is required and kept in the case's history (the timeline shows it)."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        message = _("Say why you skip this case.")
        raise ApplicationError(message, code="invalid", errors={"reason": [message]})
    with transaction.atomic():
        task = _my_claim(case=case, user=user, now=now)
        _give_back(task, user=user, reason=change_reason("skipped", reason))
        case = Case.objects.select_for_update().get(pk=case.pk)
        case.next_call_at = now + dt.timedelta(minutes=settings.CALL_SKIP_MINUTES)
        case.next_call_reason = Case.NextCall.SKIPPED
        history_save(
            case,
            reason=change_reason("skipped", reason),
            user=user,
            update_fields=["next_call_at", "next_call_reason"],
        )
    return case


def case_claim_release(*, user, case: Case, now: dt.datetime | None = None) -> Case:
    """Give a claimed case back at once: anyone (the same collector included) may be
    handed it by "next case" again; its next action time is unchanged."""
    now = now or timezone.now()
    with transaction.atomic():
        task = _my_claim(case=case, user=user, now=now)
        _give_back(task, user=user, reason="claim released")
        # A history row on the case (the timeline shows it); nothing else changes.
        case = Case.objects.select_for_update().get(pk=case.pk)
        history_save(
            case, reason="claim released", user=user, update_fields=["next_call_at"]
        )
    return case


def case_claim_take_over(
    *, user, case: Case, reason: str, now: dt.datetime | None = None
) -> CallTask:
    """A supervisor (or admin) takes the case's claim, from whoever holds it, for
    CLAIM_MINUTES; the previous holder's calls are then refused. With no live claim
    the case gets a claimed ad-hoc task. The reason is required and kept in the
    history of the task and of the case."""
    now = now or timezone.now()
    if not user_roles(user) & {Role.SUPERVISOR, Role.ADMIN}:
        message = _("Only a supervisor may take over a case.")
        raise ApplicationError(message, code="permission_denied", status=403)
    reason = (reason or "").strip()
    if not reason:
        message = _("Say why you take over this case.")
        raise ApplicationError(message, code="invalid", errors={"reason": [message]})
    until = now + dt.timedelta(minutes=claim_minutes())
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        task = (
            CallTask.objects.select_for_update(of=("self",))
            .select_related("claimed_by")
            .filter(case=case, status__in=OPEN_TASK)
            .order_by("-claimed_until", "-priority")
            .first()
        )
        previous = ""
        if task is not None and task.claimed_until and task.claimed_until >= now:
            previous = _holder_name(task)
        why = change_reason(f"claim taken over from {previous or 'nobody'}", reason)
        if task is None:
            task = _adhoc_task_create(case=case, user=user, now=now, until=until)
            if task is None:  # someone claimed it this instant: take that one
                task = CallTask.objects.select_for_update().get(
                    case=case, status__in=OPEN_TASK, idempotency_key__isnull=False
                )
        task.claimed_by, task.claimed_until = user, until
        task.status = CallTask.Status.CLAIMED
        history_save(
            task,
            reason=why,
            user=user,
            update_fields=["claimed_by", "claimed_until", "status"],
        )
        history_save(case, reason=why, user=user, update_fields=["next_call_at"])
    return task
