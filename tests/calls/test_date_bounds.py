"""Promise and plan dates are bounded by the services, so the pages, the guided call
and the API refuse the same far-off dates (9999-12-31 was accepted by the page and
a plan that far out was a 500)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from cases.models import PromiseToPay, RepaymentPlan
from cases.services import plan_propose, plan_schedule_preview, promise_record
from core.errors import ApplicationError
from tests.api import client_for

pytestmark = pytest.mark.django_db


def in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


@pytest.fixture
def web(client, collector):
    client.force_login(collector)
    return client


def case_url(case, suffix=""):
    return f"/cases/{case.reference}/{suffix}"


# --- the services own the bound ------------------------------------------------------


@override_settings(PROMISE_MAX_DAYS=90)
def test_a_promise_beyond_the_horizon_is_refused_naming_the_date(case):
    with pytest.raises(ApplicationError) as excinfo:
        promise_record(case=case, amount=Decimal("100"), due_date=in_days(91))

    assert "within 90 days" in excinfo.value.errors["due_date"][0]
    assert not PromiseToPay.objects.exists()


@override_settings(PROMISE_MAX_DAYS=90)
def test_a_promise_on_the_last_day_of_the_horizon_is_recorded(case):
    promise = promise_record(case=case, amount=Decimal("100"), due_date=in_days(90))

    assert promise.due_date == in_days(90)


@override_settings(PLAN_MAX_DAYS=365)
def test_a_plan_instalment_beyond_the_horizon_is_refused(case):
    with pytest.raises(ApplicationError) as excinfo:
        plan_propose(
            case=case,
            kind="instalments",
            instalments=[
                {"due_date": in_days(30), "amount": Decimal("100")},
                {"due_date": in_days(366), "amount": Decimal("100")},
            ],
            reason="",
        )

    assert "within 365 days" in " ".join(excinfo.value.errors["instalments"])
    assert not RepaymentPlan.objects.exists()


def test_the_plan_calculator_refuses_a_schedule_past_any_calendar(case):
    with pytest.raises(ApplicationError) as excinfo:
        plan_schedule_preview(
            case=case,
            total=Decimal("900"),
            count=3,
            first_due_date=dt.date(9999, 12, 1),
            every_days=30,
        )

    assert "first_due_date" in excinfo.value.errors


# --- every interface gets it --------------------------------------------------------


def test_the_promise_page_refuses_9999_12_31(web, case):
    response = web.post(
        case_url(case, "promise/"), {"amount": "300", "due_date": "9999-12-31"}
    )

    assert response.status_code == 400
    assert "within" in response.text
    assert not PromiseToPay.objects.exists()


def test_a_promise_in_a_guided_call_refuses_9999_12_31(web, case, phone):
    web.post(case_url(case, "call/start/"), {"contact_point": phone.pk})
    web.post(case_url(case, "call/step/"), {"action": "identity_confirmed"})
    web.post(case_url(case, "call/step/"), {"action": "resolve"})

    response = web.post(
        case_url(case, "call/log/"),
        {
            "outcome": "promise_to_pay",
            "attitude": "cooperative",
            "promise_amount": "600",
            "promise_due_date": "9999-12-31",
        },
    )

    assert response.status_code == 400
    assert "within" in response.text
    assert not PromiseToPay.objects.exists()


def test_the_promise_api_refuses_a_date_beyond_the_horizon(collector, case):
    response = client_for(collector).post(
        "/api/v1/promises/",
        {"case": case.reference, "amount": "500", "due_date": "2099-12-31"},
        format="json",
    )

    assert response.status_code == 400
    assert "due_date" in response.json()["errors"]
    assert not PromiseToPay.objects.exists()


def test_the_plan_page_refuses_a_first_date_in_year_9999_without_a_500(web, case):
    response = web.post(
        case_url(case, "plan/"),
        {
            "kind": "instalments",
            "total": "1500",
            "count": "3",
            "first_due_date": "9999-12-01",
            "every_days": "30",
            "propose": "1",
        },
    )

    assert response.status_code == 400
    assert "within" in response.text
    assert not RepaymentPlan.objects.exists()


def test_the_plan_api_refuses_an_instalment_beyond_the_horizon(collector, case):
    body = {
        "case": case.reference,
        "kind": "instalments",
        "instalments": [{"due_date": "2099-12-31", "amount": "500"}],
        "reason": "",
    }

    response = client_for(collector).post(
        "/api/v1/repayment-plans/", body, format="json"
    )

    assert response.status_code == 400
    assert "instalments" in response.json()["errors"]
