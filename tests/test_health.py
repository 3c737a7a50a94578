"""Health endpoints: /healthz says the process is up, /readyz that its dependencies
(database, broker, cache) answer and that beat and a worker are alive (a heartbeat).
Load balancers and docker-compose use them."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from collections_app.celery import app as celery_app
from core.models import Heartbeat
from core.tasks import WORKER_HEARTBEAT, heartbeat


def test_healthz_answers_without_touching_the_database(client):
    # No django_db mark: any query here would raise, so a 200 proves there was none.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.fixture
def alive():
    """Beat and a worker ran the heartbeat task just now."""
    heartbeat()


@pytest.mark.django_db
def test_readyz_reports_database_broker_cache_and_worker_ok(client, alive):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
        "cache": "ok",
        "worker": "ok",
    }


@pytest.mark.django_db
def test_readyz_is_unavailable_before_any_worker_heartbeat(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["worker"] == "error: no heartbeat yet"


@pytest.mark.django_db
def test_readyz_is_unavailable_when_the_heartbeat_is_stale(client, alive):
    Heartbeat.objects.filter(name=WORKER_HEARTBEAT).update(
        seen_at=timezone.now()
        - dt.timedelta(seconds=settings.READYZ_HEARTBEAT_MAX_AGE + 5)
    )
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["worker"].startswith("error: last heartbeat ")


@pytest.mark.django_db
def test_readyz_can_leave_the_worker_out_for_a_web_only_probe(client, settings):
    settings.READYZ_REQUIRE_WORKER = False
    response = client.get("/readyz")
    assert response.status_code == 200
    assert "worker" not in response.json()


@pytest.mark.django_db
def test_the_heartbeat_is_scheduled_by_beat_often_enough_for_readiness():
    entry = settings.CELERY_BEAT_SCHEDULE["heartbeat"]
    assert entry["task"] == heartbeat.name == "core.tasks.heartbeat"
    assert entry["schedule"] < settings.READYZ_HEARTBEAT_MAX_AGE / 2


def test_the_broker_is_the_filesystem_without_redis_and_redis_with_it():
    transport = celery_app.connection_for_write().transport_cls
    if settings.REDIS_URL:
        assert transport == "redis"
        assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    else:
        assert transport == "filesystem"


@pytest.mark.django_db
def test_readyz_is_unavailable_when_the_broker_is_down(client, monkeypatch):
    def unreachable(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(celery_app, "connection_for_write", unreachable)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["broker"] == "error: ConnectionRefusedError"
    assert body["database"] == "ok"


@pytest.mark.django_db
def test_readyz_is_unavailable_when_the_database_is_down(client, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise ConnectionError("database down")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["database"] == "error: ConnectionError"


@pytest.mark.redis
@pytest.mark.django_db
def test_readyz_checks_the_real_redis_when_redis_url_is_set(client, alive):
    from django.core.cache import cache

    response = client.get("/readyz")
    assert response.status_code == 200
    # The probe wrote through the cache, so Redis really answered.
    assert cache.get("readyz") == "1"


def test_the_api_docs_page_loads_swagger_ui_from_our_own_static_files(
    client, admin_user
):
    client.force_login(admin_user)
    page = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert "cdn." not in page and "unpkg" not in page
