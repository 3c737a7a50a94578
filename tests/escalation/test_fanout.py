"""The scheduled sweep fanned out over Celery workers (escalation/fanout.py, issue 19
item 3): the same cases moved, the same ledger and outbox rows as the sweep in one
process, each batch at most once, the run's end recorded when its last batch ends."""

import datetime as dt
import threading
from collections import Counter

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from cases.models import Case
from collections_app.celery import app as celery_app
from compliance.models import ContactAttempt, ContactRestriction, Decision
from escalation import fanout, sweep
from escalation.models import SweepBatch, SweepRun
from messaging.models import OutboundMessage
from tests.cases.factories import CaseFactory, ContactPointFactory
from tests.celery_harness import redis_server, send, wait_for, worker
from tests.escalation.test_sweep import day, ladder, twenty_cases  # noqa: F401

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def eager(settings):
    """Tasks run in the test's process as they are sent (on commit)."""
    settings.ESCALATION_SWEEP_BATCH_SIZE = 3
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = False
        celery_app.conf.task_eager_propagates = False


def test_a_fanned_out_sweep_does_what_the_sweep_in_one_process_does(
    twenty_cases,  # noqa: F811
    eager,
):
    run = fanout.sweep_fanout_begin(at=day(1))

    run.refresh_from_db()
    assert run.state == SweepRun.State.FINISHED and run.finished_at is not None
    assert run.pending == 0
    # 20 cases due for the SMS rung, in batches of three: seven tasks.
    assert run.batches.count() == 7
    assert not run.batches.filter(done_at__isnull=True).exists()
    assert run.report["steps"]["standard v1 #1 SMS"] == {"created": 15, "blocked": 5}
    assert run.report["blocked_by_reason"] == {"cease_communication": 5}
    allowed = {c.pk for c in twenty_cases[5:]}
    assert set(OutboundMessage.objects.values_list("case_id", flat=True)) == allowed
    assert OutboundMessage.objects.count() == 15
    assert ContactAttempt.objects.filter(result="blocked").count() == 5
    assert Decision.objects.count() == 20
    assert set(Case.objects.filter(stage__order=1).values_list("pk", flat=True)) == (
        allowed
    )

    again = fanout.sweep_fanout_begin(at=day(1) + dt.timedelta(minutes=5))
    again.refresh_from_db()
    assert again.state == SweepRun.State.FINISHED
    assert again.report["created"] == 0
    assert OutboundMessage.objects.count() == 15


def test_a_redelivered_batch_writes_nothing_twice(twenty_cases, eager):  # noqa: F811
    run = fanout.sweep_fanout_begin(at=day(1))
    batch = run.batches.first()
    written = (OutboundMessage.objects.count(), Decision.objects.count())

    fanout.sweep_batch_run(batch.pk)  # the broker delivers it again

    assert (OutboundMessage.objects.count(), Decision.objects.count()) == written
    run.refresh_from_db()
    assert run.state == SweepRun.State.FINISHED and run.pending == 0


def test_a_batch_that_failed_on_the_database_is_run_again_whole(
    twenty_cases,  # noqa: F811
    eager,
    monkeypatch,
):
    write = sweep.sweep_batch_write
    failures = []

    def fail_once(ledger, messages):
        write(ledger, messages)  # written, then the transaction fails
        if not failures:
            failures.append(1)
            raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(sweep, "sweep_batch_write", fail_once)
    # An eager retry runs the task again at once, then reports the Retry; a worker
    # would only log it.
    celery_app.conf.task_eager_propagates = False
    run = fanout.sweep_fanout_begin(at=day(1))

    run.refresh_from_db()
    assert failures and run.state == SweepRun.State.FINISHED
    # The failed attempt rolled back; its retry wrote the batch once.
    assert OutboundMessage.objects.count() == 15
    assert Decision.objects.count() == 20
    assert run.report["steps"]["standard v1 #1 SMS"] == {"created": 15, "blocked": 5}


def test_cases_that_pass_a_rung_climb_on_in_a_second_pass(ladder, queue, eager):  # noqa: F811
    """As in one process (decision 40): no email address, so the email rung is
    passed and the call rung is taken in the same run."""
    sms = ladder.steps.get(order=1)
    case = CaseFactory(max_days_past_due=11, stage=sms, stage_at=day(1))
    ContactPointFactory(customer=case.customer, value="+8613800138011")

    run = fanout.sweep_fanout_begin(at=day(11))

    run.refresh_from_db()
    case.refresh_from_db()
    assert case.stage.order == 3
    assert run.report["steps"]["standard v1 #2 Email"] == {"skipped": 1}
    assert run.report["steps"]["standard v1 #3 Call"] == {"created": 1}
    assert sorted(run.batches.values_list("sweep_pass", flat=True)) == [0, 1]


def test_a_run_under_way_holds_the_next_back_until_it_is_stale(
    twenty_cases,  # noqa: F811
    settings,
):
    settings.ESCALATION_SWEEP_STALE_MINUTES = 60
    under_way = SweepRun.objects.create(at=day(1), policy_ids=[])
    assert fanout.sweep_fanout_begin(at=day(1)) is None

    SweepRun.objects.filter(pk=under_way.pk).update(
        started_at=timezone.now() - dt.timedelta(minutes=61)
    )
    celery_app.conf.task_always_eager = True
    try:
        assert fanout.sweep_fanout_begin(at=day(1)) is not None
    finally:
        celery_app.conf.task_always_eager = False
    under_way.refresh_from_db()
    assert under_way.state == SweepRun.State.ABANDONED
    # Its late stage task starts nothing more.
    fanout.sweep_stage_run(under_way.pk)
    assert not under_way.batches.exists()


@pytest.mark.slow
def test_the_beat_sweep_is_shared_by_every_worker(twenty_cases, any_hour, gateway):  # noqa: F811
    """Two worker processes (as two machines would) take the batches of one sweep."""
    ContactRestriction.objects.update(starts_at=timezone.now() - dt.timedelta(days=1))
    env = {"ESCALATION_SWEEP_FANOUT": 1, "ESCALATION_SWEEP_BATCH_SIZE": 2}
    with (
        redis_server() as redis,
        worker(broker=redis.url, gateway=gateway.url, **env) as first,
        worker(broker=redis.url, gateway=gateway.url, **env) as second,
    ):
        send("cases.tasks.run_escalation_sweep", redis.url)
        wait_for(
            lambda: SweepRun.objects.filter(state="finished").exists(),
            timeout=90,
            what="the sweep to finish",
        )
        logs = [w.log.read_text() for w in (first, second)]
    run = SweepRun.objects.get()
    assert run.batches.count() == 10
    assert not run.batches.filter(done_at__isnull=True).exists()
    took = [log.count("escalation.sweep_batch[") for log in logs]
    assert all(took), f"batch tasks per worker: {took}"
    assert Decision.objects.count() == 20
    assert len(set(OutboundMessage.objects.values_list("case_id", flat=True))) == (
        OutboundMessage.objects.count()
    )
    assert sum(Counter(run.report["steps"]["standard v1 #1 SMS"]).values()) == 20
    assert SweepBatch.objects.filter(run=run).count() == 10


def test_batches_of_a_stage_run_side_by_side(twenty_cases, settings, monkeypatch):  # noqa: F811
    """A batch locks its own row only: while one batch is still writing, another of
    the same stage finishes (locking the run's row for the whole batch made the
    workers take turns)."""
    settings.ESCALATION_SWEEP_BATCH_SIZE = 10
    monkeypatch.setattr(fanout, "_enqueue_stage", lambda run_id: None)
    monkeypatch.setattr(fanout, "_enqueue_batches", lambda ids: None)
    run = fanout.sweep_fanout_begin(at=day(1))
    fanout.sweep_stage_run(run.pk)
    first, second = run.batches.order_by("index")
    batch = fanout._sweep_batch
    inside, release = threading.Event(), threading.Event()

    def slow_first(**kwargs):
        batch(**kwargs)
        if kwargs["case_ids"] == first.case_ids:
            inside.set()
            release.wait(timeout=30)

    monkeypatch.setattr(fanout, "_sweep_batch", slow_first)

    def in_thread(batch_id):
        try:
            fanout.sweep_batch_run(batch_id)
        finally:
            connection.close()

    holder = threading.Thread(target=in_thread, args=(first.pk,))
    holder.start()
    try:
        assert inside.wait(timeout=30)
        other = threading.Thread(target=in_thread, args=(second.pk,))
        other.start()
        other.join(timeout=20)
        finished_alongside = not other.is_alive()
    finally:
        release.set()
        holder.join(timeout=30)
    assert finished_alongside, "the second batch waited for the first to commit"
    run.refresh_from_db()
    assert run.batches.filter(done_at__isnull=False).count() == 2
    assert (run.pending, run.position) == (0, first.position + 1)


def test_runs_are_kept_for_a_while_then_deleted(twenty_cases, eager, settings):  # noqa: F811
    settings.ESCALATION_SWEEP_RUNS_KEEP_DAYS = 30
    old = fanout.sweep_fanout_begin(at=day(1))
    recent = fanout.sweep_fanout_begin(at=day(1) + dt.timedelta(minutes=5))
    SweepRun.objects.filter(pk=old.pk).update(
        started_at=timezone.now() - dt.timedelta(days=31)
    )

    fanout.sweep_fanout_begin(at=day(1) + dt.timedelta(minutes=10))

    assert not SweepRun.objects.filter(pk=old.pk).exists()
    assert not SweepBatch.objects.filter(run_id=old.pk).exists()
    assert SweepRun.objects.filter(pk=recent.pk).exists()
    assert OutboundMessage.objects.count() == 15  # what the sweep did stays


def test_a_stage_that_failed_on_the_database_is_run_again(
    twenty_cases,  # noqa: F811
    eager,
    monkeypatch,
):
    due = fanout.due_cases
    failures = []

    def fail_once(**kwargs):
        if not failures:
            failures.append(1)
            raise OperationalError("could not serialize access")
        return due(**kwargs)

    monkeypatch.setattr(fanout, "due_cases", fail_once)
    celery_app.conf.task_eager_propagates = False  # a worker would log the retry
    run = fanout.sweep_fanout_begin(at=day(1))

    run.refresh_from_db()
    assert failures and run.state == SweepRun.State.FINISHED
    assert OutboundMessage.objects.count() == 15
