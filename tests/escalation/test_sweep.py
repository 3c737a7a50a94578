"""The escalation sweep through the real compliance gate."""

import datetime as dt
import os
import signal
import zoneinfo
from collections import Counter
from decimal import Decimal

import pytest
from billiard.exceptions import WorkerLostError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from calls.models import CallTask
from cases.models import Case, EscalationPolicy, EscalationStep
from compliance.models import ContactAttempt, ContactRestriction, Decision
from compliance.services import contact_evaluate, contact_preference_record
from escalation import sweep
from escalation.models import WorkItem
from escalation.sweep import escalation_sweep
from messaging.models import OutboundMessage
from tests.cases.factories import (
    CaseFactory,
    ContactPointFactory,
    PaymentFactory,
    PromiseToPayFactory,
)
from tests.celery_harness import redis_server, send, wait_for, worker
from tests.messaging.factories import MessageTemplateFactory

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db
Step = EscalationStep


def day(n, hour=10):
    """Day n of delinquency (day 1 = 2026-12-01), at `hour` in Shanghai."""
    return dt.datetime(2026, 11, 30, hour, tzinfo=SHANGHAI) + dt.timedelta(days=n)


@pytest.fixture
def ladder(queue):
    # Replace the installed default ladder with one whose steps the tests spell out.
    EscalationPolicy.objects.all().delete()
    policy = EscalationPolicy.objects.create(
        code="standard", name="Standard", status="active", is_default=True
    )
    MessageTemplateFactory(code="sms-reminder", channel="sms")
    MessageTemplateFactory(
        code="email-reminder", channel="email", subject="逾期提醒", body="{{ name }}"
    )
    Step.objects.create(
        policy=policy,
        order=1,
        name="SMS",
        trigger=Step.Trigger.DPD,
        trigger_days=1,
        action=Step.Action.SMS,
        template_code="sms-reminder",
    )
    Step.objects.create(
        policy=policy,
        order=2,
        name="Email",
        trigger=Step.Trigger.AFTER_PREVIOUS,
        trigger_days=2,
        action=Step.Action.EMAIL,
        template_code="email-reminder",
    )
    Step.objects.create(
        policy=policy,
        order=3,
        name="Call",
        trigger=Step.Trigger.AFTER_PREVIOUS,
        trigger_days=4,
        action=Step.Action.CALL_TASK,
        queue=queue,
    )
    return policy


@pytest.fixture
def case(ladder):
    case = CaseFactory(max_days_past_due=1, opened_at=day(1, 1))
    ContactPointFactory(customer=case.customer, value="+8613800138001")
    ContactPointFactory(
        customer=case.customer, channel="email", value="wang.wei@example.cn"
    )
    return case


def sweep_days(case, days):
    """Run the sweep each day at 10:00, keeping DPD in step with the day."""
    for n in days:
        Case.objects.filter(pk=case.pk).update(max_days_past_due=n)
        escalation_sweep(at=day(n))


def test_the_ladder_goes_sms_day_1_email_day_3_call_day_7_without_reply(case, queue):
    sweep_days(case, range(1, 9))
    messages = OutboundMessage.objects.filter(case=case).order_by("send_after")
    assert [(m.channel, m.send_after) for m in messages] == [
        ("sms", day(1)),
        ("email", day(3)),
    ]
    [task] = CallTask.objects.filter(case=case)
    assert (task.due_at, task.queue) == (day(7), queue)
    # Every message has its allowing decision in the ledger.
    for message in messages:
        attempt = message.contact_attempt
        assert attempt.allowed and attempt.result == "pending"
        assert (attempt.contact_value, attempt.third_party) == (
            {"sms": "+8613800138001", "email": "wang.wei@example.cn"}[message.channel],
            False,
        )
        assert attempt.contact_point_id == message.contact_point_id
        assert attempt.decision.allowed
        assert attempt.decision.rule_pack == "cn"


def test_a_payment_on_day_5_stops_the_ladder(case):
    sweep_days(case, range(1, 5))
    PaymentFactory(loan__customer=case.customer, received_at=day(5, 9))
    sweep_days(case, range(5, 10))
    assert OutboundMessage.objects.filter(case=case).count() == 2
    assert not CallTask.objects.filter(case=case).exists()


def test_a_reply_pauses_the_ladder(case):
    sweep_days(case, range(1, 3))
    Case.objects.filter(pk=case.pk).update(last_reply_at=day(2, 12))
    sweep_days(case, range(3, 10))
    assert OutboundMessage.objects.filter(case=case).count() == 1


def test_the_ladder_resumes_after_the_reply_pause(case, settings):
    """A reply (even STOP to the SMS) pauses the ladder for LADDER_REPLY_PAUSE_DAYS,
    never for good: a customer who replied to the first SMS still reaches the
    email and the call (the journey simulation found 16 of 16 such cases stuck on
    rung 1 after 120 days)."""
    settings.LADDER_REPLY_PAUSE_DAYS = 7
    sweep_days(case, range(1, 3))
    Case.objects.filter(pk=case.pk).update(last_reply_at=day(2, 12))
    sweep_days(case, range(3, 10))
    assert OutboundMessage.objects.filter(case=case).count() == 1
    sweep_days(case, range(10, 16))
    messages = OutboundMessage.objects.filter(case=case).order_by("send_after")
    assert [m.channel for m in messages] == ["sms", "email"]
    assert messages[1].send_after == day(10)


def test_a_second_sweep_in_the_same_window_creates_nothing(case):
    first = escalation_sweep(at=day(1))
    counts = (
        OutboundMessage.objects.count(),
        ContactAttempt.objects.count(),
        Decision.objects.count(),
    )
    second = escalation_sweep(at=day(1, 10) + dt.timedelta(minutes=5))
    assert (first.created, second.created) == (1, 0)
    assert (
        counts
        == (
            OutboundMessage.objects.count(),
            ContactAttempt.objects.count(),
            Decision.objects.count(),
        )
        == (1, 1, 1)
    )


def test_a_contact_outside_hours_is_deferred_to_the_window_not_dropped(case):
    report = escalation_sweep(at=day(1, 23))
    case.refresh_from_db()
    assert report.created == 0
    assert report.reasons["contact_window"] == 1
    assert case.next_action_at == day(2, 8)
    assert case.stage is None
    # The blocked decision is on the ledger, and blocks nothing else (not allowed).
    assert ContactAttempt.objects.get(case=case).result == "blocked"
    # Before the window opens nothing happens; once it opens the SMS goes.
    assert escalation_sweep(at=day(2, 7)).created == 0
    assert escalation_sweep(at=day(2, 8)).created == 1


def test_a_cease_request_blocks_the_sms_and_rechecks_a_day_later(case):
    ContactRestriction.objects.create(
        customer=case.customer,
        kind="cease_communication",
        starts_at=day(0),
        reason="written request",
    )
    report = escalation_sweep(at=day(1))
    case.refresh_from_db()
    assert report.reasons["cease_communication"] == 1
    assert report.steps["standard v1 #1 SMS"]["blocked"] == 1
    assert case.next_action_at == day(2)
    assert not OutboundMessage.objects.exists()


def test_a_pending_promise_pauses_the_ladder(case):
    PromiseToPayFactory(case=case, due_date=day(10).date(), amount=Decimal("100"))
    assert escalation_sweep(at=day(1)).created == 0


def test_a_dry_run_counts_but_writes_nothing(case):
    report = escalation_sweep(at=day(1), dry_run=True)
    assert report.created == 1
    assert not OutboundMessage.objects.exists()
    assert not Decision.objects.exists()
    case.refresh_from_db()
    assert case.stage is None


def test_the_sweep_uses_a_bounded_number_of_queries(
    ladder, django_assert_max_num_queries
):
    for i in range(30):
        c = CaseFactory(max_days_past_due=1)
        ContactPointFactory(customer=c.customer, value=f"+86138001390{i:02d}")
    with django_assert_max_num_queries(40):
        report = escalation_sweep(at=day(1))
    assert report.created == 30


def test_run_escalation_prints_counts_per_step_and_reason(case, capsys):
    call_command("run_escalation", "--at", day(1, 23).isoformat(), "--dry-run")
    out = capsys.readouterr().out
    assert "Would create 0 action(s)" in out
    assert "blocked by contact_window: 1" in out


def test_a_supervisor_review_step_creates_a_work_item_not_a_call_task(queue, team):
    # The installed default ladder: call (order 3) then supervisor review at 60 DPD.
    policy = EscalationPolicy.objects.get(code="standard", status="active")
    case = CaseFactory(
        max_days_past_due=60,
        queue=queue,
        stage=policy.steps.get(order=3),
        stage_at=day(1),
    )
    assert escalation_sweep(at=day(60)).created == 1
    assert not CallTask.objects.filter(case=case).exists()
    [item] = WorkItem.objects.filter(case=case)
    assert (item.kind, item.state, item.team) == ("supervisor_review", "open", team)
    assert item.reason == "Supervisor review: Supervisor review"
    assert item.due_at == day(60)
    case.refresh_from_db()
    assert case.stage.order == 4
    assert escalation_sweep(at=day(60, 11)).created == 0
    assert WorkItem.objects.count() == 1


def test_a_legal_referral_step_opens_a_legal_item_and_a_legal_hold(queue, team):
    policy = EscalationPolicy.objects.get(code="standard", status="active")
    case = CaseFactory(
        max_days_past_due=90,
        queue=queue,
        stage=policy.steps.get(order=4),
        stage_at=day(60),
    )
    ContactPointFactory(customer=case.customer, value="+8613800138020")
    assert escalation_sweep(at=day(90)).created == 1
    [item] = WorkItem.objects.filter(case=case)
    assert item.kind == "legal_referral"
    assert item.hold.kind == "legal_hold"
    assert item.hold.customer_id == case.customer_id
    # The gate now blocks collection contact.
    decision = contact_evaluate(customer=case.customer, channel="call", at=day(91))
    assert not decision.allowed
    assert "legal_hold" in decision.codes
    # And the call queue knows at once: "Next case" does not spend a press finding
    # out (2,000 held referrals took every press of the 365-day journey).
    case.refresh_from_db()
    assert case.next_call_reason == Case.NextCall.GATE
    assert case.next_call_at >= day(90) + dt.timedelta(days=29)


@pytest.fixture
def twenty_cases(ladder):
    cases = []
    for i in range(20):
        c = CaseFactory(max_days_past_due=1)
        ContactPointFactory(customer=c.customer, value=f"+86138001391{i:02d}")
        cases.append(c)
    for c in cases[:5]:
        ContactRestriction.objects.create(
            customer=c.customer,
            kind="cease_communication",
            starts_at=day(0),
            reason="written request",
        )
    return cases


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_batches_in_several_processes_do_what_one_connection_does(
    twenty_cases, settings, monkeypatch, tmp_path
):
    settings.ESCALATION_SWEEP_WORKERS = 3
    batch = sweep._sweep_batch
    pids = tmp_path / "pids"

    def spy(**kwargs):
        with pids.open("a") as out:
            out.write(f"{os.getpid()}\n")
        return batch(**kwargs)

    monkeypatch.setattr(sweep, "_sweep_batch", spy)
    report = escalation_sweep(at=day(1), batch_size=3)
    ran_in = pids.read_text().split()
    assert len(ran_in) == 7  # seven batches of three cases
    assert str(os.getpid()) not in ran_in
    assert len(set(ran_in)) > 1  # really side by side, in processes of their own
    assert report.steps["standard v1 #1 SMS"] == Counter(created=15, blocked=5)
    assert report.reasons == Counter(cease_communication=5)
    allowed = {c.pk for c in twenty_cases[5:]}
    assert set(OutboundMessage.objects.values_list("case_id", flat=True)) == allowed
    assert OutboundMessage.objects.count() == 15
    assert ContactAttempt.objects.filter(result="blocked").count() == 5
    assert set(Case.objects.filter(stage__order=1).values_list("pk", flat=True)) == (
        allowed
    )
    again = escalation_sweep(at=day(1) + dt.timedelta(minutes=5), batch_size=3)
    assert again.created == 0
    assert OutboundMessage.objects.count() == 15


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_simulation_runs_its_batches_in_the_calling_process(
    twenty_cases, ladder, settings, monkeypatch
):
    """Simulations run in web requests, maybe on a threaded server: no fork there."""
    settings.ESCALATION_SWEEP_WORKERS = 3
    batch = sweep._sweep_batch
    ran_in = []

    def spy(**kwargs):
        ran_in.append(os.getpid())
        return batch(**kwargs)

    monkeypatch.setattr(sweep, "_sweep_batch", spy)
    report = sweep.escalation_simulate(policy=ladder, at=day(1), batch_size=3)
    assert ran_in == [os.getpid()] * 7
    assert report.steps["standard v1 #1 SMS"] == Counter(created=15, blocked=5)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_batch_failing_in_another_process_fails_the_sweep(
    twenty_cases, settings, monkeypatch
):
    settings.ESCALATION_SWEEP_WORKERS = 2
    batch = sweep._sweep_batch

    def failing(**kwargs):
        if twenty_cases[-1].pk in kwargs["case_ids"]:
            raise RuntimeError("disk full")
        return batch(**kwargs)

    monkeypatch.setattr(sweep, "_sweep_batch", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        escalation_sweep(at=day(1), batch_size=3)
    # The failed batch wrote nothing; the next sweep picks its cases up.
    monkeypatch.setattr(sweep, "_sweep_batch", batch)
    escalation_sweep(at=day(1) + dt.timedelta(minutes=5), batch_size=3)
    assert OutboundMessage.objects.count() == 15


@pytest.mark.postgres
def test_the_sweep_moves_cases_in_place_without_touching_their_indexes(twenty_cases):
    """Decision 20: nothing the sweep writes on a case is indexed and the table keeps
    room on its pages, so PostgreSQL updates the rows in place (HOT). An index on
    stage, stage_at or next_action_at would make every move write every index."""

    def updates():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables "
                "WHERE relname = 'cases_case'"
            )
            return cursor.fetchone()

    before = updates()
    report = escalation_sweep(at=day(1))
    after = updates()
    moved, in_place = after[0] - before[0], after[1] - before[1]
    assert report.created == 15
    assert moved >= 20  # 15 moved on, 5 deferred
    assert in_place == moved


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_beat_sweep_forks_its_batch_processes_inside_a_celery_worker(
    twenty_cases, any_hour, gateway
):
    """A Celery pool process is daemonic; the standard library's multiprocessing
    refuses it children. The scheduled sweep, not fanned out over the workers
    (ESCALATION_SWEEP_FANOUT off), still runs its batches in processes."""
    # The worker sweeps at the real now: the cease requests are in force by then.
    ContactRestriction.objects.update(starts_at=timezone.now() - dt.timedelta(days=1))
    env = {
        "ESCALATION_SWEEP_FANOUT": 0,
        "ESCALATION_SWEEP_WORKERS": 2,
        "ESCALATION_SWEEP_BATCH_SIZE": 3,
    }
    with (
        redis_server() as redis,
        worker(broker=redis.url, gateway=gateway.url, **env) as w,
    ):
        send("cases.tasks.run_escalation_sweep", redis.url)
        wait_for(lambda: Decision.objects.count() == 20, timeout=60, what="the sweep")
        wait_for(
            lambda: (
                "run_escalation_sweep" in w.log.read_text()
                and "succeeded" in w.log.read_text()
            ),
            timeout=30,
            what="the task to finish",
        )
        assert "escalation sweep: 7 batches in 2 processes" in w.log.read_text()
    # The five cease requests blocked; every other case moved on or, if the gate
    # deferred it (a holiday), waits for its time. None lost, none twice.
    assert ContactAttempt.objects.filter(result="blocked").count() == 5
    moved = set(Case.objects.filter(stage__order=1).values_list("pk", flat=True))
    waiting = set(
        Case.objects.filter(
            stage__isnull=True, next_action_at__isnull=False
        ).values_list("pk", flat=True)
    )
    assert moved | waiting == {c.pk for c in twenty_cases}
    assert OutboundMessage.objects.count() == len(moved)
    assert len(set(OutboundMessage.objects.values_list("case_id", flat=True))) == len(
        moved
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_batch_process_killed_before_commit_loses_nothing(
    twenty_cases, settings, monkeypatch
):
    settings.ESCALATION_SWEEP_WORKERS = 2
    parent = os.getpid()
    victim = twenty_cases[-1].pk
    write = sweep.sweep_batch_write

    def write_then_die(ledger, messages):
        write(ledger, messages)  # written, not yet committed
        if os.getpid() != parent and any(e.case.pk == victim for e in ledger):
            os.kill(os.getpid(), signal.SIGKILL)

    monkeypatch.setattr(sweep, "sweep_batch_write", write_then_die)
    with pytest.raises(WorkerLostError):
        escalation_sweep(at=day(1), batch_size=3)
    # The killed batch's rows never committed: its cases are untouched.
    assert not OutboundMessage.objects.filter(case_id=victim).exists()
    assert not Decision.objects.filter(case_id=victim).exists()
    assert Case.objects.get(pk=victim).stage is None

    monkeypatch.setattr(sweep, "sweep_batch_write", write)
    escalation_sweep(at=day(1) + dt.timedelta(minutes=5), batch_size=3)
    keys = list(OutboundMessage.objects.values_list("idempotency_key", flat=True))
    assert len(keys) == len(set(keys)) == 15
    assert Decision.objects.filter(case_id=victim).count() == 1


def test_a_sweep_is_timed_and_its_decisions_and_actions_counted_for_metrics(
    case, django_capture_on_commit_callbacks
):
    from prometheus_client import REGISTRY

    def sample(name, **labels):
        return REGISTRY.get_sample_value(name, labels) or 0.0

    sweeps = sample("collections_sweep_duration_seconds_count")
    allowed = sample(
        "collections_compliance_decisions_total", outcome="allow", reason="none"
    ) + sample(
        "collections_compliance_decisions_total",
        outcome="allow_with_conditions",
        reason="none",
    )
    sms = sample("collections_sweep_actions_total", action="sms", result="created")

    with django_capture_on_commit_callbacks(execute=True):
        report = escalation_sweep(at=day(1))

    assert report.created == 1
    assert sample("collections_sweep_duration_seconds_count") == sweeps + 1
    assert (
        sample("collections_sweep_actions_total", action="sms", result="created")
        == sms + 1
    )
    after = sample(
        "collections_compliance_decisions_total", outcome="allow", reason="none"
    ) + sample(
        "collections_compliance_decisions_total",
        outcome="allow_with_conditions",
        reason="none",
    )
    assert after == allowed + 1


# --- a ladder that always moves (issue 17, item 1) ---------------------------------


def test_a_customer_with_no_email_skips_the_email_rung_and_reaches_the_call_same_sweep(
    ladder, queue
):
    """Issue 17: 13 of 46 cases stayed on rung 1 after 100 days, their email rung
    "blocked" every day with no next time. In small form: no email address at all."""
    sms = ladder.steps.get(order=1)
    case = CaseFactory(max_days_past_due=11, stage=sms, stage_at=day(1))
    ContactPointFactory(customer=case.customer, value="+8613800138011")

    report = escalation_sweep(at=day(11))

    case.refresh_from_db()
    assert case.stage.order == 3
    [task] = CallTask.objects.filter(case=case)
    assert task.due_at == day(11)
    assert report.steps["standard v1 #2 Email"]["skipped"] == 1
    # The skip is on the ledger with the gate's reason and the skip's, in en and zh.
    attempt = ContactAttempt.objects.get(case=case, channel="email")
    assert attempt.result == "blocked"
    codes = [r["code"] for r in attempt.decision.reasons]
    assert codes == ["invalid_contact_point", "rung_skipped"]
    skip = attempt.decision.reasons[-1]
    assert "next rung" in skip["message"]
    assert "下一级" in skip["message_zh"]
    # Timing counts from the last rung actually done (the SMS), not from the skip.
    assert case.stage_at == day(11)


def test_after_a_skipped_rung_the_next_waits_counting_from_the_last_rung_done(
    ladder, queue
):
    case = CaseFactory(max_days_past_due=1, opened_at=day(1, 1))
    ContactPointFactory(customer=case.customer, value="+8613800138012")
    sweep_days(case, range(1, 5))
    case.refresh_from_db()
    # SMS on day 1; the email rung (due day 3) skipped; the call is 4 days after
    # the SMS, so day 5, not day 7.
    assert case.stage.order == 2
    assert case.stage_at == day(1)
    assert not CallTask.objects.filter(case=case).exists()
    sweep_days(case, [5])
    [task] = CallTask.objects.filter(case=case)
    assert task.due_at == day(5)


def test_a_skipped_first_rung_starts_the_clock_for_the_next(ladder, queue):
    ladder.steps.filter(order=1).update(on_unusable="skip")
    case = CaseFactory(max_days_past_due=1, opened_at=day(1, 1))
    ContactPointFactory(
        customer=case.customer, value="+8613800138013", opted_out_at=day(0)
    )
    ContactPointFactory(
        customer=case.customer, channel="email", value="li.na@example.cn"
    )
    sweep_days(case, range(1, 4))
    case.refresh_from_db()
    # No SMS possible: skipped on day 1; the email 2 days later, on day 3.
    assert [m.channel for m in OutboundMessage.objects.filter(case=case)] == ["email"]
    assert case.stage.order == 2


def test_a_rung_set_to_wait_waits_for_a_usable_channel(ladder, queue):
    ladder.steps.filter(order=2).update(on_unusable="wait")
    sms = ladder.steps.get(order=1)
    case = CaseFactory(max_days_past_due=11, stage=sms, stage_at=day(1))
    ContactPointFactory(customer=case.customer, value="+8613800138014")

    report = escalation_sweep(at=day(11))

    case.refresh_from_db()
    assert case.stage.order == 1
    assert case.next_action_at == day(12)
    assert report.steps["standard v1 #2 Email"]["blocked"] == 1
    assert not CallTask.objects.filter(case=case).exists()


def substitute_sms_for_email(ladder):
    """Rung 2 (email) sends an SMS instead where email cannot reach the customer."""
    ladder.steps.filter(order=2).update(
        on_unusable="substitute",
        substitute_action="sms",
        substitute_template_code="sms-reminder",
    )


def test_a_rung_set_to_substitute_sends_on_the_other_channel(ladder, queue):
    substitute_sms_for_email(ladder)
    sms = ladder.steps.get(order=1)
    case = CaseFactory(max_days_past_due=11, stage=sms, stage_at=day(1))
    ContactPointFactory(customer=case.customer, value="+8613800138015")

    report = escalation_sweep(at=day(11))

    case.refresh_from_db()
    assert case.stage.order == 2
    assert case.stage_at == day(11)
    [message] = OutboundMessage.objects.filter(case=case, step__order=2)
    assert message.channel == "sms"
    assert message.contact_attempt.allowed
    assert report.steps["standard v1 #2 Email"]["substituted"] == 1


def test_a_customer_who_prefers_the_substitute_channel_gets_it_first(ladder, queue):
    substitute_sms_for_email(ladder)
    sms = ladder.steps.get(order=1)
    # Both reachable by email and SMS; one prefers SMS, the other said nothing.
    prefers, silent, unreachable = (
        CaseFactory(max_days_past_due=11, stage=sms, stage_at=day(1)) for _ in range(3)
    )
    for n, case in enumerate((prefers, silent)):
        ContactPointFactory(customer=case.customer, value=f"+861380013803{n}")
    for n, case in enumerate((prefers, silent, unreachable)):
        ContactPointFactory(
            customer=case.customer, channel="email", value=f"c{n}@example.cn"
        )
    # The third prefers SMS but has no phone: the rung's own email reaches them.
    for case in (prefers, unreachable):
        contact_preference_record(
            customer=case.customer,
            kind="preferred_channel",
            channel="sms",
            reason="Texts, please.",
            source="customer_self_service",
            starts_at=day(1),
        )

    report = escalation_sweep(at=day(11))

    channels = {
        m.case_id: m.channel for m in OutboundMessage.objects.filter(step__order=2)
    }
    assert channels == {prefers.pk: "sms", silent.pk: "email", unreachable.pk: "email"}
    counts = report.steps["standard v1 #2 Email"]
    assert (counts["created"], counts["preferred"], counts["substituted"]) == (3, 1, 0)
    for case in (prefers, silent, unreachable):
        case.refresh_from_db()
        assert case.stage.order == 2


def test_a_hold_defers_rather_than_skips(ladder, queue):
    sms = ladder.steps.get(order=1)
    case = CaseFactory(max_days_past_due=11, stage=sms, stage_at=day(1))
    ContactPointFactory(customer=case.customer, value="+8613800138016")
    ContactRestriction.objects.create(
        customer=case.customer,
        kind="legal_hold",
        starts_at=day(0),
        reason="litigation",
    )

    escalation_sweep(at=day(11))

    case.refresh_from_db()
    assert case.stage.order == 1
    assert case.next_action_at == day(12)
    assert not CallTask.objects.filter(case=case).exists()


def test_a_rerun_after_skipping_creates_nothing(ladder, queue):
    sms = ladder.steps.get(order=1)
    case = CaseFactory(max_days_past_due=11, stage=sms, stage_at=day(1))
    ContactPointFactory(customer=case.customer, value="+8613800138017")
    escalation_sweep(at=day(11))
    counts = (Decision.objects.count(), CallTask.objects.count())
    again = escalation_sweep(at=day(11) + dt.timedelta(minutes=5))
    assert again.created == 0
    assert (Decision.objects.count(), CallTask.objects.count()) == counts
