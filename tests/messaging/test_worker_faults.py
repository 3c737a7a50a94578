"""A real Celery worker, a real Redis and a recording gateway on 127.0.0.1.

Each test starts its own redis-server on a spare port and its own worker process, so
killing them never disturbs the machine's shared services. The worker reads the test
database, so these run on PostgreSQL only (pytest-django's SQLite test database lives
in memory).
"""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from collections_app.celery import app as celery_app
from compliance.models import RulePack
from messaging.models import OutboundMessage
from tests.fakes.sms_gateway import RecordingGateway
from tests.messaging.factories import OutboundMessageFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
ROOT = Path(settings.BASE_DIR)
Status = OutboundMessage.Status


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


def statuses() -> Counter:
    return Counter(OutboundMessage.objects.values_list("status", flat=True))


@pytest.fixture
def any_hour():
    """Open the cn window all day: these tests are about delivery, not the clock."""
    pack = RulePack.objects.get(code="cn")
    pack.parameters["contact_window"]["enabled"] = False
    pack.version += 1
    pack.save()


@pytest.fixture
def gateway():
    with RecordingGateway() as gw:
        yield gw


def all_sent() -> bool:
    return not OutboundMessage.objects.exclude(status=Status.SENT).exists()


def test_a_worker_dispatches_every_reminder_exactly_once(any_hour, gateway):
    messages = OutboundMessageFactory.create_batch(60)
    with redis_server() as redis, worker(broker=redis.url, gateway=gateway.url):
        send("messaging.tasks.dispatch_outbox", redis.url)
        wait_for(all_sent, timeout=60, what="all messages sent")
        # A retried or duplicated wake-up finds nothing left to send.
        send("messaging.tasks.dispatch_outbox", redis.url)
        send("messaging.tasks.dispatch_outbox", redis.url)
        time.sleep(2)
    keys = [r["key"] for r in gateway.state.requests]
    assert sorted(keys) == sorted(m.idempotency_key for m in messages)
    assert len(keys) == len(set(keys)) == 60


def _kill_mid_batch(redis, gateway, **env) -> int:
    """Start a worker, let it send some of a batch, kill -9 it; return rows stranded."""
    with worker(broker=redis.url, gateway=gateway.url, **env) as w:
        send("messaging.tasks.dispatch_outbox", redis.url)
        wait_for(
            lambda: len(gateway.state.requests) >= 15,
            timeout=60,
            what="some messages sent",
        )
        w.kill9()
    return OutboundMessage.objects.filter(status=Status.SENDING).count()


def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(
    any_hour, gateway
):
    messages = OutboundMessageFactory.create_batch(80)
    gateway.state.latency = 0.05
    with redis_server() as redis:
        stranded = _kill_mid_batch(redis, gateway, OUTBOX_LEASE_SECONDS=1)
        assert stranded > 0
        gateway.state.latency = 0
        time.sleep(1.5)  # past the claim lease
        with worker(broker=redis.url, gateway=gateway.url, OUTBOX_LEASE_SECONDS=1):
            send("messaging.tasks.recover_stale_outbox", redis.url)
            send("messaging.tasks.dispatch_outbox", redis.url)
            wait_for(all_sent, timeout=60, what="all messages sent after restart")
    delivered = gateway.state.delivered
    assert sorted(delivered) == sorted(m.idempotency_key for m in messages)
    # Rows stranded mid-send were offered again under the same key: the gateway took
    # each once. Only those rows were ever requested twice.
    resent = len(gateway.state.requests) - len(messages)
    assert 0 <= resent <= stranded


def test_negative_control_early_ack_without_lease_recovery_strands_messages(
    any_hour, gateway
):
    """The same kill with early acks and no recovery: the test above would catch it."""
    OutboundMessageFactory.create_batch(80)
    gateway.state.latency = 0.05
    with redis_server() as redis:
        stranded = _kill_mid_batch(redis, gateway, CELERY_TASK_ACKS_LATE=0)
        gateway.state.latency = 0
        with worker(broker=redis.url, gateway=gateway.url, CELERY_TASK_ACKS_LATE=0):
            send("messaging.tasks.dispatch_outbox", redis.url)
            wait_for(
                lambda: (
                    not OutboundMessage.objects.filter(status=Status.PENDING).exists()
                ),
                timeout=60,
                what="pending rows sent",
            )
    assert stranded > 0
    # Without lease recovery the killed batch stays in "sending": never delivered.
    assert statuses().get(Status.SENDING, 0) == stranded
    assert len(gateway.state.delivered) < 80


def test_a_broker_restart_mid_dispatch_loses_no_message(any_hour, gateway):
    messages = OutboundMessageFactory.create_batch(60)
    gateway.state.latency = 0.03
    with redis_server() as redis, worker(broker=redis.url, gateway=gateway.url):
        send("messaging.tasks.dispatch_outbox", redis.url)
        wait_for(
            lambda: len(gateway.state.requests) >= 10,
            timeout=60,
            what="some messages sent",
        )
        redis.kill()
        # Redis keeps nothing on disk: queued wake-ups are gone, the rows are not.
        redis.start()
        deadline = time.monotonic() + 60
        while not all_sent() and time.monotonic() < deadline:
            try:
                send("messaging.tasks.dispatch_outbox", redis.url)
            except Exception:  # noqa: BLE001 - the worker may still be reconnecting
                pass
            time.sleep(2)
    assert all_sent()
    keys = [r["key"] for r in gateway.state.requests]
    assert sorted(keys) == sorted(m.idempotency_key for m in messages)
    assert len(keys) == len(set(keys))
