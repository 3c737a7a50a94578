import os

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collections_app.settings")

app = Celery("collections_app")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _add_structlog_step() -> None:
    # django-structlog: a task started by a request logs that request's id.
    from django_structlog.celery.steps import DjangoStructLogInitStep

    app.steps["worker"].add(DjangoStructLogInitStep)


_add_structlog_step()


@setup_logging.connect
def _logging_from_settings(**kwargs) -> None:
    """Workers log like the web process (settings.LOGGING: JSON lines, PII masked)
    instead of Celery's own format."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
