"""Imports from the web page and the API run on a worker (issue 15, item 8): a size
limit, progress on the run, a stuck run failed by beat and restarted."""

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from imports import reading, services
from imports.models import ImportRun
from tests.api import client_for
from tests.celery_harness import wait_for, worker

from .helpers import csv_bytes, loan_row

URL = "/api/v1/imports/"
Status = ImportRun.Status


def upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("portfolio.csv", data, content_type="text/csv")


def rows(n: int) -> bytes:
    return csv_bytes(
        [
            loan_row(customer_reference=f"C-{i}", loan_reference=f"L-{i}")
            for i in range(n)
        ]
    )


@pytest.mark.django_db
def test_a_file_above_the_limit_is_a_400_naming_the_file_and_nothing_is_run(
    admin_user, client, settings
):
    settings.IMPORT_MAX_BYTES = 100
    data = rows(2)
    assert len(data) > 100
    response = client_for(admin_user).post(
        URL, {"file": upload(data), "kind": "portfolio"}
    )
    assert response.status_code == 400
    assert "import_portfolio" in response.json()["errors"]["file"][0]

    client.force_login(admin_user)
    page = client.post("/imports/", {"kind": "portfolio", "file": upload(data)})
    assert page.status_code == 400
    assert "import_portfolio" in page.content.decode()
    assert not ImportRun.objects.exists()


@pytest.mark.django_db
def test_a_queued_import_counts_its_rows_and_reports_them_read(
    admin_user, worker_inline, monkeypatch, import_files_root
):
    monkeypatch.setattr(reading, "PROGRESS_EVERY", 2)
    client = client_for(admin_user)
    with worker_inline():
        response = client.post(URL, {"file": upload(rows(5)), "kind": "portfolio"})
    assert response.status_code == 202
    run = ImportRun.objects.get()
    assert (run.status, run.rows_expected, run.rows_read) == (Status.COMPLETED, 5, 5)
    assert (import_files_root / run.stored_file).read_bytes() == rows(5)


@pytest.mark.django_db
def test_the_run_page_polls_while_queued_and_stops_when_done(
    admin_user, client, import_files_root
):
    client.force_login(admin_user)
    # No worker: the run stays queued.
    response = client.post("/imports/", {"kind": "portfolio", "file": upload(rows(1))})
    run = ImportRun.objects.get()
    assert response.status_code == 303
    assert response["Location"] == f"/imports/{run.reference}/"
    assert run.status == Status.QUEUED
    page = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert "Waiting for a worker" in page
    fragment = client.get(
        f"/imports/{run.reference}/?progress=1", headers={"HX-Request": "true"}
    ).content.decode()
    assert fragment.lstrip().startswith('<div id="import-progress"')
    services.import_execute(run_id=run.pk)
    polled = client.get(
        f"/imports/{run.reference}/?progress=1", headers={"HX-Request": "true"}
    )
    assert polled["HX-Refresh"] == "true"
    done = client.get(f"/imports/{run.reference}/").content.decode()
    assert "every 2s" not in done


@pytest.mark.django_db
def test_the_run_page_speaks_chinese(admin_user, client):
    client.force_login(admin_user)
    client.post("/imports/", {"kind": "portfolio", "file": upload(rows(1))})
    run = ImportRun.objects.get()
    page = client.get(
        f"/imports/{run.reference}/", headers={"Accept-Language": "zh-hans"}
    ).content.decode()
    assert "等待处理" in page


@pytest.mark.django_db
def test_a_run_stuck_running_is_failed_by_beat_and_restarted(
    admin_user, client, worker_inline, settings
):
    settings.IMPORT_STALE_MINUTES = 30
    client.force_login(admin_user)
    client.post("/imports/", {"kind": "portfolio", "file": upload(rows(2))})
    run = ImportRun.objects.get()
    # What a worker killed mid-load leaves: claimed, started, never finished.
    now = timezone.now()
    ImportRun.objects.filter(pk=run.pk).update(
        status=Status.RUNNING, started_at=now - dt.timedelta(minutes=31)
    )
    fresh = ImportRun.objects.create(
        reference="IMP-FRESH",
        kind="portfolio",
        source="web",
        file_name="x.csv",
        file_sha256="0" * 64,
        file_size=1,
        started_at=now - dt.timedelta(minutes=5),
    )
    assert services.import_recover_stale(now=now) == 1
    run.refresh_from_db()
    fresh.refresh_from_db()
    assert run.status == Status.FAILED and "worker stopped" in run.failure_reason
    assert fresh.status == Status.RUNNING
    page = client.get(f"/imports/{run.reference}/").content.decode()
    assert "Restart this import" in page

    with worker_inline():
        response = client.post(f"/imports/{run.reference}/restart/")
    assert response.status_code == 302
    run.refresh_from_db()
    assert (run.status, run.rows_loaded, run.failure_reason) == (
        Status.COMPLETED,
        2,
        "",
    )


@pytest.mark.django_db
def test_only_a_failed_run_can_be_restarted(admin_user, client):
    client.force_login(admin_user)
    client.post("/imports/", {"kind": "portfolio", "file": upload(rows(1))})
    run = ImportRun.objects.get()
    assert client.post(f"/imports/{run.reference}/restart/").status_code == 400


def test_beat_recovers_stale_imports():
    names = {e["task"] for e in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert "imports.tasks.recover_stale_imports" in names


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_loads_an_uploaded_file_and_the_api_follows_it(
    admin_user, settings, import_files_root
):
    client = client_for(admin_user)
    with worker(
        broker=settings.REDIS_URL,
        gateway="http://127.0.0.1:9",
        IMPORT_FILES_ROOT=import_files_root,
    ):
        response = client.post(URL, {"file": upload(rows(3)), "kind": "portfolio"})
        assert response.status_code == 202, response.json()
        status_url = response.json()["status_url"]

        def done():
            return client.get(status_url).json()["status"] == "completed"

        wait_for(done, timeout=60, what="the worker to load the import")
    body = client.get(status_url).json()
    assert (body["rows_loaded"], body["rows_read"], body["rows_expected"]) == (3, 3, 3)


@pytest.mark.django_db
def test_a_dry_run_report_says_what_would_be_written_with_named_counts(
    admin_user, client
):
    from .helpers import run_import

    run = run_import(rows(2), dry_run=True)
    client.force_login(admin_user)
    page = client.get(f"/imports/{run.reference}/").content.decode()
    assert "What would be written (dry run: nothing was)" in page
    assert "What was written" not in page and "2 would load" in page
    assert "Customers created" in page and "customers_created" not in page
    zh = client.get(
        f"/imports/{run.reference}/", headers={"Accept-Language": "zh-hans"}
    ).content.decode()
    assert "新建客户" in zh and "customers_created" not in zh
