"""Claiming the next case, starting calls through the gate, logging them."""

import datetime as dt

import pytest
from django.utils import timezone

from calls import services
from calls.models import CallLog, CallTask, PiiReveal
from cases.models import ContactPoint
from compliance.models import ContactAttempt, ContactRestriction
from core.errors import ApplicationError
from tests.calls.conftest import NIGHT, make_case

pytestmark = pytest.mark.django_db


def task_for(case, **kwargs):
    kwargs.setdefault("due_at", timezone.now() - dt.timedelta(minutes=5))
    kwargs.setdefault("priority", case.priority)
    return CallTask.objects.create(case=case, queue=case.queue, **kwargs)


def start(collector, case, phone):
    _, attempt = services.call_start(user=collector, case=case, contact_point=phone)
    return attempt


def log(collector, case, attempt, **kwargs):
    now = timezone.now()
    fields = {
        "outcome": CallLog.Outcome.PROMISE_TO_PAY,
        "identity_confirmed": True,
        "disclosure_made": True,
        "attitude": CallLog.Attitude.COOPERATIVE,
        "notes": "Customer will pay on Friday.",
        "started_at": now - dt.timedelta(minutes=3),
        "ended_at": now,
    }
    fields.update(kwargs)
    return services.call_log(user=collector, case=case, attempt=attempt, **fields)


# --- next case ---------------------------------------------------------------------


def test_next_case_claims_the_highest_priority_due_task(
    collector, queue, working_hours
):
    low = task_for(make_case(queue, priority=5))
    high = task_for(make_case(queue, priority=50))

    claimed = services.call_task_claim_next(user=collector)

    assert claimed.pk == high.pk
    high.refresh_from_db()
    assert high.claimed_by == collector
    assert high.status == CallTask.Status.CLAIMED
    assert high.claimed_until == pytest.approx(
        timezone.now() + dt.timedelta(minutes=15), abs=dt.timedelta(seconds=5)
    )
    low.refresh_from_db()
    assert low.claimed_by is None


def test_two_collectors_get_different_tasks(collector, teammate, queue, working_hours):
    task_for(make_case(queue))
    task_for(make_case(queue))

    first = services.call_task_claim_next(user=collector)
    second = services.call_task_claim_next(user=teammate)

    assert first.pk != second.pk


def test_pressing_next_twice_returns_the_task_already_held(
    collector, queue, working_hours
):
    task_for(make_case(queue))
    task_for(make_case(queue))

    first = services.call_task_claim_next(user=collector)
    again = services.call_task_claim_next(user=collector)

    assert again.pk == first.pk
    assert CallTask.objects.filter(claimed_by=collector).count() == 1


def test_an_expired_claim_can_be_taken_by_someone_else(
    collector, teammate, queue, working_hours
):
    task = task_for(make_case(queue))
    task.claimed_by = collector
    task.claimed_until = timezone.now() - dt.timedelta(minutes=1)
    task.status = CallTask.Status.CLAIMED
    task.save()

    assert services.call_task_claim_next(user=teammate).pk == task.pk


def test_a_task_not_yet_due_is_not_claimed(collector, queue, working_hours):
    case = make_case(queue)
    task_for(case, due_at=timezone.now() + dt.timedelta(hours=2))
    CallTask.objects.filter(case=case).update(priority=10**6)
    other = make_case(queue, priority=1)

    claimed = services.call_task_claim_next(user=collector)

    # The future task's case has an open task, so the fallback picks the other case.
    assert claimed.case_id == other.pk


def test_next_case_skips_a_customer_the_gate_blocks(collector, queue, working_hours):
    blocked = make_case(queue, priority=90)
    ContactRestriction.objects.create(
        customer=blocked.customer,
        kind=ContactRestriction.Kind.CEASE_COMMUNICATION,
        starts_at=timezone.now() - dt.timedelta(days=1),
        reason="Asked us to stop",
    )
    task_for(blocked)
    allowed = task_for(make_case(queue, priority=10))

    assert services.call_task_claim_next(user=collector).pk == allowed.pk


def test_next_case_gives_nothing_outside_calling_hours(collector, queue, time_machine):
    time_machine.move_to(NIGHT, tick=False)
    task_for(make_case(queue))

    assert services.call_task_claim_next(user=collector) is None


def test_another_teams_tasks_are_never_claimed(collector, other_queue, working_hours):
    task_for(make_case(other_queue))

    assert services.call_task_claim_next(user=collector) is None


def test_without_tasks_the_best_open_case_gets_a_claimed_task(
    collector, queue, working_hours
):
    make_case(queue, priority=5)
    best = make_case(queue, priority=70)

    task = services.call_task_claim_next(user=collector)

    assert task.case_id == best.pk
    assert task.claimed_by == collector
    assert CallTask.objects.filter(case=best).count() == 1


def test_supervisor_reviews_are_not_handed_out_as_calls(
    collector, queue, working_hours
):
    from cases.models import EscalationPolicy, EscalationStep

    policy = EscalationPolicy.objects.create(code="p", name="P")
    review = EscalationStep.objects.create(
        policy=policy,
        order=1,
        name="Review",
        trigger="dpd",
        trigger_days=1,
        action=EscalationStep.Action.SUPERVISOR_REVIEW,
    )
    case = make_case(queue, priority=99)
    task_for(case, step=review)

    task = services.call_task_claim_next(user=collector)

    assert task is None or task.step_id is None


# --- starting calls ----------------------------------------------------------------


def test_starting_an_allowed_call_records_a_pending_attempt(collector, case, phone):
    attempt = start(collector, case, phone)

    assert attempt.allowed
    assert attempt.result == ContactAttempt.Result.PENDING
    assert attempt.actor == collector
    assert attempt.contact_point == phone


def test_a_blocked_contact_point_cannot_be_called_and_the_refusal_is_recorded(
    collector, case, phone
):
    ContactRestriction.objects.create(
        customer=case.customer,
        kind=ContactRestriction.Kind.DISPUTE,
        starts_at=timezone.now() - dt.timedelta(days=1),
        reason="Disputes the amount",
    )

    with pytest.raises(ApplicationError) as excinfo:
        start(collector, case, phone)

    assert "disputed" in excinfo.value.errors["contact_point"][0]
    blocked = ContactAttempt.objects.get(case=case)
    assert blocked.result == ContactAttempt.Result.BLOCKED


def test_a_call_at_night_is_refused_naming_the_window(
    collector, case, phone, time_machine
):
    time_machine.move_to(NIGHT, tick=False)

    with pytest.raises(ApplicationError) as excinfo:
        start(collector, case, phone)

    assert "window" in excinfo.value.message


def test_another_customers_phone_cannot_be_called(collector, case, queue):
    other = make_case(queue)
    with pytest.raises(ApplicationError) as excinfo:
        start(collector, case, other.customer.contact_points.get())
    assert "contact_point" in excinfo.value.errors


# --- logging calls -----------------------------------------------------------------


def test_disclosure_before_identity_confirmation_is_refused(collector, case, phone):
    attempt = start(collector, case, phone)

    with pytest.raises(ApplicationError) as excinfo:
        log(collector, case, attempt, identity_confirmed=False, disclosure_made=True)

    assert "identity" in excinfo.value.errors["disclosure_made"][0]
    assert not CallLog.objects.exists()
    attempt.refresh_from_db()
    assert attempt.result == ContactAttempt.Result.PENDING


def test_a_third_party_is_told_nothing_about_the_debt(collector, case, phone):
    attempt = start(collector, case, phone)
    with pytest.raises(ApplicationError) as excinfo:
        log(
            collector,
            case,
            attempt,
            outcome=CallLog.Outcome.THIRD_PARTY,
            identity_confirmed=True,
            disclosure_made=True,
        )
    assert "disclosure_made" in excinfo.value.errors


def test_a_logged_conversation_completes_the_ledger_and_the_task(
    collector, case, phone
):
    task = task_for(case)
    services.call_task_claim_next(user=collector)
    attempt = start(collector, case, phone)

    call = log(collector, case, attempt)

    attempt.refresh_from_db()
    assert attempt.result == ContactAttempt.Result.CONVERSATION
    task.refresh_from_db()
    assert task.status == CallTask.Status.DONE
    assert call.task == task
    assert call.right_party_contact
    assert call.duration_seconds == 180
    case.refresh_from_db()
    assert case.last_contact_at == call.started_at


@pytest.mark.parametrize(
    ("outcome", "result"),
    [
        ("no_answer", "no_answer"),
        ("voicemail", "voicemail"),
        ("not_connected", "not_connected"),
        ("third_party", "third_party"),
        ("refused", "conversation"),
        ("hardship", "conversation"),
    ],
)
def test_the_ledger_result_follows_the_outcome(collector, case, phone, outcome, result):
    attempt = start(collector, case, phone)
    talked = result == "conversation"
    log(
        collector,
        case,
        attempt,
        outcome=outcome,
        identity_confirmed=talked,
        disclosure_made=talked,
    )
    attempt.refresh_from_db()
    assert attempt.result == result
    case.refresh_from_db()
    assert (case.last_contact_at is not None) == talked


def test_threatening_notes_are_flagged(collector, case, phone):
    attempt = start(collector, case, phone)
    call = log(collector, case, attempt, notes="再不还钱我们就上门找你")
    assert call.notes_flagged


def test_plain_notes_are_not_flagged(collector, case, phone):
    call = log(collector, case, start(collector, case, phone))
    assert not call.notes_flagged


def test_a_callback_becomes_a_task_due_then(collector, case, phone):
    at = timezone.now() + dt.timedelta(days=1)
    log(
        collector,
        case,
        start(collector, case, phone),
        outcome=CallLog.Outcome.CALLBACK,
        callback_at=at,
    )
    callback = CallTask.objects.get(case=case, status=CallTask.Status.OPEN)
    assert callback.due_at == at
    assert callback.reason.startswith("Callback")


def test_a_callback_outcome_needs_a_time(collector, case, phone):
    with pytest.raises(ApplicationError) as excinfo:
        log(
            collector,
            case,
            start(collector, case, phone),
            outcome=CallLog.Outcome.CALLBACK,
        )
    assert "callback_at" in excinfo.value.errors


def test_a_wrong_number_is_marked_invalid_and_not_called_again(collector, case, phone):
    log(
        collector,
        case,
        start(collector, case, phone),
        outcome=CallLog.Outcome.WRONG_NUMBER,
        identity_confirmed=False,
        disclosure_made=False,
    )
    phone.refresh_from_db()
    assert phone.invalid_at is not None
    with pytest.raises(ApplicationError):
        start(collector, case, ContactPoint.objects.get(pk=phone.pk))


def test_a_call_cannot_be_logged_twice(collector, case, phone):
    attempt = start(collector, case, phone)
    log(collector, case, attempt)
    with pytest.raises(ApplicationError):
        log(collector, case, attempt)


def test_revealing_a_phone_number_is_audited(collector, case, phone):
    value = services.pii_reveal(
        user=collector,
        case=case,
        field="contact_point",
        contact_point=phone,
        reason="confirming the number",
    )
    assert value == phone.value
    reveal = PiiReveal.objects.get()
    assert (reveal.user, reveal.customer, reveal.field) == (
        collector,
        case.customer,
        "contact_point",
    )


def test_a_case_whose_next_case_task_was_closed_elsewhere_gets_a_new_one(
    collector, queue, working_hours
):
    case = make_case(queue)
    first = services.call_task_claim_next(user=collector)
    CallTask.objects.filter(pk=first.pk).update(status=CallTask.Status.CANCELLED)

    second = services.call_task_claim_next(user=collector)

    assert second.case_id == case.pk
    assert second.pk != first.pk
