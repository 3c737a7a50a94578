"""The call queue's scheduled job (CELERY_BEAT_SCHEDULE): thin, the work is in
calls.services."""

from celery import shared_task

from . import services


@shared_task(name="calls.tasks.recheck_call_queue", ignore_result=True)
def recheck_call_queue() -> int:
    return services.call_queue_recheck()
