"""The escalation sweep as a beat task (CELERY_BEAT_SCHEDULE, every 5 minutes), and
the tasks of a fanned-out sweep (escalation/fanout.py)."""

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError

from .fanout import sweep_batch_run, sweep_fanout_begin, sweep_stage_run
from .sweep import escalation_sweep


# Registered under its name from before the escalation app (it lived in cases.tasks):
# schedules, queued messages and monitoring that name it keep working.
@shared_task(name="cases.tasks.run_escalation_sweep", ignore_result=True)
def run_escalation_sweep() -> dict:
    if settings.ESCALATION_SWEEP_FANOUT:
        run = sweep_fanout_begin()
        return {"run": run.pk if run else None}
    return escalation_sweep().as_dict()


# A stage or batch that failed on the database (a deadlock, a dropped connection)
# rolled back whole: run it again. One whose worker died is redelivered (acks late);
# a stage already started or a batch already done does nothing. One that keeps
# failing leaves its run to be abandoned (ESCALATION_SWEEP_STALE_MINUTES).
RETRY = {"autoretry_for": (DatabaseError,), "retry_backoff": True, "max_retries": 5}


@shared_task(name="escalation.sweep_stage", ignore_result=True, **RETRY)
def sweep_stage(run_id: int) -> None:
    sweep_stage_run(run_id)


@shared_task(name="escalation.sweep_batch", ignore_result=True, **RETRY)
def sweep_batch(batch_id: int) -> None:
    sweep_batch_run(batch_id)
