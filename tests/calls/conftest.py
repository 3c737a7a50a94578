"""A callable case in the collector's queue, at a time the gate allows calls."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tests.cases.factories import (
    CaseFactory,
    ContactPointFactory,
    CustomerFactory,
    loan_with_schedule,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Monday morning in Shanghai, inside the cn pack's window and no holiday.
WORKING_HOURS = dt.datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)
NIGHT = dt.datetime(2026, 11, 30, 23, 0, tzinfo=SHANGHAI)


@pytest.fixture
def working_hours(time_machine):
    time_machine.move_to(WORKING_HOURS, tick=True)
    return WORKING_HOURS


def make_case(queue, *, reference=None, priority=10, phone=None, **kwargs):
    customer = CustomerFactory(full_name=kwargs.pop("name", "王小明"))
    ContactPointFactory(customer=customer, **({"value": phone} if phone else {}))
    loan = loan_with_schedule(customer=customer, dues=[(-40, "1000"), (20, "1000")])
    from cases.models import Loan

    Loan.objects.filter(pk=loan.pk).update(
        overdue_amount=1000, days_past_due=40, bucket="31-60"
    )
    fields = {"reference": reference} if reference else {}
    return CaseFactory(
        customer=customer,
        queue=queue,
        priority=priority,
        overdue_amount=1000,
        max_days_past_due=40,
        bucket="31-60",
        **fields,
        **kwargs,
    )


@pytest.fixture
def case(queue, working_hours):
    return make_case(queue, reference="CASE-MINE")


@pytest.fixture
def phone(case):
    return case.customer.contact_points.get()
