"""Letters are never recorded as sent while nothing produces them (issue 15,
finding 5): a letter step's outbox row waits, pending, for the print producer, and
its ledger attempt stays pending."""

import datetime as dt
import zoneinfo

import pytest

from cases.models import EscalationPolicy, EscalationStep
from compliance.models import ContactAttempt
from escalation.sweep import escalation_sweep
from messaging import services, sms
from messaging.models import OutboundMessage
from tests.cases.factories import CaseFactory, ContactPointFactory
from tests.messaging.factories import MessageTemplateFactory, OutboundMessageFactory

pytestmark = pytest.mark.django_db
AT = dt.datetime(2026, 12, 1, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
Status = OutboundMessage.Status


@pytest.fixture
def letter_ladder():
    EscalationPolicy.objects.all().delete()
    policy = EscalationPolicy.objects.create(
        code="letters", name="Letters", status="active", is_default=True
    )
    MessageTemplateFactory(
        code="letter-notice", channel="letter", subject="逾期通知", body="{{ name }}"
    )
    EscalationStep.objects.create(
        policy=policy,
        order=1,
        name="Letter",
        trigger=EscalationStep.Trigger.DPD,
        trigger_days=1,
        action=EscalationStep.Action.LETTER,
        template_code="letter-notice",
    )
    return policy


def test_dispatching_a_letter_step_records_nothing_as_sent(letter_ladder):
    case = CaseFactory(max_days_past_due=3)
    ContactPointFactory(
        customer=case.customer, channel="address", value="上海市浦东新区世纪大道100号"
    )
    assert escalation_sweep(at=AT).created == 1
    letter = OutboundMessage.objects.get(channel="letter")

    report = services.outbox_dispatch(now=AT, backend=sms.LocmemBackend())
    again = services.outbox_dispatch(
        now=AT + dt.timedelta(hours=1), backend=sms.LocmemBackend()
    )

    letter.refresh_from_db()
    assert (report.sent, again.sent) == (0, 0)
    assert letter.status == Status.PENDING
    assert letter.sent_at is None and letter.provider_message_id == ""
    attempt = ContactAttempt.objects.get(pk=letter.contact_attempt_id)
    assert attempt.result == ContactAttempt.Result.PENDING
    assert not ContactAttempt.objects.filter(
        channel="letter", result=ContactAttempt.Result.SENT
    ).exists()


def test_a_letter_waiting_for_print_does_not_hold_up_the_smses_behind_it():
    address = ContactPointFactory(channel="address", value="北京市朝阳区建国路1号")
    letter = OutboundMessageFactory(
        channel="letter",
        case__customer=address.customer,
        contact_point=address,
        send_after=AT - dt.timedelta(hours=2),
    )
    text = OutboundMessageFactory(send_after=AT - dt.timedelta(hours=1))
    sms.outbox.clear()

    report = services.outbox_dispatch(now=AT, backend=sms.LocmemBackend(), limit=1)

    letter.refresh_from_db()
    text.refresh_from_db()
    assert (report.claimed, report.sent) == (1, 1)
    assert (letter.status, text.status) == (Status.PENDING, Status.SENT)
    assert [m.to for m in sms.outbox] == [text.contact_point.value]
