"""An external attempt reported through the API must have happened, recently, on a
number of the customer's: a time in the future (beyond a small clock skew), one older
than EXTERNAL_ATTEMPT_MAX_AGE_DAYS, or a number that is not the customer's is a 400
naming the field, and nothing is written to the ledger."""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from compliance.models import ContactAttempt
from compliance.services import contact_attempt_record_external
from core.errors import ApplicationError
from tests.api import client_for
from tests.cases.factories import ContactPointFactory, CustomerFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/contact-attempts/"


def body(case, at: dt.datetime, **overrides) -> dict:
    return {
        "customer": case.customer.reference,
        "channel": "call",
        "contact_point": "+8613800138000",
        "at": at.isoformat(),
        "outcome": "no_answer",
        "source": "dialer-x",
    } | overrides


def post(user, payload):
    return client_for(user).post(URL, payload, format="json")


@pytest.mark.parametrize(
    "offset",
    [dt.timedelta(minutes=-1), dt.timedelta(minutes=4), dt.timedelta(days=-29)],
    ids=["a-minute-ago", "within-the-clock-skew", "four-weeks-ago"],
)
def test_a_recent_attempt_on_the_customers_number_is_recorded(collector, case, offset):
    response = post(collector, body(case, timezone.now() + offset))

    assert response.status_code == 201, response.json()


def test_an_attempt_in_the_future_is_400_naming_the_time(collector, case):
    response = post(collector, body(case, timezone.now() + dt.timedelta(minutes=10)))

    assert response.status_code == 400
    assert "in the future" in response.json()["errors"]["at"][0]
    assert not ContactAttempt.objects.exists()


@override_settings(EXTERNAL_ATTEMPT_MAX_AGE_DAYS=30)
def test_an_attempt_older_than_the_setting_is_400_naming_the_time(collector, case):
    response = post(collector, body(case, timezone.now() - dt.timedelta(days=31)))

    assert response.status_code == 400
    assert "30 days" in response.json()["errors"]["at"][0]
    assert not ContactAttempt.objects.exists()


def test_a_number_that_is_not_the_customers_is_400_naming_the_contact_point(
    collector, case
):
    stranger = CustomerFactory()
    ContactPointFactory(customer=stranger, value="+8613900139000")

    for number in ("+8613700137000", "+8613900139000"):
        response = post(collector, body(case, timezone.now(), contact_point=number))

        assert response.status_code == 400
        assert "contact_point" in response.json()["errors"]
    assert not ContactAttempt.objects.exists()


def test_the_service_refuses_an_unknown_number_whatever_the_interface(case):
    with pytest.raises(ApplicationError) as excinfo:
        contact_attempt_record_external(
            customer=case.customer,
            channel="call",
            contact_value="+8613700137000",
            at=timezone.now(),
            result="no_answer",
            source="agency",
        )

    assert "contact_point" in excinfo.value.errors


def test_the_service_bounds_the_time_against_when_the_report_was_received(case):
    received = timezone.now()

    with pytest.raises(ApplicationError) as excinfo:
        contact_attempt_record_external(
            customer=case.customer,
            channel="call",
            contact_value="+8613800138000",
            at=received + dt.timedelta(hours=1),
            result="no_answer",
            source="agency",
            received_at=received,
        )

    assert "at" in excinfo.value.errors
