import pytest

from collections_app.celery import app as celery_app


@pytest.fixture(autouse=True)
def import_files_root(settings, tmp_path):
    settings.IMPORT_FILES_ROOT = tmp_path / "imports"
    return settings.IMPORT_FILES_ROOT


@pytest.fixture
def worker_inline(monkeypatch, django_capture_on_commit_callbacks):
    """The queued import runs when its request's transaction commits, in this
    process (CELERY_TASK_ALWAYS_EAGER): for tests where no real worker is needed."""
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    return lambda: django_capture_on_commit_callbacks(execute=True)
