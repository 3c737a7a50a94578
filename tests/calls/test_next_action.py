"""The call queue's next action time (decision 42) and one holder per case
(decision 43): what each call outcome, promise, plan and skip does to "Next case"."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from calls import selectors, services
from calls.models import CallLog, CallTask
from cases.models import Case, PromiseToPay, RepaymentPlan, RepaymentPlanInstalment
from cases.services import (
    plan_propose,
    plan_refresh,
    promise_record,
    promise_refresh,
)
from cases.services.next_call import BROKEN_ARRANGEMENT_BOOST
from compliance.models import ContactRestriction
from compliance.restrictions import restriction_end
from core.errors import ApplicationError
from tests.calls.conftest import NIGHT, SHANGHAI, WORKING_HOURS, make_case

pytestmark = pytest.mark.django_db

Outcome = CallLog.Outcome


def claim(user):
    return services.call_task_claim_next(user=user)


def call(user, case, **fields):
    """Start a call on the case's phone and log it (a conversation by default)."""
    phone = case.customer.contact_points.get()
    _, attempt = services.call_start(user=user, case=case, contact_point=phone)
    now = timezone.now()
    values = {
        "outcome": Outcome.OTHER,
        "identity_confirmed": True,
        "disclosure_made": True,
        "started_at": now - dt.timedelta(minutes=2),
        "ended_at": now,
    }
    values.update(fields)
    if values["outcome"] not in services.CONVERSATION_OUTCOMES:
        values.update(identity_confirmed=False, disclosure_made=False)
    return services.call_log_with_promise(
        user=user, case=case, attempt=attempt, **values
    )


def fresh(case):
    return Case.objects.get(pk=case.pk)


def hold(case, kind=ContactRestriction.Kind.LEGAL_HOLD, *, days_ago=1):
    """A restriction with no end on the case's customer, in force since `days_ago`."""
    return ContactRestriction.objects.create(
        customer=case.customer,
        kind=kind,
        starts_at=timezone.now() - dt.timedelta(days=days_ago),
        reason="On hold",
    )


# --- every call sets the next action time ------------------------------------------


def test_next_case_does_not_hand_out_the_case_just_worked(
    collector, queue, working_hours
):
    worked = make_case(queue, reference="CASE-A", priority=90)
    other = make_case(queue, reference="CASE-B", priority=10)

    assert claim(collector).case_id == worked.pk
    call(collector, worked, outcome=Outcome.NO_ANSWER)

    assert claim(collector).case_id == other.pk


def test_no_answer_retries_after_the_configured_interval(
    collector, queue, working_hours, settings
):
    settings.CALL_RETRY_MINUTES = 90
    case = make_case(queue)
    claim(collector)
    call(collector, case, outcome=Outcome.NO_ANSWER)

    case = fresh(case)
    assert case.next_call_reason == Case.NextCall.NO_ANSWER
    assert case.next_call_at == pytest.approx(
        timezone.now() + dt.timedelta(minutes=90), abs=dt.timedelta(seconds=30)
    )


def test_the_case_comes_back_once_its_retry_time_has_passed(
    collector, queue, working_hours, time_machine, settings
):
    settings.CALL_RETRY_MINUTES = 60
    case = make_case(queue)
    claim(collector)
    call(collector, case, outcome=Outcome.NO_ANSWER)
    assert claim(collector) is None

    time_machine.move_to(WORKING_HOURS + dt.timedelta(minutes=61), tick=True)

    assert claim(collector).case_id == case.pk


def test_a_conversation_waits_the_configured_hours_when_the_pack_has_no_cooldown(
    collector, queue, working_hours, settings
):
    settings.CALL_AFTER_CONVERSATION_HOURS = 24
    case = make_case(queue)
    call(collector, case, outcome=Outcome.REFUSED)

    case = fresh(case)
    assert case.next_call_reason == Case.NextCall.CONVERSATION
    assert case.next_call_at == pytest.approx(
        timezone.now() + dt.timedelta(hours=24), abs=dt.timedelta(seconds=30)
    )


def test_a_conversation_waits_the_packs_cooldown_where_it_has_one(queue, db):
    """us (Regulation F 1006.14(b)(2)(i)(B) as policy): 7 days, the conversation day
    being day 1, so the next call is at the start of the 8th local day."""
    case = make_case(queue)
    case.customer.country = "US"
    case.customer.save()
    ended = dt.datetime(2026, 11, 30, 15, 0, tzinfo=ZoneInfo("America/New_York"))

    when, reason = services.next_call_for_outcome(
        case=case, outcome=Outcome.REFUSED, at=ended, callback_at=None
    )

    assert reason == Case.NextCall.CONVERSATION
    assert when.astimezone(ZoneInfo("America/New_York")).date() == dt.date(2026, 12, 7)
    assert (when.hour, when.minute) == (0, 0)


def test_a_callback_waits_for_the_agreed_time_then_comes_first(
    collector, queue, working_hours, time_machine
):
    called_back = make_case(queue, reference="CASE-CB", priority=1)
    best = make_case(queue, reference="CASE-BEST", priority=99)
    at = WORKING_HOURS + dt.timedelta(hours=3)
    call(collector, called_back, outcome=Outcome.CALLBACK, callback_at=at)
    assert fresh(called_back).next_call_at == at

    # Before it is due, the rest of the queue.
    task = claim(collector)
    assert task.case_id == best.pk
    services.case_claim_release(user=collector, case=best)

    time_machine.move_to(at + dt.timedelta(minutes=1), tick=True)
    assert claim(collector).case_id == called_back.pk


# --- arrangements ------------------------------------------------------------------


def test_a_promise_in_a_call_keeps_the_case_out_until_its_date_plus_grace(
    collector, queue, working_hours, settings
):
    settings.ARRANGEMENT_GRACE_DAYS = 2
    promised = make_case(queue, reference="CASE-P", priority=90)
    other = make_case(queue, reference="CASE-O", priority=10)
    due = WORKING_HOURS.date() + dt.timedelta(days=5)

    claim(collector)
    call(
        collector,
        promised,
        outcome=Outcome.PROMISE_TO_PAY,
        promise_amount=Decimal("500"),
        promise_due_date=due,
    )

    promised = fresh(promised)
    assert promised.next_call_reason == Case.NextCall.PROMISE
    # The whole due date and both grace days are the customer's.
    assert timezone.localtime(promised.next_call_at) == dt.datetime(
        2026, 12, 8, tzinfo=SHANGHAI
    )
    assert claim(collector).case_id == other.pk


def test_a_promise_recorded_outside_a_call_holds_the_case_too(queue, working_hours):
    case = make_case(queue)
    promise_record(
        case=case,
        amount=Decimal("100"),
        due_date=WORKING_HOURS.date() + dt.timedelta(days=1),
    )
    assert fresh(case).next_call_reason == Case.NextCall.PROMISE


def test_a_hold_never_shortens_a_later_next_call_time(queue, working_hours):
    case = make_case(queue)
    later = WORKING_HOURS + dt.timedelta(days=30)
    Case.objects.filter(pk=case.pk).update(
        next_call_at=later, next_call_reason=Case.NextCall.CALLBACK
    )
    promise_record(
        case=case,
        amount=Decimal("100"),
        due_date=WORKING_HOURS.date() + dt.timedelta(days=1),
    )
    assert fresh(case).next_call_at == later


def test_an_active_plan_holds_the_case_until_its_first_instalment_plus_grace(
    collector, queue, working_hours, settings
):
    settings.ARRANGEMENT_GRACE_DAYS = 3
    settings.PLAN_AUTO_APPROVE_MAX_INSTALMENTS = 6
    case = make_case(queue)
    first = WORKING_HOURS.date() + dt.timedelta(days=10)
    plan = plan_propose(
        case=case,
        kind="instalments",
        instalments=[
            {"due_date": first, "amount": Decimal("200")},
            {"due_date": first + dt.timedelta(days=30), "amount": Decimal("200")},
        ],
        reason="payday",
        proposed_by=collector,
    )
    assert plan.status == RepaymentPlan.Status.ACTIVE

    case = fresh(case)
    assert case.next_call_reason == Case.NextCall.PLAN
    assert timezone.localtime(case.next_call_at).date() == first + dt.timedelta(days=4)
    assert claim(collector) is None


def test_a_paid_instalment_moves_the_hold_on_to_the_next_one(
    collector, queue, working_hours, settings
):
    settings.PLAN_AUTO_APPROVE_MAX_INSTALMENTS = 6
    case = make_case(queue)
    first = WORKING_HOURS.date() + dt.timedelta(days=10)
    second = first + dt.timedelta(days=30)
    plan = plan_propose(
        case=case,
        kind="instalments",
        instalments=[
            {"due_date": first, "amount": Decimal("200")},
            {"due_date": second, "amount": Decimal("200")},
        ],
        reason="payday",
        proposed_by=collector,
    )
    RepaymentPlanInstalment.objects.filter(plan=plan, sequence=1).update(
        paid_amount=Decimal("200")
    )

    plan_refresh()

    held_until = timezone.localtime(fresh(case).next_call_at).date()
    assert held_until == second + dt.timedelta(days=settings.ARRANGEMENT_GRACE_DAYS + 1)


def test_a_broken_promise_brings_the_case_back_first_and_says_why(
    collector, queue, working_hours, time_machine, settings
):
    settings.ARRANGEMENT_GRACE_DAYS = 1
    broken = make_case(queue, reference="CASE-BROKEN", priority=5)
    make_case(queue, reference="CASE-HIGH", priority=90)
    due = WORKING_HOURS.date() + dt.timedelta(days=1)
    promise_record(case=broken, amount=Decimal("100"), due_date=due)

    # The day after the date the promise breaks; the grace day still holds it.
    time_machine.move_to(WORKING_HOURS + dt.timedelta(days=2), tick=True)
    promise_refresh()
    broken = fresh(broken)
    assert broken.call_boost == BROKEN_ARRANGEMENT_BOOST
    assert broken.next_call_reason == Case.NextCall.PROMISE_BROKEN
    assert PromiseToPay.objects.get(case=broken).status == "broken"
    assert claim(collector).case.reference == "CASE-HIGH"
    services.case_claim_release(
        user=collector, case=Case.objects.get(reference="CASE-HIGH")
    )

    # Grace over: back, ahead of the higher-priority case, with its reason shown.
    time_machine.move_to(WORKING_HOURS + dt.timedelta(days=3), tick=True)
    assert claim(collector).case_id == broken.pk
    _, rows = selectors.queue_page(user=collector, filters=selectors.QueueFilters())
    row = next(r for r in rows if r.case.pk == broken.pk)
    assert "Promise broken: back with priority" in row.reasons


def test_a_missed_plan_instalment_brings_the_case_back_with_its_reason(
    collector, queue, working_hours, time_machine, settings
):
    settings.PLAN_AUTO_APPROVE_MAX_INSTALMENTS = 6
    settings.ARRANGEMENT_GRACE_DAYS = 0
    case = make_case(queue)
    plan_propose(
        case=case,
        kind="deferral",
        instalments=[
            {
                "due_date": WORKING_HOURS.date() + dt.timedelta(days=1),
                "amount": Decimal("300"),
            }
        ],
        reason="salary late",
        proposed_by=collector,
    )
    time_machine.move_to(WORKING_HOURS + dt.timedelta(days=2), tick=True)

    plan_refresh()

    case = fresh(case)
    assert case.next_call_reason == Case.NextCall.PLAN_BROKEN
    assert case.call_boost == BROKEN_ARRANGEMENT_BOOST
    _, rows = selectors.queue_page(user=collector, filters=selectors.QueueFilters())
    assert "Plan instalment missed: back with priority" in rows[0].reasons


def test_the_next_call_resets_the_boost(collector, queue, working_hours):
    case = make_case(queue)
    Case.objects.filter(pk=case.pk).update(
        call_boost=BROKEN_ARRANGEMENT_BOOST,
        next_call_reason=Case.NextCall.PROMISE_BROKEN,
    )
    call(collector, case, outcome=Outcome.NO_ANSWER)
    assert fresh(case).call_boost == 0


# --- the queue page ----------------------------------------------------------------


def test_a_case_held_by_a_promise_is_not_shown_as_callable_now(
    collector, queue, working_hours
):
    case = make_case(queue)
    promise_record(
        case=case,
        amount=Decimal("100"),
        due_date=WORKING_HOURS.date() + dt.timedelta(days=3),
    )

    _, [row] = selectors.queue_page(user=collector, filters=selectors.QueueFilters())

    assert not row.callable_now
    assert row.waiting_until == fresh(case).next_call_at
    assert "Promise to pay pending" in row.blocked_reason


def test_callable_cases_come_first_across_the_whole_queue(
    collector, queue, working_hours, monkeypatch
):
    """Not only on the page: with room for two candidates by priority, a callable
    case below three held ones still tops the queue."""
    monkeypatch.setattr("calls.selectors.queue.QUEUE_DEPTH", 2)
    later = timezone.now() + dt.timedelta(days=2)
    for n in range(3):
        held = make_case(queue, reference=f"CASE-HELD{n}", priority=90 - n)
        Case.objects.filter(pk=held.pk).update(
            next_call_at=later, next_call_reason=Case.NextCall.NO_ANSWER
        )
    make_case(queue, reference="CASE-READY", priority=1)

    _, rows = selectors.queue_page(user=collector, filters=selectors.QueueFilters())

    assert rows[0].case.reference == "CASE-READY"
    assert rows[0].callable_now
    assert all(r.waiting_until for r in rows[1:])


def test_the_callback_diary_lists_todays_callbacks_with_their_times(
    collector, teammate, queue, working_hours
):
    mine = make_case(queue, reference="CASE-CB1")
    theirs = make_case(queue, reference="CASE-CB2")
    at = WORKING_HOURS + dt.timedelta(hours=2)
    call(collector, mine, outcome=Outcome.CALLBACK, callback_at=at)
    call(
        teammate,
        theirs,
        outcome=Outcome.CALLBACK,
        callback_at=WORKING_HOURS + dt.timedelta(hours=3),
    )

    [entry] = selectors.callback_diary(user=collector)

    assert entry.call.case == mine
    assert entry.at == at
    assert not entry.due and not entry.done


# --- gate blocks are written back --------------------------------------------------


def test_a_case_the_gate_blocks_is_deferred_so_no_claim_looks_at_it_again(
    collector, queue, working_hours, settings
):
    """A block with no end that is not a hold (here: every number is invalid) may
    end without anything telling the queue: looked at again after the recheck."""
    settings.CALL_BLOCKED_RECHECK_MINUTES = 45
    blocked = make_case(queue, priority=90)
    blocked.customer.contact_points.update(
        invalid_at=timezone.now(), invalid_reason="disconnected"
    )
    allowed = make_case(queue, priority=10)

    assert claim(collector).case_id == allowed.pk
    blocked = fresh(blocked)
    assert blocked.next_call_reason == Case.NextCall.GATE
    assert blocked.next_call_at == pytest.approx(
        timezone.now() + dt.timedelta(minutes=45), abs=dt.timedelta(seconds=30)
    )
    assert not CallTask.objects.filter(case=blocked).exists()


@pytest.mark.parametrize(
    "kind",
    [
        ContactRestriction.Kind.CEASE_COMMUNICATION,
        ContactRestriction.Kind.LEGAL_HOLD,
        ContactRestriction.Kind.DISPUTE,
    ],
)
def test_a_case_held_until_someone_ends_the_hold_waits_days_not_an_hour(
    collector, queue, working_hours, settings, kind
):
    """A hold with no end lasts until someone ends it: rechecked hourly, thousands of
    held cases of the highest priority (legal referrals, 90+ days) took every
    attempt of every press, and "Next case" gave collectors nothing for weeks (the
    365-day journey at 5,000 customers)."""
    settings.CALL_HELD_RECHECK_DAYS = 30
    held = make_case(queue, priority=90)
    hold(held, kind)
    allowed = make_case(queue, priority=10)

    assert claim(collector).case_id == allowed.pk
    held = fresh(held)
    assert held.next_call_reason == Case.NextCall.GATE
    assert held.next_call_at == pytest.approx(
        timezone.now() + dt.timedelta(days=30), abs=dt.timedelta(seconds=30)
    )


def test_ending_the_hold_brings_the_case_back_at_once(
    collector, queue, working_hours, settings
):
    settings.CALL_HELD_RECHECK_DAYS = 30
    held = make_case(queue, priority=90)
    legal = hold(held)
    other = make_case(queue, priority=10)
    assert claim(collector).case_id == other.pk
    assert fresh(held).next_call_at > timezone.now() + dt.timedelta(days=29)
    # The other case was called: its task done, the case waiting for its retry.
    CallTask.objects.filter(case=other).update(status=CallTask.Status.DONE)
    Case.objects.filter(pk=other.pk).update(
        next_call_at=timezone.now() + dt.timedelta(hours=2)
    )
    assert claim(collector) is None

    restriction_end(restriction=legal, reason="Court case withdrawn", actor=collector)

    assert fresh(held).next_call_at <= timezone.now()
    assert claim(collector).case_id == held.pk


def test_at_night_a_claim_defers_the_case_to_the_window_opening(
    collector, queue, time_machine
):
    time_machine.move_to(NIGHT, tick=False)
    case = make_case(queue)

    assert claim(collector) is None

    opens = timezone.localtime(fresh(case).next_call_at, SHANGHAI)
    assert (opens.date(), opens.hour) == (NIGHT.date() + dt.timedelta(days=1), 8)


# --- skip, release, one holder -----------------------------------------------------


def test_skipping_needs_a_reason_and_hands_out_another_case(
    collector, queue, working_hours, settings
):
    settings.CALL_SKIP_MINUTES = 30
    first = make_case(queue, reference="CASE-1", priority=90)
    second = make_case(queue, reference="CASE-2", priority=10)
    claim(collector)

    with pytest.raises(ApplicationError) as refused:
        services.case_skip(user=collector, case=first, reason="  ")
    assert "reason" in refused.value.errors

    services.case_skip(user=collector, case=first, reason="customer in hospital")

    first = fresh(first)
    assert first.next_call_reason == Case.NextCall.SKIPPED
    assert first.next_call_at == pytest.approx(
        timezone.now() + dt.timedelta(minutes=30), abs=dt.timedelta(seconds=30)
    )
    assert claim(collector).case_id == second.pk
    row = first.history.first()
    assert row.history_change_reason == "skipped: customer in hospital"
    assert row.history_user == collector
    [entry] = [e for e in selectors.case_timeline(case=first) if e.kind == "claim"]
    assert entry.title == "Skipped by collector"
    assert entry.detail == "customer in hospital"


def test_only_the_holder_may_skip_or_release(collector, teammate, queue, working_hours):
    case = make_case(queue)
    claim(collector)
    with pytest.raises(ApplicationError) as refused:
        services.case_skip(user=teammate, case=case, reason="busy")
    assert refused.value.code == "not_claimed"
    with pytest.raises(ApplicationError):
        services.case_claim_release(user=teammate, case=case)


def test_a_released_case_is_back_in_the_queue_at_once(
    collector, teammate, queue, working_hours
):
    case = make_case(queue)
    claim(collector)

    services.case_claim_release(user=collector, case=case)

    assert services.case_claim(case=case) is None
    assert claim(teammate).case_id == case.pk
    assert "claim released" in [h.history_change_reason for h in case.history.all()]


def test_a_second_collector_cannot_call_a_case_another_holds(
    collector, teammate, queue, working_hours
):
    case = make_case(queue)
    claim(collector)
    phone = case.customer.contact_points.get()

    with pytest.raises(ApplicationError) as refused:
        services.call_start(user=teammate, case=case, contact_point=phone)

    assert refused.value.code == "claimed_by_other"
    assert refused.value.status == 409
    assert "collector is working on case" in refused.value.message
    # Nothing reached the ledger for the refused call.
    assert not case.customer.contact_attempts.filter(actor=teammate).exists()


def test_a_supervisor_takes_over_explicitly_and_then_the_collector_is_refused(
    collector, supervisor, queue, working_hours
):
    case = make_case(queue)
    claim(collector)
    phone = case.customer.contact_points.get()
    with pytest.raises(ApplicationError):
        services.call_start(user=supervisor, case=case, contact_point=phone)

    task = services.case_claim_take_over(
        user=supervisor, case=case, reason="customer complained"
    )

    assert task.claimed_by == supervisor
    services.call_start(user=supervisor, case=case, contact_point=phone)
    with pytest.raises(ApplicationError) as refused:
        services.call_start(user=collector, case=case, contact_point=phone)
    assert refused.value.code == "claimed_by_other"
    reasons = [h.history_change_reason for h in fresh(case).history.all()]
    assert "claim taken over from collector: customer complained" in reasons


def test_a_collector_cannot_take_over(collector, teammate, queue, working_hours):
    case = make_case(queue)
    claim(teammate)
    with pytest.raises(ApplicationError) as refused:
        services.case_claim_take_over(user=collector, case=case, reason="mine")
    assert refused.value.status == 403


def test_the_daily_recheck_asks_about_held_cases_in_a_batch_not_a_press_each(
    collector, queue, working_hours, settings
):
    """Holds recorded in one week came due together a month later, and each press
    spent its attempts rediscovering them (the 365-day journey, day 38)."""
    settings.CALL_HELD_RECHECK_DAYS = 30
    now = timezone.now()
    held = [make_case(queue, priority=90) for _ in range(12)]
    for case in held:
        hold(case, days_ago=40)
    freed = make_case(queue, priority=50)
    callable_case = make_case(queue, priority=10)
    due = now - dt.timedelta(minutes=5)
    Case.objects.filter(pk__in=[c.pk for c in [*held, freed]]).update(
        next_call_at=due, next_call_reason=Case.NextCall.GATE
    )

    assert services.call_queue_recheck(now=now) == 12

    for case in held:
        assert fresh(case).next_call_at > now + dt.timedelta(days=29)
    assert fresh(freed).next_call_at == due  # the gate allows it now: still due
    assert fresh(callable_case).next_call_at is None
    # One press reaches the callable cases at once.
    assert claim(collector).case_id == freed.pk
