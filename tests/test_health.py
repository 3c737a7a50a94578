"""Health endpoints: /healthz says the process is up, /readyz that its dependencies
(database, broker, cache) answer. Load balancers and docker-compose use them."""

import pytest
from django.conf import settings

from collections_app.celery import app as celery_app


def test_healthz_answers_without_touching_the_database(client):
    # No django_db mark: any query here would raise, so a 200 proves there was none.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_database_broker_and_cache_ok(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
        "cache": "ok",
    }


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
def test_readyz_checks_the_real_redis_when_redis_url_is_set(client):
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
