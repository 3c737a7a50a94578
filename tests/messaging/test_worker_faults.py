"""A real Celery worker, a real Redis and a recording gateway on 127.0.0.1.

Each test starts its own redis-server on a spare port and its own worker process, so
killing them never disturbs the machine's shared services. The worker reads the test
database, so these run on PostgreSQL only (pytest-django's SQLite test database lives
in memory).
"""

import time
from collections import Counter

import pytest

from messaging.models import OutboundMessage
from tests.celery_harness import redis_server, send, wait_for, worker
from tests.messaging.factories import OutboundMessageFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
Status = OutboundMessage.Status


def statuses() -> Counter:
    return Counter(OutboundMessage.objects.values_list("status", flat=True))


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
