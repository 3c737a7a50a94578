"""Calls: start one through the compliance gate, log how it went (with the promise
made in it), or record a whole call at once.

Every call goes through `compliance.services.contact_request` first, so the ledger
holds an allowing decision before anyone dials (DESIGN.md section 4); `call_log`
completes that ledger row with the result the counting rules read.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, ContactPoint, EscalationStep
from cases.services import contact_point_mark_invalid, promise_record
from compliance.content import content_check
from compliance.models import ContactAttempt
from compliance.reasons import reason_text
from compliance.services import (
    Decision,
    contact_attempt_complete,
    contact_evaluate,
    contact_request,
)
from core.errors import ApplicationError
from core.history import history_save

from ..models import CallLog, CallTask
from .claims import OPEN_TASK, case_claim_refuse_other
from .next_action import case_next_call_set
from .recordings import recording_check

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


def _phone_of_case(case: Case, contact_point: ContactPoint) -> ContactPoint:
    if contact_point.customer_id != case.customer_id:
        message = _("That contact point is not this customer's.")
        raise ApplicationError(message, errors={"contact_point": [message]})
    if contact_point.channel != ContactPoint.Channel.PHONE:
        message = _("Only a phone number can be called.")
        raise ApplicationError(message, errors={"contact_point": [message]})
    return contact_point


def call_purpose(point: ContactPoint) -> str:
    return "location" if point.is_third_party else "collection"


def blocked_message(decision: Decision) -> str:
    """The gate's reasons in the reader's language (each reason carries both)."""
    reasons = [reason_text(r) for r in decision.reasons if r.get("message")]
    return " ".join(reasons) or _("The compliance gate says %(outcome)s.") % {
        "outcome": decision.outcome
    }


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
        message = _("Case %(ref)s is closed.") % {"ref": case.reference}
        raise ApplicationError(message, code="case_closed", errors={"case": [message]})
    point = _phone_of_case(case, contact_point)
    # One caller per case: another collector's live claim refuses the call before
    # the gate records anything (decision 43).
    case_claim_refuse_other(case=case, user=user)
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
        errors["attempt"] = [_("That attempt is not a call on this case.")]
    elif attempt.result != ContactAttempt.Result.PENDING:
        errors["attempt"] = [
            _("That call is already recorded (%(result)s).")
            % {"result": attempt.get_result_display()}
        ]
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
        errors["outcome"] = [
            _("Choose one of %(choices)s.") % {"choices": ", ".join(Outcome.values)}
        ]
    if disclosure_made and not identity_confirmed:
        # Identity before disclosure (CONC 7.9.10R; CN: no disclosure to others).
        errors["disclosure_made"] = [
            _(
                "The debt may only be discussed after the customer's identity is "
                "confirmed."
            )
        ]
    elif disclosure_made and outcome not in CONVERSATION_OUTCOMES:
        errors["disclosure_made"] = [
            _(
                "Nothing about the debt may be disclosed unless you spoke with the "
                "customer."
            )
        ]
    if outcome in CONVERSATION_OUTCOMES and not identity_confirmed:
        errors.setdefault("identity_confirmed", []).append(
            _("A conversation outcome needs the customer's identity confirmed first.")
        )
    if right_party_contact and outcome not in CONVERSATION_OUTCOMES:
        errors["right_party_contact"] = [
            _("Right-party contact means you spoke with the customer.")
        ]
    return errors


def _time_errors(errors, outcome, started_at, ended_at, callback_at) -> None:
    for field, value in (
        ("started_at", started_at),
        ("ended_at", ended_at),
        ("callback_at", callback_at),
    ):
        if value is not None and timezone.is_naive(value):
            errors[field] = [_("Give a date, time and UTC offset.")]
    if ended_at is not None and "ended_at" not in errors and ended_at < started_at:
        errors["ended_at"] = [_("The call cannot end before it started.")]
    if outcome == Outcome.CALLBACK and callback_at is None:
        errors["callback_at"] = [_("Say when to call back.")]
    if callback_at is not None and "callback_at" not in errors:
        if callback_at <= timezone.now():
            errors["callback_at"] = [_("A callback must be in the future.")]


# The gate's rules about the time of day: a callback agreed for a time they forbid
# can never be made (a callback at 23:30 was accepted silently). Caps and cooldowns
# are left to the moment of the call: they depend on what happens until then, and a
# callback the customer asked for may be covered by their prior consent.
CALLBACK_TIME_RULES = frozenset(
    {"contact_window", "holiday_blackout", "customer_inconvenient_time"}
)


def _callback_time_check(
    *, case: Case, attempt: ContactAttempt, callback_at: dt.datetime
) -> None:
    """Refuse a callback time the gate would not allow a call at, with its reason."""
    decision = contact_evaluate(
        customer=case.customer,
        channel="call",
        contact_point=attempt.contact_point,
        at=callback_at,
        case=case,
    )
    blocking = [r for r in decision.reasons if r.get("code") in CALLBACK_TIME_RULES]
    if decision.allowed or not blocking:
        return
    message = reason_text(blocking[0])
    raise ApplicationError(
        _("No call may be made at that time: %(why)s") % {"why": message},
        code="invalid_call",
        errors={"callback_at": [message]},
    )


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
        message = _("Choose one of %(choices)s.") % {
            "choices": ", ".join(CallLog.Attitude.values)
        }
        raise ApplicationError(message, errors={"attitude": [message]})
    recording_type = recording_check(recording) if recording is not None else ""
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
    if callback_at is not None:
        _callback_time_check(case=case, attempt=attempt, callback_at=callback_at)
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
            # The type first: the stored name takes its extension from it.
            call.recording_content_type = recording_type
            call.recording = recording
        history_save(call, reason=f"call logged: {outcome}", user=user)
        _tasks_close(case=case, user=user, call=call, now=now)
        # The queue's next action time from the outcome (decision 42).
        case_next_call_set(
            case=case, outcome=outcome, at=completed, callback_at=callback_at
        )
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
        errors["started_at"] = [_("A call cannot start in the future.")]
    if errors:
        raise ApplicationError(
            next(iter(errors.values()))[0], code="invalid_call", errors=errors
        )
    if recording is not None:
        recording_check(recording)  # before the gate writes anything to the ledger
    __, attempt = call_start(
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
# The guided call's resolution
# --------------------------------------------------------------------------------------


def call_log_with_promise(
    *,
    user,
    case: Case,
    attempt: ContactAttempt,
    promise_amount: Decimal | None = None,
    promise_due_date: dt.date | None = None,
    promise_supersede: bool = False,
    **call_fields,
) -> CallLog:
    """Log a call and, when the customer promised to pay, the promise with it: both
    or neither (an invalid promise leaves the call unlogged and the form shown again).
    `promise_supersede` confirms that the promise replaces the case's arrangement in
    force (`promise_record`'s `supersede`).
    """
    outcome = call_fields.get("outcome")
    if outcome == Outcome.PROMISE_TO_PAY and (
        promise_amount is None or promise_due_date is None
    ):
        errors = {}
        if promise_amount is None:
            errors["promise_amount"] = [_("Say how much the customer promised.")]
        if promise_due_date is None:
            errors["promise_due_date"] = [_("Say by when.")]
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
                    supersede=promise_supersede,
                    supersede_reason="promised in a call",
                )
            except ApplicationError as exc:
                # The form shows the promise's fields under their own names.
                exc.errors = {f"promise_{k}": v for k, v in exc.errors.items()}
                raise
    return call
