"""delinquency_refresh: loan figures; opening, refreshing, closing, queueing cases."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Case, Instalment, Loan
from cases.services import delinquency_refresh, priority_score, queue_criteria_q
from core.errors import ApplicationError
from tests.cases.factories import (
    CaseFactory,
    CustomerFactory,
    LoanFactory,
    WorkQueueFactory,
    loan_with_schedule,
)

pytestmark = pytest.mark.django_db

NEW_YEAR = dt.date(2026, 1, 1)


def test_it_sets_overdue_amount_dpd_and_bucket_from_unpaid_instalments():
    loan = loan_with_schedule(
        dues=[(-45, "1000"), (-15, "1000"), (0, "1000"), (15, "1000")], today=NEW_YEAR
    )
    Instalment.objects.filter(loan=loan, sequence=1).update(amount_paid=Decimal("400"))

    counts = delinquency_refresh(today=NEW_YEAR)

    loan.refresh_from_db()
    # Due today is not overdue yet; the part-paid first instalment still counts.
    assert loan.overdue_amount == Decimal("1600")
    assert loan.days_past_due == 45
    assert loan.bucket == "31-60"
    assert counts["loans_updated"] == 1


def test_an_instalment_due_today_opens_no_case():
    loan = loan_with_schedule(dues=[(0, "1000")], today=NEW_YEAR)

    counts = delinquency_refresh(today=NEW_YEAR)

    loan.refresh_from_db()
    assert (loan.overdue_amount, loan.days_past_due, loan.bucket) == (0, 0, "")
    assert counts["cases_opened"] == 0
    assert not Case.objects.exists()


def test_the_day_after_it_falls_due_the_case_opens_in_the_first_bucket():
    loan = loan_with_schedule(dues=[(0, "1000")], today=NEW_YEAR)

    delinquency_refresh(today=NEW_YEAR + dt.timedelta(days=1))

    case = Case.objects.get(customer=loan.customer)
    assert (case.max_days_past_due, case.bucket) == (1, "1-30")


def test_it_opens_one_case_per_customer_summing_their_overdue_loans():
    customer = CustomerFactory()
    loan_with_schedule(customer=customer, dues=[(-10, "1000.50")], today=NEW_YEAR)
    loan_with_schedule(customer=customer, dues=[(-95, "250.25")], today=NEW_YEAR)
    loan_with_schedule(dues=[(10, "999")], today=NEW_YEAR)  # someone current

    counts = delinquency_refresh(today=NEW_YEAR)

    case = Case.objects.get()
    assert counts["cases_opened"] == 1
    assert case.customer == customer
    assert case.status == Case.Status.OPEN
    assert case.reference.startswith("CS-")
    assert case.opened_at is not None
    assert case.overdue_amount == Decimal("1250.75")
    assert case.max_days_past_due == 95
    assert case.bucket == "90+"
    assert case.priority == priority_score(dpd=95, overdue_amount=Decimal("1250.75"))


def test_a_second_run_changes_nothing():
    for offset in (-5, -40, -70, -200):
        loan_with_schedule(dues=[(offset, "1000")], today=NEW_YEAR)
    WorkQueueFactory(criteria={})
    first = delinquency_refresh(today=NEW_YEAR)

    second = delinquency_refresh(today=NEW_YEAR)

    assert first["cases_opened"] == 4
    assert set(second.values()) == {0}
    assert Case.objects.count() == 4


def test_an_existing_open_case_is_refreshed_not_duplicated():
    loan = loan_with_schedule(dues=[(-31, "800")], today=NEW_YEAR)
    case = CaseFactory(customer=loan.customer, overdue_amount=Decimal("1"), bucket="")

    counts = delinquency_refresh(today=NEW_YEAR)

    case.refresh_from_db()
    assert counts["cases_opened"] == 0
    assert counts["cases_refreshed"] == 1
    assert (case.overdue_amount, case.max_days_past_due, case.bucket) == (
        Decimal("800"),
        31,
        "31-60",
    )


def test_cases_close_as_cured_or_paid_when_nothing_is_overdue_any_more():
    cured_loan = loan_with_schedule(dues=[(-10, "1000"), (20, "1000")], today=NEW_YEAR)
    paid_loan = loan_with_schedule(dues=[(-10, "1000")], today=NEW_YEAR)
    delinquency_refresh(today=NEW_YEAR)
    assert Case.objects.open().count() == 2
    # Money arrives outside payment_record (an import): the refresh notices.
    Instalment.objects.filter(loan__in=[cured_loan, paid_loan], sequence=1).update(
        amount_paid=F("amount_due")
    )
    Loan.objects.filter(pk=cured_loan.pk).update(outstanding_balance=Decimal("1000"))
    Loan.objects.filter(pk=paid_loan.pk).update(outstanding_balance=Decimal("0"))

    counts = delinquency_refresh(today=NEW_YEAR)

    assert counts["loans_cleared"] == 2
    assert (counts["cases_closed_cured"], counts["cases_closed_paid"]) == (1, 1)
    cured = Case.objects.get(customer=cured_loan.customer)
    paid = Case.objects.get(customer=paid_loan.customer)
    assert (cured.status, cured.close_reason) == ("closed", "cured")
    assert (paid.status, paid.close_reason) == ("closed", "paid")
    assert cured.closed_at is not None
    cured_loan.refresh_from_db()
    assert (cured_loan.overdue_amount, cured_loan.days_past_due) == (0, 0)


def test_a_customer_cured_and_late_again_gets_a_new_case():
    loan = loan_with_schedule(dues=[(-10, "1000"), (20, "1000")], today=NEW_YEAR)
    delinquency_refresh(today=NEW_YEAR)
    Instalment.objects.filter(loan=loan, sequence=1).update(amount_paid=F("amount_due"))
    delinquency_refresh(today=NEW_YEAR)

    delinquency_refresh(today=NEW_YEAR + dt.timedelta(days=21))

    cases = Case.objects.filter(customer=loan.customer).order_by("opened_at")
    assert [c.status for c in cases] == ["closed", "open"]
    assert cases[1].max_days_past_due == 1


def test_loans_that_are_not_active_are_left_alone():
    loan = loan_with_schedule(dues=[(-100, "1000")], today=NEW_YEAR)
    Loan.objects.filter(pk=loan.pk).update(status=Loan.Status.WRITTEN_OFF)

    delinquency_refresh(today=NEW_YEAR)

    loan.refresh_from_db()
    assert loan.days_past_due == 0
    assert not Case.objects.exists()


def test_the_refresh_is_a_fixed_number_of_statements_whatever_the_portfolio():
    def statements(loans: int) -> int:
        for _ in range(loans):
            loan_with_schedule(dues=[(-20, "100"), (-50, "100")], today=NEW_YEAR)
        with CaptureQueriesContext(connection) as queries:
            delinquency_refresh(today=NEW_YEAR + dt.timedelta(days=loans))
        return len(queries)

    WorkQueueFactory(criteria={"buckets": ["31-60"]})
    assert statements(2) == statements(20)


def test_open_cases_go_to_the_first_matching_active_queue():
    today = NEW_YEAR
    big_car = WorkQueueFactory(
        code="big-car",
        priority=5,
        criteria={"min_overdue": "5000", "products": ["auto_loan"], "regions": ["SH"]},
    )
    WorkQueueFactory(code="disabled", priority=1, is_active=False, criteria={})
    early = WorkQueueFactory(code="early", priority=10, criteria={"buckets": ["1-30"]})
    catch_all = WorkQueueFactory(code="rest", priority=90, criteria={})
    shanghai_car = loan_with_schedule(
        dues=[(-5, "6000")], product="auto_loan", today=today
    )
    beijing_car = loan_with_schedule(
        dues=[(-5, "6000")], product="auto_loan", today=today
    )
    beijing_car.customer.region = "BJ"
    beijing_car.customer.save()
    small_car = loan_with_schedule(dues=[(-5, "100")], product="auto_loan", today=today)
    late = loan_with_schedule(dues=[(-70, "100")], today=today)

    counts = delinquency_refresh(today=today)

    queue_of = {
        loan.pk: Case.objects.get(customer=loan.customer).queue
        for loan in (shanghai_car, beijing_car, small_car, late)
    }
    assert queue_of[shanghai_car.pk] == big_car
    assert queue_of[beijing_car.pk] == early
    assert queue_of[small_car.pk] == early
    assert queue_of[late.pk] == catch_all
    assert counts["cases_queued"] == 4


def test_a_case_already_in_a_queue_stays_there():
    mine = WorkQueueFactory(code="mine", priority=50, criteria={"buckets": ["90+"]})
    WorkQueueFactory(code="first", priority=1, criteria={})
    loan = loan_with_schedule(dues=[(-5, "100")], today=NEW_YEAR)
    CaseFactory(customer=loan.customer, queue=mine)

    delinquency_refresh(today=NEW_YEAR)

    assert Case.objects.get().queue == mine


def test_a_queue_with_broken_criteria_is_skipped_not_fatal():
    WorkQueueFactory(code="broken", priority=1, criteria={"min_overdue": "lots"})
    fine = WorkQueueFactory(code="fine", priority=2, criteria={})
    loan_with_schedule(dues=[(-5, "100")], today=NEW_YEAR)

    delinquency_refresh(today=NEW_YEAR)

    assert Case.objects.get().queue == fine


@pytest.mark.parametrize(
    "criteria",
    [{"buckets": "1-30"}, {"min_overdue": "x"}, {"regions": [1]}, ["buckets"]],
)
def test_bad_queue_criteria_are_refused(criteria):
    with pytest.raises(ApplicationError) as excinfo:
        queue_criteria_q(criteria)
    assert "criteria" in excinfo.value.errors


def test_it_defaults_to_the_local_date():
    loan = LoanFactory()
    Instalment.objects.create(
        loan=loan,
        sequence=1,
        due_date=timezone.localdate() - dt.timedelta(days=3),
        amount_due=Decimal("10"),
    )

    delinquency_refresh()

    loan.refresh_from_db()
    assert loan.days_past_due == 3
