"""Days past due and buckets: the pure functions and their edges."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cases.services import bucket_for, days_past_due, payment_record, priority_score
from tests.cases.factories import loan_with_schedule

D = dt.date


def test_an_instalment_due_today_is_not_past_due():
    assert days_past_due(D(2026, 3, 10), D(2026, 3, 10)) == 0
    assert bucket_for(0) == ""


def test_an_instalment_due_yesterday_is_one_day_past_due():
    assert days_past_due(D(2026, 3, 9), D(2026, 3, 10)) == 1
    assert bucket_for(1) == "1-30"


def test_nothing_unpaid_or_due_later_is_current():
    assert days_past_due(None, D(2026, 3, 10)) == 0
    assert days_past_due(D(2026, 4, 1), D(2026, 3, 10)) == 0


def test_leap_day_counts_as_a_day():
    assert days_past_due(D(2024, 2, 29), D(2024, 3, 1)) == 1
    assert days_past_due(D(2024, 2, 28), D(2024, 3, 1)) == 2
    assert days_past_due(D(2023, 2, 28), D(2023, 3, 1)) == 1
    # A year across a leap day is 366 days.
    assert days_past_due(D(2024, 1, 15), D(2025, 1, 15)) == 366


def test_dpd_runs_across_the_year_boundary():
    assert days_past_due(D(2025, 12, 31), D(2026, 1, 1)) == 1
    assert days_past_due(D(2025, 12, 1), D(2026, 1, 1)) == 31
    assert bucket_for(days_past_due(D(2025, 12, 1), D(2026, 1, 1))) == "31-60"


@pytest.mark.parametrize(
    ("dpd", "bucket"),
    [
        (1, "1-30"),
        (30, "1-30"),
        (31, "31-60"),
        (60, "31-60"),
        (61, "61-90"),
        (90, "61-90"),
        (91, "90+"),
        (3650, "90+"),
    ],
)
def test_bucket_edges(dpd, bucket):
    assert bucket_for(dpd) == bucket


@given(
    due=st.dates(D(2000, 1, 1), D(2100, 1, 1)),
    today=st.dates(D(2000, 1, 1), D(2100, 1, 1)),
)
def test_a_loan_is_current_exactly_when_nothing_fell_due_before_today(due, today):
    dpd = days_past_due(due, today)
    assert dpd >= 0
    assert (bucket_for(dpd) == "") == (due >= today)


def test_priority_orders_by_dpd_then_amount():
    assert priority_score(dpd=10, overdue_amount=Decimal("500")) == 10_005
    assert priority_score(dpd=11, overdue_amount=Decimal("1")) > priority_score(
        dpd=10, overdue_amount=Decimal("90000")
    )
    assert priority_score(dpd=400, overdue_amount=Decimal("10000000")) == 180_999


@pytest.mark.django_db
def test_a_partial_payment_leaves_the_instalment_past_due():
    loan = loan_with_schedule(dues=[(-10, "1000.00"), (20, "1000.00")])

    payment_record(
        reference="P-PARTIAL",
        loan=loan,
        amount=Decimal("999.99"),
        currency="CNY",
        received_at=dt.datetime.now(dt.UTC),
    )

    loan.refresh_from_db()
    assert loan.days_past_due == 10
    assert loan.bucket == "1-30"
    assert loan.overdue_amount == Decimal("0.01")
