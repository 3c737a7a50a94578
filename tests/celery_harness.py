"""A real Celery worker and a real Redis for tests: each test starts its own
redis-server on a spare port and its own worker process (a process group), so killing
them never disturbs the machine's shared services. The worker reads the test
database: PostgreSQL only (pytest-django's SQLite test database lives in memory).
"""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from collections_app.celery import app as celery_app

ROOT = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, *, timeout: float, what: str, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(every)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


class RedisServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_for(self._up, timeout=10, what="redis-server")

    def _up(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@contextmanager
def redis_server():
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.kill()


class Worker:
    """`celery worker` as a child process group, killable with SIGKILL."""

    def __init__(self, *, broker: str, gateway: str, **env) -> None:
        db = connection.settings_dict
        self.env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "REDIS_URL": broker,
            "SMS_BACKEND": "messaging.sms.HttpGatewayBackend",
            "SMS_GATEWAY_URL": gateway,
            "SMS_GATEWAY_TIMEOUT": "5",
            "TESTING": "1",
            **{k: str(v) for k, v in env.items()},
        }
        # Kept after the test (in the system temp dir) for diagnosis.
        self.log = (
            Path(tempfile.gettempdir()) / f"test-worker-{uuid.uuid4().hex[:8]}.log"
        )
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "collections_app",
                "worker",
                "--concurrency=1",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"{uuid.uuid4().hex}@test",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(
            lambda: "ready" in self.log.read_text(), timeout=30, what="worker ready"
        )

    def kill9(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.kill9()


@contextmanager
def worker(**kwargs):
    w = Worker(**kwargs)
    w.start()
    try:
        yield w
    finally:
        w.stop()


def send(task: str, broker: str) -> None:
    with celery_app.connection_for_write(broker) as conn:
        celery_app.send_task(task, connection=conn)
