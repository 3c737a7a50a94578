"""Celery tasks of the imports app: thin, safe to run twice (imports.services)."""

from celery import shared_task
from django.conf import settings

from . import services


# Stopped before the beat task would call it stale, so a run is never marked failed
# while its worker still loads it.
@shared_task(
    name="imports.tasks.import_execute",
    time_limit=settings.IMPORT_STALE_MINUTES * 60 - 30,
    soft_time_limit=settings.IMPORT_STALE_MINUTES * 60 - 60,
)
def import_execute_task(run_id: int) -> None:
    """Load a queued import run (a second delivery finds it claimed and does
    nothing)."""
    services.import_execute(run_id=run_id)


@shared_task(name="imports.tasks.recover_stale_imports")
def recover_stale_imports() -> int:
    return services.import_recover_stale()
