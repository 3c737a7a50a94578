"""Every send-time re-check is recorded (issue 15, item 4): the dispatcher writes its
decision through the compliance ledger and settles the attempt the message carried."""

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance import services as compliance
from compliance.models import ContactAttempt, Decision
from messaging import services, sms
from messaging.models import OutboundMessage
from tests.cases.factories import CaseFactory, ContactPointFactory
from tests.messaging.factories import OutboundMessageFactory

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
Status = OutboundMessage.Status
Result = ContactAttempt.Result

pytestmark = pytest.mark.django_db


def shanghai(hour, minute=0, day=3):
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI)


def queued(at, **fields):
    """A message as the sweep leaves it: an allowing decision, a pending attempt."""
    case = CaseFactory(**fields.pop("case_fields", {}))
    point = ContactPointFactory(customer=case.customer, **fields.pop("point", {}))
    _, attempt = compliance.contact_request(
        customer=case.customer, channel="sms", contact_point=point, at=at, case=case
    )
    assert attempt.result == Result.PENDING
    message = OutboundMessageFactory(
        case=case, contact_point=point, contact_attempt=attempt, send_after=at
    )
    return message, attempt


def test_a_deferral_at_send_time_is_a_recorded_decision_and_settles_the_attempt():
    message, first = queued(shanghai(21, 50))
    before = Decision.objects.count()
    report = services.outbox_dispatch(now=shanghai(22, 1), backend=sms.LocmemBackend())
    message.refresh_from_db()
    first.refresh_from_db()
    assert report.deferred == 1
    assert Decision.objects.count() == before + 1
    assert first.result == Result.RECHECKED
    now = message.contact_attempt
    assert now.pk != first.pk
    assert (now.allowed, now.result, now.source) == (False, Result.BLOCKED, "dispatch")
    assert now.decision.outcome == "defer"
    assert now.decision.next_permitted_at == shanghai(8, day=4)
    assert now.decision.proposed_at == shanghai(22, 1)


def test_a_deferred_message_sent_later_records_a_new_allowing_decision():
    message, first = queued(shanghai(21, 50))
    backend = sms.LocmemBackend()
    services.outbox_dispatch(now=shanghai(22, 1), backend=backend)
    message.refresh_from_db()
    deferral = message.contact_attempt
    report = services.outbox_dispatch(now=shanghai(8, 5, day=4), backend=backend)
    message.refresh_from_db()
    deferral.refresh_from_db()
    assert report.sent == 1
    sent = message.contact_attempt
    assert sent.pk not in (first.pk, deferral.pk)
    assert (sent.allowed, sent.result) == (True, Result.SENT)
    assert sent.completed_at == shanghai(8, 5, day=4)
    assert sent.decision.allowed
    assert sent.decision.proposed_at == shanghai(8, 5, day=4)
    assert deferral.result == Result.BLOCKED
    # Nothing is left pending: only the sent attempt counts toward caps.
    attempts = ContactAttempt.objects.filter(customer=message.customer)
    assert not attempts.filter(result=Result.PENDING).exists()


def test_a_cancelled_message_leaves_a_blocked_attempt_with_its_denying_decision():
    message, first = queued(shanghai(9))
    point = message.contact_point
    point.opted_out_at = shanghai(9, 30)
    point.save()
    report = services.outbox_dispatch(now=shanghai(10), backend=sms.LocmemBackend())
    message.refresh_from_db()
    first.refresh_from_db()
    assert report.cancelled == 1
    assert first.result == Result.RECHECKED
    blocked = message.contact_attempt
    assert (blocked.allowed, blocked.result) == (False, Result.BLOCKED)
    assert blocked.decision.outcome == "deny"
    assert "channel_opt_out" in [r["code"] for r in blocked.decision.reasons]


def test_a_message_sent_at_once_carries_the_send_time_decision():
    message, first = queued(shanghai(9))
    services.outbox_dispatch(now=shanghai(10), backend=sms.LocmemBackend())
    message.refresh_from_db()
    first.refresh_from_db()
    sent = message.contact_attempt
    assert first.result == Result.RECHECKED
    assert (sent.result, sent.completed_at) == (Result.SENT, shanghai(10))
    assert sent.decision.proposed_at == shanghai(10)
    assert sent.loan_id == first.loan_id and sent.purpose == first.purpose


class Refusing(sms.BaseSmsBackend):
    def send(self, message):
        return sms.SendResult(sms.FAILED, error="400 bad number", retryable=False)


def test_a_failed_send_settles_its_attempt_as_failed():
    message, _ = queued(shanghai(9))
    report = services.outbox_dispatch(now=shanghai(10), backend=Refusing())
    message.refresh_from_db()
    assert report.dead == 1
    assert message.contact_attempt.result == Result.FAILED
    assert message.contact_attempt.completed_at == shanghai(10)


def test_a_queued_sms_is_not_held_back_by_its_own_pending_attempt():
    # The us pack allows one SMS a day, counting pending ones: the message's own
    # attempt, written when it was queued, must not count against its send.
    new_york = zoneinfo.ZoneInfo("America/New_York")
    at = dt.datetime(2026, 12, 3, 14, tzinfo=new_york)
    message, _ = queued(
        at,
        case_fields={
            "customer__country": "US",
            "customer__region": "CA",
        },
        point={"value": "+12125550123"},
    )
    report = services.outbox_dispatch(
        now=at + dt.timedelta(minutes=1), backend=sms.LocmemBackend()
    )
    message.refresh_from_db()
    assert (report.sent, report.deferred) == (1, 0), message.last_error


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite writes outcomes row by row"
)
def test_a_batch_takes_the_same_number_of_queries_whatever_its_size():
    def dispatch_queries(n, day):
        for _ in range(n):
            queued(shanghai(9, day=day))
        with CaptureQueriesContext(connection) as ctx:
            report = services.outbox_dispatch(
                now=shanghai(10, day=day), backend=sms.LocmemBackend()
            )
        assert report.sent == n
        return len(ctx.captured_queries)

    assert dispatch_queries(2, 3) == dispatch_queries(7, 4)


def test_settling_an_unknown_send_settles_its_attempt():
    message, _ = queued(shanghai(9))

    class Ambiguous(sms.BaseSmsBackend):
        def send(self, message):
            return sms.SendResult(sms.UNKNOWN, error="ambiguous: timeout")

    services.outbox_dispatch(now=shanghai(10), backend=Ambiguous())
    message.refresh_from_db()
    assert message.contact_attempt.result == Result.PENDING
    services.outbox_settle(message=message, delivered=True, note="delivery report")
    message.contact_attempt.refresh_from_db()
    assert message.contact_attempt.result == Result.SENT
