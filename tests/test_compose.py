"""docker-compose.yml against the app: every app service gets the variables the
settings need, runs the right command, and has a health check; the one-shot migrate
service runs first. CI also validates the file with `docker-compose config`."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APP_SERVICES = ["migrate", "web", "worker", "beat"]
_VAR = re.compile(r"\$\{(\w+)(?::([-?])([^}]*))?\}")


def example_env() -> dict[str, str]:
    env = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key.strip()] = value.strip()
    return env


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?error}, with .env.example."""

    def one(match):
        name, kind, arg = match.groups()
        if env.get(name):
            return env[name]
        if kind == "?":
            pytest.fail(f"{name} is required by docker-compose.yml: {arg}")
        return arg if kind == "-" else ""

    return _VAR.sub(one, value)


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def service_env(compose, name) -> dict[str, str]:
    env = example_env()
    return {
        key: interpolate(str(value), env)
        for key, value in compose["services"][name]["environment"].items()
    }


def command(compose, name) -> str:
    cmd = compose["services"][name]["command"]
    return " ".join(cmd) if isinstance(cmd, list) else cmd


@pytest.mark.parametrize("name", APP_SERVICES)
def test_each_app_service_starts_with_production_settings(compose, name, tmp_path):
    """Import the settings with exactly the service's environment: a variable the
    app requires but compose does not pass fails here, as it would at start-up."""
    env = {
        **service_env(compose, name),
        "PATH": os.environ["PATH"],
        "VAR_DIR": str(ROOT / "var" / "compose-check"),
        # The container's path does not exist here (and an empty value would make
        # prometheus_client write its files into the working directory).
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "collections_app.settings",
    }
    assert env["DEBUG"] == "0"
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_each_service_runs_its_own_command(compose):
    assert "manage.py migrate" in command(compose, "migrate")
    assert command(compose, "web").startswith("gunicorn collections_app.wsgi")
    assert command(compose, "worker").startswith("celery -A collections_app worker")
    assert command(compose, "beat").startswith("celery -A collections_app beat")
    # The web process no longer migrates: two web replicas would race.
    assert "migrate" not in command(compose, "web")


def test_long_running_services_have_health_checks(compose):
    for name in ["postgres", "redis", "web", "worker"]:
        assert "healthcheck" in compose["services"][name], name
    assert "/healthz" in str(compose["services"]["web"]["healthcheck"]["test"])


def test_migrations_run_once_before_anything_serves(compose):
    services = compose["services"]
    assert services["migrate"]["restart"] == "no"
    assert services["web"]["depends_on"]["migrate"] == {
        "condition": "service_completed_successfully"
    }
    for name in ["worker", "beat"]:
        assert services[name]["depends_on"]["web"]["condition"] == "service_healthy"


def test_data_lives_on_named_volumes(compose):
    services = compose["services"]
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert "redisdata:/data" in services["redis"]["volumes"]
    for name in APP_SERVICES:
        mounts = services[name]["volumes"]
        for volume in [
            "recordings:/app/var/recordings",
            "media:/app/var/media",
            "letters:/app/var/letters",
        ]:
            assert volume in mounts, (name, volume)
    assert set(compose["volumes"]) >= {
        "pgdata",
        "redisdata",
        "recordings",
        "media",
        "letters",
    }


def test_the_image_is_pinned_slim_and_not_root():
    dockerfile = (ROOT / "Dockerfile").read_text()
    base = re.search(r"^FROM (\S+)", dockerfile, re.M).group(1)
    assert re.fullmatch(r"python:\d+\.\d+\.\d+-slim-\w+", base), base
    assert re.search(r"^USER app$", dockerfile, re.M)
