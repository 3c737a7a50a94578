"""Collector work: claim the next call, start a call through the compliance gate, log
how it went, and audit reveals of masked PII.

Every call goes through `compliance.services.contact_request` first, so the ledger
holds an allowing decision before anyone dials (DESIGN.md section 4); `call_log`
completes that ledger row with the result the counting rules read.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from cases.models import Case, ContactPoint, EscalationStep, WorkQueue
from compliance.content import content_check
from compliance.models import ContactAttempt
from compliance.services import (
    ContactProposal,
    Decision,
    contact_attempt_complete,
    contact_evaluate_many,
    contact_request,
)
from core.errors import ApplicationError
from core.history import history_note, history_save

from .models import CallLog, CallTask, PiiReveal

Outcome = CallLog.Outcome

# Outcomes that reached nobody: the ledger records them under the same name.
NO_CONTACT_OUTCOMES = frozenset(
    {Outcome.NOT_CONNECTED, Outcome.NO_ANSWER, Outcome.VOICEMAIL}
)
# Conversations with the debtor: the ledger's `conversation` (it starts cooldowns).
CONVERSATION_OUTCOMES = frozenset(
    {
        Outcome.PROMISE_TO_PAY,
        Outcome.PLAN_AGREED,
        Outcome.CALLBACK,
        Outcome.DISPUTE,
        Outcome.HARDSHIP,
        Outcome.REFUSED,
        Outcome.PAID,
        Outcome.OTHER,
    }
)
# "Next case" asks the gate about this many of the best candidates in one batch (one
# query), then tries rows one at a time, at most CLAIM_ATTEMPTS of them.
CLAIM_PREVIEW = 20
CLAIM_ATTEMPTS = 40
OPEN_TASK = (CallTask.Status.OPEN, CallTask.Status.CLAIMED)
# Ad-hoc tasks "next case" creates for a case with none: one open at a time per case
# (the key is cleared when the task is done, see `_tasks_close`).
ADHOC_KEY = "next:{case_id}"


def ledger_result_for(outcome: str) -> str:
    """The ContactAttempt result the counting rules read for a call outcome.

    A wrong number reached someone who is not the debtor and was told nothing: like an
    unconnected call, it is no conversation and starts no cooldown.
    """
    if outcome in NO_CONTACT_OUTCOMES:
        return str(outcome)
    if outcome == Outcome.WRONG_NUMBER:
        return ContactAttempt.Result.NOT_CONNECTED
    if outcome == Outcome.THIRD_PARTY:
        return ContactAttempt.Result.THIRD_PARTY
    return ContactAttempt.Result.CONVERSATION


def claim_minutes() -> int:
    return int(getattr(settings, "CLAIM_MINUTES", 15))


# --------------------------------------------------------------------------------------
# Next case
# --------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------
# Calls
# --------------------------------------------------------------------------------------


def _phone_of_case(case: Case, contact_point: ContactPoint) -> ContactPoint:
    if contact_point.customer_id != case.customer_id:
        message = "That contact point is not this customer's."
        raise ApplicationError(message, errors={"contact_point": [message]})
    if contact_point.channel != ContactPoint.Channel.PHONE:
        message = "Only a phone number can be called."
        raise ApplicationError(message, errors={"contact_point": [message]})
    return contact_point


def call_purpose(point: ContactPoint) -> str:
    return "location" if point.is_third_party else "collection"


def blocked_message(decision: Decision) -> str:
    reasons = [r.get("message", "") for r in decision.reasons if r.get("message")]
    return " ".join(reasons) or f"The compliance gate says {decision.outcome}."


def call_start(
    *, user, case: Case, contact_point: ContactPoint, at: dt.datetime | None = None
) -> tuple[Decision, ContactAttempt]:
    """Ask the gate for a call to `contact_point` now and record the attempt.

    Allowed: the ContactAttempt is written `pending` (it counts toward caps at once)
    and returned. Blocked: the blocked attempt stays in the ledger and this raises
    ApplicationError naming the reason (field `contact_point`). The caller has checked
    that `user` may see `case`.
    """
    if case.status != Case.Status.OPEN:
        message = f"Case {case.reference} is closed."
        raise ApplicationError(message, code="case_closed", errors={"case": [message]})
    point = _phone_of_case(case, contact_point)
    decision, attempt = contact_request(
        customer=case.customer,
        channel="call",
        contact_point=point,
        at=at,
        # A third party may only be asked how to reach the customer (CN.3P-CONTACT).
        purpose=call_purpose(point),
        case=case,
        actor=user,
        source="collector",
    )
    if not decision.allowed:
        message = blocked_message(decision)
        raise ApplicationError(
            message,
            code="contact_blocked",
            errors={"contact_point": [message]},
        )
    return decision, attempt


def _new_reference() -> str:
    return "CL" + secrets.token_hex(6).upper()


def _check_call_fields(
    *,
    attempt: ContactAttempt,
    case: Case,
    outcome: str,
    identity_confirmed: bool,
    disclosure_made: bool,
    right_party_contact: bool,
    started_at: dt.datetime,
    ended_at: dt.datetime | None,
    callback_at: dt.datetime | None,
) -> None:
    errors = _script_errors(
        outcome=outcome,
        identity_confirmed=identity_confirmed,
        disclosure_made=disclosure_made,
        right_party_contact=right_party_contact,
    )
    if attempt.case_id != case.pk or attempt.channel != "call":
        errors["attempt"] = ["That attempt is not a call on this case."]
    elif attempt.result != ContactAttempt.Result.PENDING:
        errors["attempt"] = [f"That call is already recorded ({attempt.result})."]
    _time_errors(errors, outcome, started_at, ended_at, callback_at)
    if errors:
        raise ApplicationError(
            next(iter(errors.values()))[0], code="invalid_call", errors=errors
        )


def _script_errors(
    *,
    outcome: str,
    identity_confirmed: bool,
    disclosure_made: bool,
    right_party_contact: bool,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = [f"Choose one of {', '.join(Outcome.values)}."]
    if disclosure_made and not identity_confirmed:
        # Identity before disclosure (CONC 7.9.10R; CN: no disclosure to others).
        errors["disclosure_made"] = [
            "The debt may only be discussed after the customer's identity is confirmed."
        ]
    elif disclosure_made and outcome not in CONVERSATION_OUTCOMES:
        errors["disclosure_made"] = [
            "Nothing about the debt may be disclosed unless you spoke with the "
            "customer."
        ]
    if outcome in CONVERSATION_OUTCOMES and not identity_confirmed:
        errors.setdefault("identity_confirmed", []).append(
            "A conversation outcome needs the customer's identity confirmed first."
        )
    if right_party_contact and outcome not in CONVERSATION_OUTCOMES:
        errors["right_party_contact"] = [
            "Right-party contact means you spoke with the customer."
        ]
    return errors


def _time_errors(errors, outcome, started_at, ended_at, callback_at) -> None:
    for field, value in (
        ("started_at", started_at),
        ("ended_at", ended_at),
        ("callback_at", callback_at),
    ):
        if value is not None and timezone.is_naive(value):
            errors[field] = ["Give a date, time and UTC offset."]
    if ended_at is not None and "ended_at" not in errors and ended_at < started_at:
        errors["ended_at"] = ["The call cannot end before it started."]
    if outcome == Outcome.CALLBACK and callback_at is None:
        errors["callback_at"] = ["Say when to call back."]
    if callback_at is not None and "callback_at" not in errors:
        if callback_at <= timezone.now():
            errors["callback_at"] = ["A callback must be in the future."]


def _tasks_close(*, case: Case, user, call: CallLog, now: dt.datetime) -> None:
    """The call serves the case's due call tasks: mark them done; clear ad-hoc keys
    so "next case" may give the case a new task later."""
    tasks = list(
        CallTask.objects.select_for_update(of=("self",))
        .filter(case=case, status__in=OPEN_TASK, due_at__lte=now)
        .filter(Q(step__isnull=True) | Q(step__action=EscalationStep.Action.CALL_TASK))
    )
    for task in tasks:
        task.status = CallTask.Status.DONE
        task.claimed_until = None
        if task.idempotency_key and task.idempotency_key.startswith("next:"):
            task.idempotency_key = None
        history_save(
            task,
            reason=f"done by call {call.reference}",
            user=user,
            update_fields=["status", "claimed_until", "idempotency_key"],
        )
    mine = [t for t in tasks if t.claimed_by_id == user.pk] or tasks
    if mine:
        call.task = mine[0]
        call.save(update_fields=["task"])


def call_log(
    *,
    user,
    case: Case,
    attempt: ContactAttempt,
    outcome: str,
    identity_confirmed: bool,
    disclosure_made: bool,
    attitude: str = CallLog.Attitude.UNKNOWN,
    notes: str = "",
    started_at: dt.datetime,
    ended_at: dt.datetime | None = None,
    right_party_contact: bool | None = None,
    recording=None,
    callback_at: dt.datetime | None = None,
) -> CallLog:
    """Record how a started call went, in one transaction.

    Refuses disclosure without identity confirmation. Completes the ledger attempt
    with the result mapped from the outcome, flags notes the content check objects to,
    marks the case's due call tasks done, moves `case.last_contact_at` on a
    conversation, schedules a callback as a new task, and marks a wrong number
    invalid so nobody dials it again.
    """
    if right_party_contact is None:
        right_party_contact = outcome in CONVERSATION_OUTCOMES
    if attitude not in CallLog.Attitude.values:
        message = f"Choose one of {', '.join(CallLog.Attitude.values)}."
        raise ApplicationError(message, errors={"attitude": [message]})
    attempt.refresh_from_db()
    _check_call_fields(
        attempt=attempt,
        case=case,
        outcome=outcome,
        identity_confirmed=identity_confirmed,
        disclosure_made=disclosure_made,
        right_party_contact=right_party_contact,
        started_at=started_at,
        ended_at=ended_at,
        callback_at=callback_at,
    )
    now = timezone.now()
    notes = (notes or "").strip()
    flagged = bool(notes) and not content_check(notes).ok
    result = ledger_result_for(outcome)
    with transaction.atomic():
        # The attempt's own time is when the gate allowed it; a call reported later
        # with earlier clock times still completes no earlier than that.
        completed = max(ended_at or now, attempt.at)
        contact_attempt_complete(attempt=attempt, result=result, completed_at=completed)
        duration = int((ended_at - started_at).total_seconds()) if ended_at else 0
        call = CallLog(
            reference=_new_reference(),
            case=case,
            collector=user,
            contact_point_id=attempt.contact_point_id,
            contact_attempt=attempt,
            started_at=started_at,
            ended_at=ended_at,
            duration_seconds=max(duration, 0),
            outcome=outcome,
            right_party_contact=right_party_contact,
            identity_confirmed=identity_confirmed,
            disclosure_made=disclosure_made,
            attitude=attitude,
            notes=notes,
            notes_flagged=flagged,
            callback_at=callback_at,
        )
        if recording is not None:
            call.recording = recording
        history_save(call, reason=f"call logged: {outcome}", user=user)
        _tasks_close(case=case, user=user, call=call, now=now)
        if result == ContactAttempt.Result.CONVERSATION:
            Case.objects.filter(pk=case.pk).update(last_contact_at=started_at)
            case.last_contact_at = started_at
        if callback_at is not None:
            callback = CallTask(
                case=case,
                queue=case.queue,
                reason=f"Callback requested in call {call.reference}",
                due_at=callback_at,
                # A promised callback comes before routine work in the queue.
                priority=case.priority + 1000,
            )
            history_save(callback, reason="callback scheduled", user=user)
        if outcome == Outcome.WRONG_NUMBER and call.contact_point_id:
            contact_point_mark_invalid(
                user=user,
                case=case,
                contact_point=call.contact_point,
                reason=f"wrong number (call {call.reference})",
            )
    return call


def call_record(
    *,
    user,
    case: Case,
    contact_point: ContactPoint,
    outcome: str,
    identity_confirmed: bool,
    disclosure_made: bool,
    started_at: dt.datetime,
    ended_at: dt.datetime | None = None,
    attitude: str = CallLog.Attitude.UNKNOWN,
    notes: str = "",
    right_party_contact: bool | None = None,
    recording=None,
    callback_at: dt.datetime | None = None,
) -> CallLog:
    """Record a whole call in one step (the API, or a dialer reporting afterwards):
    the script's rules first (nothing reaches the ledger for a body that breaks them),
    then the gate at the time the call started, then the log.

    A contact point the gate blocks raises ApplicationError naming the reason; the
    blocked attempt stays in the ledger.
    """
    if right_party_contact is None:
        right_party_contact = outcome in CONVERSATION_OUTCOMES
    errors = _script_errors(
        outcome=outcome,
        identity_confirmed=identity_confirmed,
        disclosure_made=disclosure_made,
        right_party_contact=right_party_contact,
    )
    _time_errors(errors, outcome, started_at, ended_at, callback_at)
    if not errors and started_at > timezone.now() + dt.timedelta(minutes=1):
        errors["started_at"] = ["A call cannot start in the future."]
    if errors:
        raise ApplicationError(
            next(iter(errors.values()))[0], code="invalid_call", errors=errors
        )
    _, attempt = call_start(
        user=user, case=case, contact_point=contact_point, at=started_at
    )
    return call_log(
        user=user,
        case=case,
        attempt=attempt,
        outcome=outcome,
        identity_confirmed=identity_confirmed,
        disclosure_made=disclosure_made,
        attitude=attitude,
        notes=notes,
        started_at=started_at,
        ended_at=ended_at,
        right_party_contact=right_party_contact,
        recording=recording,
        callback_at=callback_at,
    )


# --------------------------------------------------------------------------------------
# PII reveals
# --------------------------------------------------------------------------------------


def pii_reveal(
    *, user, case: Case, field: str, contact_point: ContactPoint | None = None
) -> str:
    """The full value of a masked field, with an audit row saying who saw what.

    `field` is national_id, address or contact_point. The caller has checked that
    `user` may see `case`.
    """
    customer = case.customer
    if field == PiiReveal.Field.CONTACT_POINT:
        if contact_point is None or contact_point.customer_id != customer.pk:
            message = "That contact point is not this customer's."
            raise ApplicationError(message, errors={"contact_point": [message]})
        value = contact_point.value
    elif field == PiiReveal.Field.NATIONAL_ID:
        value = customer.national_id
    elif field == PiiReveal.Field.ADDRESS:
        value = customer.address
    else:
        message = f"Choose one of {', '.join(PiiReveal.Field.values)}."
        raise ApplicationError(message, errors={"field": [message]})
    PiiReveal.objects.create(
        user=user,
        case=case,
        customer=customer,
        field=field,
        contact_point=contact_point if field == PiiReveal.Field.CONTACT_POINT else None,
    )
    return value


# --------------------------------------------------------------------------------------
# The guided call's resolution, plan previews and wrong numbers
# --------------------------------------------------------------------------------------


def call_log_with_promise(
    *,
    user,
    case: Case,
    attempt: ContactAttempt,
    promise_amount: Decimal | None = None,
    promise_due_date: dt.date | None = None,
    **call_fields,
) -> CallLog:
    """Log a call and, when the customer promised to pay, the promise with it: both
    or neither (an invalid promise leaves the call unlogged and the form shown again).
    """
    from cases.services import promise_record

    outcome = call_fields.get("outcome")
    if outcome == Outcome.PROMISE_TO_PAY and (
        promise_amount is None or promise_due_date is None
    ):
        errors = {}
        if promise_amount is None:
            errors["promise_amount"] = ["Say how much the customer promised."]
        if promise_due_date is None:
            errors["promise_due_date"] = ["Say by when."]
        raise ApplicationError(next(iter(errors.values()))[0], errors=errors)
    with transaction.atomic():
        call = call_log(user=user, case=case, attempt=attempt, **call_fields)
        if outcome == Outcome.PROMISE_TO_PAY:
            try:
                promise_record(
                    case=case,
                    amount=promise_amount,
                    due_date=promise_due_date,
                    created_by=user,
                    call=call,
                )
            except ApplicationError as exc:
                # The form shows the promise's fields under their own names.
                exc.errors = {f"promise_{k}": v for k, v in exc.errors.items()}
                raise
    return call


def plan_schedule_preview(
    *, total: Decimal, count: int, first_due_date: dt.date, every_days: int = 30
) -> list[dict]:
    """Equal instalments (the last takes the rounding) every `every_days` days: the
    plan calculator's schedule, before anything is saved. `count` 1 is a deferral."""
    errors: dict[str, list[str]] = {}
    if total is None or total <= 0:
        errors["total"] = ["The total must be above zero."]
    if not count or count < 1:
        errors["count"] = ["At least one instalment."]
    elif count > settings.PLAN_MAX_INSTALMENTS:
        errors["count"] = [f"At most {settings.PLAN_MAX_INSTALMENTS} instalments."]
    if every_days < 1:
        errors["every_days"] = ["At least one day apart."]
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], errors=errors)
    cent = Decimal("0.01")
    part = (total / count).quantize(cent, rounding=ROUND_DOWN)
    rows = []
    for n in range(count):
        amount = part if n < count - 1 else total - part * (count - 1)
        rows.append(
            {
                "due_date": first_due_date + dt.timedelta(days=every_days * n),
                "amount": amount,
            }
        )
    return rows


def contact_point_mark_invalid(
    *, user, case: Case, contact_point: ContactPoint, reason: str = "wrong number"
) -> ContactPoint:
    """Mark a number invalid (wrong number, disconnected): the gate blocks it from
    then on. History keeps who marked it and why."""
    if contact_point.customer_id != case.customer_id:
        message = "That contact point is not this customer's."
        raise ApplicationError(message, errors={"contact_point": [message]})
    reason = (reason or "").strip() or "wrong number"
    with transaction.atomic():
        point = ContactPoint.objects.select_for_update().get(pk=contact_point.pk)
        if point.invalid_at is None:
            point.invalid_at = timezone.now()
            point.invalid_reason = reason[:100]
            history_save(
                point,
                reason=f"marked invalid: {reason}"[:100],
                user=user,
                update_fields=["invalid_at", "invalid_reason"],
            )
    return point
