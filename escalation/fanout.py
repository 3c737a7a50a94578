"""The scheduled sweep fanned out over Celery workers (docs/decisions.md, record 56).

The sweep in one process (`sweep.escalation_sweep`) forks its batches inside the
worker that runs it, so more machines do not make it faster. Here the same sweep is
a `SweepRun` moving through its stages: each active policy's rungs, highest first,
then re-passes over the cases that passed a rung, as `escalation_sweep` orders them.
A stage's due cases are split into batches, and each batch is a Celery task any
worker takes; it runs the sweep's own batch (`sweep._sweep_batch`: the gate, the
ledger, the outbox, the moves) and marks its `SweepBatch` done in the same
transaction, so a redelivered or retried task writes nothing twice. The batch that
finishes a stage starts the next one; the last one records the run's end and counts.

Stages stay in order because a lower rung must see the cases the higher one moved;
within a stage the batches hold disjoint cases and need no order.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cases.models import EscalationPolicy, EscalationStep
from core.bulk import ids_in

from .models import SweepBatch, SweepRun
from .report import SweepReport
from .sweep import _label, _policy_cases, _sweep_batch, due_cases, sweep_end

logger = logging.getLogger(__name__)


def sweep_fanout_begin(*, at: dt.datetime | None = None) -> SweepRun | None:
    """Start a fanned-out sweep at `at` (default now), unless one started less than
    ESCALATION_SWEEP_STALE_MINUTES ago is still running (the beat fires every few
    minutes; a long sweep is not doubled, a lost one does not block the next)."""
    now = timezone.now()
    stale = now - dt.timedelta(minutes=settings.ESCALATION_SWEEP_STALE_MINUTES)
    with transaction.atomic():
        running = SweepRun.objects.select_for_update().filter(
            state=SweepRun.State.RUNNING
        )
        if running.filter(started_at__gt=stale).exists():
            logger.info("escalation sweep: a run is still under way; not starting")
            return None
        for lost in running:
            logger.warning("escalation sweep %s: abandoned, still running", lost.pk)
        running.update(state=SweepRun.State.ABANDONED)
        policy_ids = list(
            EscalationPolicy.objects.filter(
                status=EscalationPolicy.Status.ACTIVE
            ).values_list("pk", flat=True)
        )
        run = SweepRun.objects.create(at=at or now, policy_ids=policy_ids)
        _enqueue_stage(run.pk)
    _old_runs_delete(now)
    return run


def _old_runs_delete(now: dt.datetime) -> None:
    """Runs are for operators: 288 a day at the beat's pace, each batch with its case
    ids. What the sweep did stays in the ledger and the outbox."""
    keep = now - dt.timedelta(days=settings.ESCALATION_SWEEP_RUNS_KEEP_DAYS)
    old = SweepRun.objects.filter(started_at__lt=keep).exclude(
        state=SweepRun.State.RUNNING
    )
    SweepBatch.objects.filter(run__in=old).delete()
    old.delete()


def _stages(run: SweepRun) -> list[tuple[EscalationPolicy, EscalationStep, object]]:
    """One pass's stages: (policy, rung, the rung before it or None), every policy's
    rungs highest first, as `sweep._policy_sweep` runs them."""
    policies = EscalationPolicy.objects.filter(pk__in=run.policy_ids).prefetch_related(
        "steps"
    )
    by_id = {policy.pk: policy for policy in policies}
    stages = []
    for policy_id in run.policy_ids:
        policy = by_id.get(policy_id)
        if policy is None:
            continue
        steps = sorted(policy.steps.all(), key=lambda s: s.order)
        for index in reversed(range(len(steps))):
            stages.append((policy, steps[index], steps[index - 1] if index else None))
    return stages


def sweep_stage_run(run_id: int) -> None:
    """Start the run's next stage that has due cases, as batch tasks; finish the run
    when no stage is left. A stage with no due case is passed at once."""
    with transaction.atomic():
        run = SweepRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.state != SweepRun.State.RUNNING or run.pending:
            return  # finished, or a redelivered task while batches still run
        stages = _stages(run)
        passes = max((len(p.steps.all()) for p, _, _ in stages), default=0)
        batch_size = settings.ESCALATION_SWEEP_BATCH_SIZE
        while True:
            if run.position >= len(stages):
                skipped = _skipped(run)
                if skipped and run.sweep_pass < passes:
                    # Cases that passed a rung they could not use climb on in the same
                    # run (decision 40): another pass over just them.
                    run.sweep_pass += 1
                    run.position = 0
                    run.scope_ids = skipped
                    continue
                _finish(run, stages)
                return
            policy, step, previous = stages[run.position]
            scope = None
            if run.sweep_pass:
                scope = _policy_cases(policy).filter(ids_in(run.scope_ids))
            ids = list(
                due_cases(
                    policy=policy, step=step, previous=previous, at=run.at, scope=scope
                )
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            if not ids:
                run.position += 1
                continue
            batches = SweepBatch.objects.bulk_create(
                SweepBatch(
                    run=run,
                    sweep_pass=run.sweep_pass,
                    position=run.position,
                    index=number,
                    step=step,
                    case_ids=ids[start : start + batch_size],
                )
                for number, start in enumerate(range(0, len(ids), batch_size))
            )
            run.pending = len(batches)
            run.save(update_fields=["sweep_pass", "position", "scope_ids", "pending"])
            logger.info(
                "escalation sweep %s: %s, %d batches", run.pk, _label(step), run.pending
            )
            _enqueue_batches([batch.pk for batch in batches])
            return


def sweep_batch_run(batch_id: int) -> None:
    """Run one batch of a fanned-out sweep; the stage's last batch starts the next
    stage. Done, it is never run again (a redelivered or retried task)."""
    with transaction.atomic():
        batch = (
            # Only the batch's row: locking the joined run row too would hold every
            # other batch of the stage back until this one commits.
            SweepBatch.objects.select_for_update(of=("self",))
            .select_related("run", "step__policy")
            .filter(pk=batch_id, done_at__isnull=True)
            .first()
        )
        if batch is None:
            return
        run, step = batch.run, batch.step
        steps = sorted(step.policy.steps.all(), key=lambda s: s.order)
        index = next(i for i, s in enumerate(steps) if s.pk == step.pk)
        report = SweepReport(at=run.at, dry_run=False)
        _sweep_batch(
            step=step,
            previous=steps[index - 1] if index else None,
            case_ids=batch.case_ids,
            at=run.at,
            dry_run=False,
            report=report,
        )
        batch.counts = list(report.counts())
        batch.done_at = timezone.now()
        batch.save(update_fields=["counts", "done_at"])
        # The run's row after the batch's: batches of a stage commit one at a time
        # here, briefly, and the one that brings `pending` to 0 moves the run on.
        run = SweepRun.objects.select_for_update().get(pk=run.pk)
        run.pending -= 1
        if run.pending == 0:
            run.position += 1
            _enqueue_stage(run.pk)
        run.save(update_fields=["pending", "position"])


def _skipped(run: SweepRun) -> list[int]:
    """Cases the run's current pass took past a rung (each batch's skipped ids)."""
    skipped: list[int] = []
    for counts in run.batches.filter(sweep_pass=run.sweep_pass).values_list(
        "counts", flat=True
    ):
        skipped.extend(counts[3])
    return skipped


def _finish(run: SweepRun, stages) -> None:
    report = SweepReport(at=run.at, dry_run=False)
    for counts in run.batches.values_list("counts", flat=True).iterator():
        report.merge_counts(counts)
    report.skipped_ids = []
    for _, step, _ in stages:
        report.step_meta[_label(step)] = (step.order, step.action)
    now = timezone.now()
    sweep_end(report, seconds=(now - run.started_at).total_seconds())
    run.report = report.as_dict()
    run.state = SweepRun.State.FINISHED
    run.finished_at = now
    run.save(update_fields=["report", "state", "finished_at", "sweep_pass", "position"])
    logger.info("escalation sweep %s %s", run.pk, run.report)


def _enqueue_stage(run_id: int) -> None:
    from .tasks import sweep_stage  # the task module imports this one

    transaction.on_commit(lambda: sweep_stage.delay(run_id))


def _enqueue_batches(batch_ids: list[int]) -> None:
    from .tasks import sweep_batch

    def send() -> None:
        for batch_id in batch_ids:
            sweep_batch.delay(batch_id)

    transaction.on_commit(send)
