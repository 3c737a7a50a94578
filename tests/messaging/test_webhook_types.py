"""A signed SMS webhook whose fields have the wrong JSON type answers 400 naming the
field (numbers, lists, objects and booleans where text belongs gave 500s)."""

import pytest

from messaging.models import WebhookEvent
from tests.cases.factories import CaseFactory, ContactPointFactory

from .test_webhooks import post

pytestmark = pytest.mark.django_db

INBOUND = {"type": "inbound", "id": "ev-t", "from": "+8613800138000", "text": "hi"}
DELIVERY = {"type": "delivery", "id": "ev-d", "reference": "k-1", "status": "delivered"}


@pytest.fixture(autouse=True)
def case_with_phone():
    case = CaseFactory()
    ContactPointFactory(customer=case.customer, value="+8613800138000")
    return case


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({**INBOUND, "from": 8613800138000}, "from"),
        ({**INBOUND, "from": ["+8613800138000"]}, "from"),
        ({**INBOUND, "from": {"number": "+86"}}, "from"),
        ({**INBOUND, "text": 5}, "text"),
        ({**INBOUND, "text": ["STOP"]}, "text"),
        ({**INBOUND, "text": {"body": "STOP"}}, "text"),
        ({**INBOUND, "at": 1767225600}, "at"),
        ({**INBOUND, "at": ["2026-12-01T10:00:00+08:00"]}, "at"),
        ({**INBOUND, "id": ["ev"]}, "id"),
        ({**INBOUND, "id": {"x": 1}}, "id"),
        ({**INBOUND, "id": True}, "id"),
        ({**INBOUND, "type": ["inbound"]}, "type"),
        ({**DELIVERY, "reference": ["k-1"]}, "reference"),
        ({**DELIVERY, "reference": {"k": 1}}, "reference"),
        ({**DELIVERY, "reference": 7}, "reference"),
        ({**DELIVERY, "message_id": ["m"], "reference": ""}, "message_id"),
        ({**DELIVERY, "status": ["delivered"]}, "status"),
        ({**DELIVERY, "status": "failed", "error": {"code": 1}}, "error"),
    ],
)
def test_a_field_of_the_wrong_type_is_a_400_naming_it(payload, field):
    response = post(payload)

    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body["errors"], body
    assert not WebhookEvent.objects.exists()


def test_a_numeric_event_id_is_still_accepted():
    response = post({**INBOUND, "id": 12345})

    assert response.status_code == 200
    assert WebhookEvent.objects.get().event_id == "12345"


def test_null_fields_count_as_absent():
    response = post({**INBOUND, "at": None, "text": None})

    assert response.status_code == 200
