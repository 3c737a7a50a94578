"""The outbox dispatcher against a real HTTP gateway on 127.0.0.1."""

import datetime as dt
import threading
import zoneinfo

import pytest
from django.core import mail
from django.db import connection

from core.errors import ApplicationError
from messaging import services, sms
from messaging.models import OutboundMessage
from messaging.rendering import template_validate
from tests.messaging.factories import MessageTemplateFactory, OutboundMessageFactory

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
Status = OutboundMessage.Status


def shanghai(hour, minute=0, day=3):
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def backend(gateway):
    return sms.HttpGatewayBackend(url=gateway.url, timeout=0.5, retries=0)


pytestmark = pytest.mark.django_db


def test_a_due_sms_is_sent_once_and_marked_sent(gateway, backend):
    message = OutboundMessageFactory(send_after=shanghai(9))
    report = services.outbox_dispatch(now=shanghai(10), backend=backend)
    again = services.outbox_dispatch(now=shanghai(10, 5), backend=backend)
    message.refresh_from_db()
    assert (report.sent, again.claimed) == (1, 0)
    assert message.status == Status.SENT
    assert message.provider_message_id == "gw-1"
    assert [r["key"] for r in gateway.state.requests] == [message.idempotency_key]


def test_a_row_not_yet_due_is_left_alone(gateway, backend):
    OutboundMessageFactory(send_after=shanghai(11))
    report = services.outbox_dispatch(now=shanghai(10), backend=backend)
    assert report.claimed == 0
    assert gateway.state.requests == []


def test_a_reminder_dispatched_at_2201_in_shanghai_is_deferred_to_0800(
    gateway, backend
):
    message = OutboundMessageFactory(send_after=shanghai(21, 59))
    report = services.outbox_dispatch(now=shanghai(22, 1), backend=backend)
    message.refresh_from_db()
    assert report.deferred == 1
    assert message.status == Status.PENDING
    assert message.send_after == shanghai(8, day=4)
    assert message.attempts == 0
    assert "contact_window" in message.last_error
    assert gateway.state.requests == []


def test_an_opted_out_number_is_cancelled_not_sent(gateway, backend):
    message = OutboundMessageFactory(send_after=shanghai(9))
    point = message.contact_point
    point.opted_out_at = shanghai(8)
    point.save()
    report = services.outbox_dispatch(now=shanghai(10), backend=backend)
    message.refresh_from_db()
    assert report.cancelled == 1
    assert message.status == Status.CANCELLED
    assert "channel_opt_out" in message.last_error
    assert gateway.state.requests == []


def test_a_gateway_5xx_is_retried_later_with_backoff_then_dead_lettered(
    gateway, backend, settings
):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    gateway.state.script = [503, 503]
    message = OutboundMessageFactory(send_after=shanghai(9))

    services.outbox_dispatch(now=shanghai(10), backend=backend)
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert message.send_after == shanghai(10, 1)

    services.outbox_dispatch(now=shanghai(10, 2), backend=backend)
    message.refresh_from_db()
    assert message.status == Status.DEAD
    assert message.attempts == 2
    assert gateway.state.delivered == {}


def test_a_gateway_4xx_goes_straight_to_the_dead_letter(gateway, backend):
    gateway.state.script = [400]
    message = OutboundMessageFactory(send_after=shanghai(9))
    services.outbox_dispatch(now=shanghai(10), backend=backend)
    message.refresh_from_db()
    assert message.status == Status.DEAD


def test_an_ambiguous_timeout_goes_to_unknown_and_is_never_resent(gateway, backend):
    gateway.state.script = ["slow"]
    gateway.state.delay = 1.5
    message = OutboundMessageFactory(send_after=shanghai(9))
    services.outbox_dispatch(now=shanghai(10), backend=backend)
    services.outbox_dispatch(now=shanghai(12), backend=backend)
    services.outbox_recover_stale(now=shanghai(13))
    message.refresh_from_db()
    assert message.status == Status.UNKNOWN
    assert len(gateway.state.requests) == 1

    services.outbox_settle(message=message, delivered=True, note="delivery report")
    message.refresh_from_db()
    assert message.status == Status.DELIVERED


def test_a_row_left_sending_by_a_dead_worker_is_resent_under_the_same_key(
    gateway, backend
):
    message = OutboundMessageFactory(send_after=shanghai(9))
    # A worker claimed it and sent it, then died before recording the result.
    services.outbox_claim(limit=10, now=shanghai(10))
    backend.send(
        sms.SmsMessage(
            to=message.contact_point.value,
            body=message.body,
            idempotency_key=message.idempotency_key,
        )
    )

    assert services.outbox_recover_stale(now=shanghai(10, 2)) == {
        "retried": 0,
        "unknown": 0,
    }
    assert services.outbox_recover_stale(now=shanghai(10, 10)) == {
        "retried": 1,
        "unknown": 0,
    }
    services.outbox_dispatch(now=shanghai(10, 10), backend=backend)
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert len(gateway.state.requests) == 2
    assert list(gateway.state.delivered) == [message.idempotency_key]


def test_a_stale_email_row_becomes_unknown_because_smtp_has_no_idempotency(
    gateway, backend
):
    message = OutboundMessageFactory(send_after=shanghai(9), channel="email")
    services.outbox_claim(limit=10, now=shanghai(10))
    assert services.outbox_recover_stale(now=shanghai(10, 10)) == {
        "retried": 0,
        "unknown": 1,
    }
    message.refresh_from_db()
    assert message.status == Status.UNKNOWN


def test_an_email_is_rendered_from_its_template_and_sent_with_the_key(backend):
    template = MessageTemplateFactory(
        channel="email",
        subject="逾期提醒 {{ account }}",
        body="{{ name }}，您的逾期金额为{{ overdue_amount }}。",
        html_body="<p>{{ name }}</p>",
    )
    message = OutboundMessageFactory(
        send_after=shanghai(9),
        channel="email",
        body="",
        template=template,
        contact_point__channel="email",
        contact_point__value="wang.wei@example.cn",
    )
    message.customer.full_name = "王伟<script>"
    message.customer.save()
    services.outbox_dispatch(now=shanghai(10), backend=backend)
    [sent] = mail.outbox
    assert sent.to == ["wang.wei@example.cn"]
    assert sent.body.startswith("王伟<script>，您的逾期金额为")
    assert sent.alternatives[0][0] == "<p>王伟&lt;script&gt;</p>"
    assert sent.extra_headers["X-Idempotency-Key"] == message.idempotency_key
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.subject.startswith("逾期提醒")


def test_template_validation_names_unknown_variables():
    with pytest.raises(ApplicationError) as exc:
        template_validate(subject="", body="{{ name }} {{ customer.national_id }}")
    assert "customer" in exc.value.errors["body"][0]
    with pytest.raises(ApplicationError) as exc:
        template_validate(subject="{% if %}", body="ok")
    assert "subject" in exc.value.errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_dispatchers_claim_disjoint_rows():
    OutboundMessageFactory.create_batch(40, send_after=shanghai(9))
    claims: list[list[int]] = []
    barrier = threading.Barrier(4)

    def claim():
        barrier.wait()
        try:
            claims.append(services.outbox_claim(limit=15, now=shanghai(10)))
        finally:
            connection.close()

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    flat = [i for c in claims for i in c]
    assert len(flat) == len(set(flat)) == 40


def test_dispatching_many_batches_sends_each_message_once_and_sums_the_reports(
    gateway, backend
):
    messages = OutboundMessageFactory.create_batch(7, send_after=shanghai(9))
    report = services.outbox_dispatch_many(now=shanghai(10), limit=3, backend=backend)
    assert (report.claimed, report.sent) == (7, 7)
    assert sorted(r["key"] for r in gateway.state.requests) == sorted(
        m.idempotency_key for m in messages
    )
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {
        Status.SENT
    }
    again = services.outbox_dispatch_many(now=shanghai(10, 5), backend=backend)
    assert again.claimed == 0


def test_a_batch_already_sent_is_recorded_when_the_next_one_fails_to_prepare(
    gateway, backend, monkeypatch
):
    from messaging.services import outbox

    OutboundMessageFactory.create_batch(4, send_after=shanghai(9))
    prepare = outbox._batch_prepare
    calls = []

    def failing_second(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return prepare(**kwargs)

    monkeypatch.setattr(outbox, "_batch_prepare", failing_second)
    with pytest.raises(RuntimeError):
        services.outbox_dispatch_many(now=shanghai(10), limit=2, backend=backend)
    statuses = sorted(OutboundMessage.objects.values_list("status", flat=True))
    assert statuses == [Status.PENDING, Status.PENDING, Status.SENT, Status.SENT]
    assert len(gateway.state.requests) == 2


def test_dispatching_stops_at_the_deadline_after_the_batch_in_hand(gateway, backend):
    OutboundMessageFactory.create_batch(6, send_after=shanghai(9))
    report = services.outbox_dispatch_many(
        now=shanghai(10), limit=2, backend=backend, deadline=0.0
    )
    assert (report.claimed, report.sent) == (2, 2)
    assert OutboundMessage.objects.filter(status=Status.PENDING).count() == 4
