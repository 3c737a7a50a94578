"""The production stack as an operator starts it (scripts/run-prod.sh, `make
run-prod`): production settings, gunicorn, a Celery worker and beat, against the
local PostgreSQL and Redis. Waits for /readyz (which needs the worker's heartbeat),
signs in, renders a page, fetches a hashed static file, and stops it."""

import base64
import http.cookiejar
import os
import re
import secrets
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import psycopg2
import pytest
from django.conf import settings
from django.db import connection

from tests.celery_harness import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


@pytest.fixture
def database():
    """A database of its own, dropped afterwards (the test database is pytest's)."""
    db = connection.settings_dict
    name = f"collections_smoke_{secrets.token_hex(4)}"
    admin = psycopg2.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{name}"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def wait_ready(url: str, proc, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"run-prod.sh exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/readyz", timeout=5) as answer:
                return answer.status
        except urllib.error.HTTPError as exc:
            last = exc.read().decode()
        except OSError as exc:
            last = str(exc)
        time.sleep(1)
    pytest.fail(f"/readyz never answered 200 within {timeout}s: {last}")


def test_the_production_stack_starts_serves_a_signed_in_page_and_stops(
    database, tmp_path
):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "REDIS_URL": settings.REDIS_URL,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "PII_KEYS": "k1:" + base64.b64encode(os.urandom(32)).decode(),
        "PII_HMAC_KEY": base64.b64encode(os.urandom(32)).decode(),
        "PORT": str(port),
        "VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SUPERUSER_USERNAME": "ops",
        "DJANGO_SUPERUSER_PASSWORD": "smoke-pass-2026",
        "DJANGO_SUPERUSER_EMAIL": "ops@example.com",
    }
    env.pop("TESTING", None)
    manage = [f"{settings.BASE_DIR}/.venv/bin/python", "manage.py"]
    prod = {**env, "DEBUG": "0", "TESTING": "0"}
    for step in (["migrate", "--noinput", "-v0"], ["createsuperuser", "--noinput"]):
        subprocess.run(
            manage + step, cwd=settings.BASE_DIR, env=prod, check=True, timeout=300
        )

    log = (tmp_path / "run-prod.log").open("w")
    proc = subprocess.Popen(
        ["bash", "scripts/run-prod.sh"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        assert wait_ready(base, proc, timeout=180) == 200

        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        login = browser.open(base + "/accounts/login/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login)[1]
        form = urllib.parse.urlencode(
            {
                "username": "ops",
                "password": "smoke-pass-2026",
                "csrfmiddlewaretoken": token,
            }
        ).encode()
        request = urllib.request.Request(
            base + "/accounts/login/", data=form, headers={"Referer": base + "/"}
        )
        with browser.open(request) as landed:
            page = landed.read().decode()
            # Signed in: an anonymous visitor would land on the login page again.
            assert landed.geturl() == base + "/configuration/"

        # Hashed names from the manifest, served by whitenoise with a long cache.
        static = re.search(r"/static/[\w/.-]+\.[0-9a-f]{12}\.(?:css|js)", page)
        assert static, "no hashed static file on the page"
        with browser.open(base + static[0]) as asset:
            assert asset.status == 200
            assert "max-age=" in asset.headers["Cache-Control"]
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
    assert proc.returncode is not None
