"""The escalation sweep as a beat task (CELERY_BEAT_SCHEDULE, every 5 minutes)."""

from celery import shared_task

from .sweep import escalation_sweep


# Registered under its name from before the escalation app (it lived in cases.tasks):
# schedules, queued messages and monitoring that name it keep working.
@shared_task(name="cases.tasks.run_escalation_sweep", ignore_result=True)
def run_escalation_sweep() -> dict:
    return escalation_sweep().as_dict()
