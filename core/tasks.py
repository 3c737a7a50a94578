"""Background housekeeping of the kernel."""

import socket

from celery import shared_task
from django.utils import timezone

from .models import Heartbeat

WORKER_HEARTBEAT = "beat+worker"


@shared_task(ignore_result=True)
def heartbeat() -> None:
    """Beat schedules this and a worker runs it: the row it writes proves both are
    alive (/readyz). Safe to run twice: it only moves a timestamp forward."""
    Heartbeat.objects.update_or_create(
        name=WORKER_HEARTBEAT,
        defaults={"seen_at": timezone.now(), "detail": socket.gethostname()[:200]},
    )
