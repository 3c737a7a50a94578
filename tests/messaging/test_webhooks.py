import datetime as dt
import json
import time

import pytest
from rest_framework.test import APIClient

from cases.models import Case
from messaging.models import OutboundMessage, WebhookEvent
from messaging.webhooks import signature_for
from tests.cases.factories import CaseFactory, ContactPointFactory
from tests.messaging.factories import OutboundMessageFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/webhooks/sms/"


def post(payload, *, secret="dev-webhook-secret", timestamp=None, raw=None):
    body = raw if raw is not None else json.dumps(payload).encode()
    ts = int(timestamp or time.time())
    return APIClient().post(
        URL,
        data=body,
        content_type="application/json",
        HTTP_X_SIGNATURE=signature_for(body, timestamp=ts, secret=secret),
    )


@pytest.fixture
def case_with_phone():
    case = CaseFactory()
    ContactPointFactory(customer=case.customer, value="+8613800138000")
    return case


def test_an_opt_out_reply_opts_the_number_out_and_stops_the_ladder(case_with_phone):
    response = post(
        {
            "type": "inbound",
            "id": "ev-1",
            "from": "+8613800138000",
            "text": "退订",
            "at": "2026-12-01T10:00:00+08:00",
        }
    )
    assert response.status_code == 200
    point = case_with_phone.customer.contact_points.get()
    assert point.opted_out_at == dt.datetime.fromisoformat("2026-12-01T10:00:00+08:00")
    case_with_phone.refresh_from_db()
    assert case_with_phone.last_reply_at == point.opted_out_at
    # The opt-out is in the contact point's history, with its reason.
    assert point.history.first().history_change_reason == "SMS opt-out reply"


@pytest.mark.parametrize("text", ["STOP", "stop.", " TD ", "Unsubscribe"])
def test_opt_out_words_in_any_case_are_recognised(case_with_phone, text):
    post(
        {"type": "inbound", "id": f"ev-{text}", "from": "+8613800138000", "text": text}
    )
    assert case_with_phone.customer.contact_points.get().opted_out_at is not None


def test_an_ordinary_reply_stops_the_ladder_without_opting_out(case_with_phone):
    post(
        {
            "type": "inbound",
            "id": "ev-2",
            "from": "13800138000",
            "text": "明天还款，谢谢",
        }
    )
    case_with_phone.refresh_from_db()
    assert case_with_phone.last_reply_at is not None
    assert case_with_phone.customer.contact_points.get().opted_out_at is None


def test_the_same_webhook_delivered_twice_is_handled_once(case_with_phone):
    first = post(
        {
            "type": "inbound",
            "id": "ev-3",
            "from": "+8613800138000",
            "text": "hi",
            "at": "2026-12-01T10:00:00+08:00",
        }
    )
    Case.objects.filter(pk=case_with_phone.pk).update(last_reply_at=None)
    second = post(
        {
            "type": "inbound",
            "id": "ev-3",
            "from": "+8613800138000",
            "text": "hi",
            "at": "2026-12-01T10:00:00+08:00",
        }
    )
    assert (first.json()["duplicate"], second.json()["duplicate"]) == (False, True)
    assert WebhookEvent.objects.count() == 1
    case_with_phone.refresh_from_db()
    assert case_with_phone.last_reply_at is None


def test_a_delivery_receipt_settles_an_unknown_send():
    message = OutboundMessageFactory(status="unknown")
    response = post(
        {
            "type": "delivery",
            "id": "ev-4",
            "reference": message.idempotency_key,
            "status": "delivered",
        }
    )
    assert response.status_code == 200
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.DELIVERED


def test_a_failed_delivery_goes_to_the_dead_letter():
    message = OutboundMessageFactory(status="sent", provider_message_id="gw-9")
    post(
        {
            "type": "delivery",
            "id": "ev-5",
            "message_id": "gw-9",
            "status": "failed",
            "error": "absent subscriber",
        }
    )
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.DEAD
    assert "absent subscriber" in message.last_error


def test_a_bad_signature_is_refused_and_nothing_changes(case_with_phone):
    response = post(
        {"type": "inbound", "id": "ev-6", "from": "+8613800138000", "text": "STOP"},
        secret="wrong",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "bad_signature"
    assert not WebhookEvent.objects.exists()
    assert case_with_phone.customer.contact_points.get().opted_out_at is None


def test_a_replayed_old_signature_is_refused():
    response = post(
        {"type": "inbound", "id": "ev-7", "from": "+8613800138000", "text": "hi"},
        timestamp=time.time() - 3600,
    )
    assert response.status_code == 403


def test_a_malformed_body_gets_field_errors():
    assert post({}, raw=b"not json").json()["code"] == "parse_error"
    response = post({"type": "gossip"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"type", "id"}


def test_outbound_messages_are_listed_only_for_visible_cases_with_masked_numbers(
    collector, queue, outsider
):
    mine = OutboundMessageFactory(
        case__queue=queue, contact_point__value="+8613800138123"
    )
    OutboundMessageFactory()  # a case in no queue of the collector's
    client = APIClient()
    client.force_authenticate(collector)
    body = client.get("/api/v1/outbound-messages/").json()
    assert [row["idempotency_key"] for row in body["results"]] == [mine.idempotency_key]
    assert body["results"][0]["to"] != "+8613800138123"
    assert body["results"][0]["to"].endswith("8123")
    client.force_authenticate(outsider)
    assert client.get("/api/v1/outbound-messages/").json()["results"] == []


def test_outbound_messages_filter_by_status(admin_user):
    OutboundMessageFactory(status="sent")
    pending = OutboundMessageFactory()
    client = APIClient()
    client.force_authenticate(admin_user)
    body = client.get("/api/v1/outbound-messages/?status=pending").json()
    assert [row["id"] for row in body["results"]] == [pending.pk]
