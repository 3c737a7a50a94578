import pytest

from collections_app.celery import app as celery_app


@pytest.fixture(autouse=True)
def import_files_root(settings, tmp_path):
    settings.IMPORT_FILES_ROOT = tmp_path / "imports"
    return settings.IMPORT_FILES_ROOT


@pytest.fixture
def celery_eager(monkeypatch):
    """Tasks run in this process when sent (CELERY_TASK_ALWAYS_EAGER)."""
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


@pytest.fixture
def worker_inline(celery_eager, django_capture_on_commit_callbacks):
    """The queued import runs when its request's transaction commits, in this
    process: for tests where no real worker is needed. (A transactional test runs
    on_commit callbacks itself: `celery_eager` is enough there.)"""
    return lambda: django_capture_on_commit_callbacks(execute=True)
