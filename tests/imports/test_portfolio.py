"""Portfolio import: validation report, all-or-nothing, re-import, --partial."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from cases.models import Case, ContactPoint, Customer, Instalment, Loan
from cases.services import delinquency_refresh, payment_record
from imports.models import ImportRun

from .helpers import csv_bytes, day, errors_of, loan_row, run_import, snapshot

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "portfolio.csv"


def test_a_valid_file_creates_customers_contacts_loans_and_schedules():
    rows = [
        loan_row(),
        loan_row(
            loan_reference="L-2",
            contact_name="",
            contact_relationship="",
            contact_phone="",
            schedule=f"{day(30)}:500.00",
            outstanding_balance="480.00",
        ),
    ]
    run = run_import(csv_bytes(rows))

    assert run.status == ImportRun.Status.COMPLETED, run.errors
    assert (run.rows_total, run.rows_loaded, run.rows_rejected) == (2, 2, 0)
    assert run.counts["customers_created"] == 1
    assert run.counts["loans_created"] == 2
    assert run.counts["instalments_created"] == 4
    customer = Customer.objects.get(reference="C-1")
    assert customer.full_name == "王小明"
    assert customer.address == "北京市东城区东长安街1号"
    points = set(
        customer.contact_points.values_list(
            "channel", "value", "relationship", "is_primary"
        )
    )
    assert points == {
        ("phone", "+8613800138000", "self", True),
        ("email", "xiaoming@example.com", "self", True),
        ("phone", "+8613900139000", "spouse", False),
    }
    loan = Loan.objects.get(reference="L-1")
    # Balance derived from the schedule; the arrears from the instalments already due.
    assert loan.outstanding_balance == Decimal("3000.00")
    assert loan.overdue_amount == Decimal("2000.00")
    assert loan.days_past_due == 40
    assert loan.bucket == "31-60"
    assert Loan.objects.get(reference="L-2").outstanding_balance == Decimal("480.00")


def test_an_overdue_loan_gets_its_case_as_the_delinquency_refresh_opens_it():
    run = run_import(
        csv_bytes(
            [
                loan_row(),
                loan_row(
                    customer_reference="C-2",
                    loan_reference="L-2",
                    mobile="13612345678",
                    contact_phone="",
                    contact_name="",
                    contact_relationship="",
                    schedule=f"{day(10)}:100.00",
                ),
            ]
        )
    )

    assert run.counts["cases_opened"] == 1
    case = Case.objects.get()
    assert case.customer.reference == "C-1"
    assert case.status == Case.Status.OPEN
    assert case.overdue_amount == Decimal("2000.00")
    assert case.max_days_past_due == 40


def test_a_file_with_bad_rows_writes_nothing_and_names_row_and_field():
    rows = [
        loan_row(),
        loan_row(
            customer_reference="C-2",
            loan_reference="L-2",
            mobile="12345",
            currency="RMB1",
            principal="-5",
        ),
        loan_row(
            customer_reference="C-3",
            loan_reference="L-3",
            schedule=f"{day(-5)}:100.00;2026-02-30:100.00;{day(5)}:100.00:200.00",
            opened_on="01/02/2026",
            email="not-an-email",
            time_zone="Mars/Base",
        ),
        loan_row(customer_reference="C-4", loan_reference="L-1"),
    ]
    run = run_import(csv_bytes(rows))

    assert run.status == ImportRun.Status.REJECTED
    assert errors_of(run) == [
        (3, "mobile"),
        (3, "currency"),
        (3, "principal"),
        (4, "time_zone"),
        (4, "email"),
        (4, "opened_on"),
        (4, "schedule[1].due_date"),
        (4, "schedule[2].amount_paid"),
        (5, "loan_reference"),
    ]
    messages = {(e["row"], e["field"]): e["message"] for e in run.errors}
    assert "'12345' is not a valid phone number." == messages[3, "mobile"]
    assert "Loan L-1 is also on row 2." == messages[5, "loan_reference"]
    assert run.rows_rejected == 3
    assert run.rows_loaded == 0
    assert run.counts == {}
    assert not Customer.objects.exists()
    assert not Loan.objects.exists()
    assert not Instalment.objects.exists()


def test_a_customer_whose_rows_disagree_is_reported_on_the_later_row():
    rows = [loan_row(), loan_row(loan_reference="L-2", customer_name="王晓明")]
    run = run_import(csv_bytes(rows))

    assert run.status == ImportRun.Status.REJECTED
    assert errors_of(run) == [(3, "customer_name")]
    assert "row 2" in run.errors[0]["message"]


def test_missing_and_unknown_columns_reject_the_file():
    data = "customer_reference,customer_name,moblie\nC-1,王小明,13800138000\n".encode()
    run = run_import(data)

    assert run.status == ImportRun.Status.REJECTED
    assert run.errors[0]["row"] == 1
    assert "moblie" in run.errors[0]["message"]


def test_a_file_that_is_not_utf8_is_rejected_with_a_clear_message():
    data = csv_bytes([loan_row()]).decode().encode("gb18030")
    run = run_import(data)

    assert run.status == ImportRun.Status.REJECTED
    assert "UTF-8" in run.errors[0]["message"]
    assert not Customer.objects.exists()


def test_a_row_with_the_wrong_number_of_fields_is_reported():
    data = csv_bytes([loan_row()]) + b"C-2,only,three\n"
    run = run_import(data, partial=True)

    assert run.status == ImportRun.Status.COMPLETED
    assert errors_of(run) == [(3, "row")]
    assert Loan.objects.count() == 1


def test_reimport_updates_in_place_without_duplicates():
    run_import(csv_bytes([loan_row(), loan_row(loan_reference="L-2")]))
    before = (Customer.objects.count(), ContactPoint.objects.count())

    again = run_import(csv_bytes([loan_row(), loan_row(loan_reference="L-2")]))
    assert again.status == ImportRun.Status.COMPLETED
    assert again.counts["customers_updated"] == 0
    assert again.counts["loans_updated"] == 0
    assert again.counts["instalments_updated"] == 0
    assert (Customer.objects.count(), ContactPoint.objects.count()) == before

    changed = run_import(
        csv_bytes(
            [
                loan_row(customer_name="王小明 (更新)", mobile="13700137000"),
                loan_row(
                    customer_name="王小明 (更新)",
                    mobile="13700137000",
                    loan_reference="L-2",
                    principal="4000.00",
                    schedule=f"{day(-40)}:1000.00:1000.00;{day(-10)}:1000.00",
                ),
            ]
        )
    )
    assert changed.counts["customers_updated"] == 1
    assert changed.counts["loans_updated"] == 1
    assert changed.counts["instalments_updated"] == 1
    assert changed.counts["instalments_deleted"] == 1
    assert changed.counts["contact_points_created"] == 1
    assert Customer.objects.get().full_name == "王小明 (更新)"
    assert Loan.objects.count() == 2
    loan = Loan.objects.get(reference="L-2")
    assert loan.principal == Decimal("4000.00")
    assert list(loan.instalments.values_list("sequence", "amount_paid")) == [
        (1, Decimal("1000.00")),
        (2, Decimal("0.00")),
    ]
    assert loan.outstanding_balance == Decimal("1000.00")
    # The old mobile stays (it carries consent history); the primary does not move.
    phones = dict(
        ContactPoint.objects.filter(relationship="self", channel="phone").values_list(
            "value", "is_primary"
        )
    )
    assert phones == {"+8613800138000": True, "+8613700137000": False}


def test_a_loan_cannot_move_to_another_customer_or_change_currency():
    run_import(csv_bytes([loan_row()]))
    run = run_import(
        csv_bytes(
            [
                loan_row(customer_reference="C-9"),
                loan_row(
                    loan_reference="L-1", currency="USD", customer_reference="C-1"
                ),
            ]
        ),
        partial=True,
    )
    assert errors_of(run) == [
        (2, "loan_reference"),
        (3, "loan_reference"),
        (3, "currency"),
    ]
    assert "belongs to customer C-1" in run.errors[0]["message"]


def test_payments_recorded_here_are_not_undone_by_a_later_portfolio_file():
    run_import(csv_bytes([loan_row()]))
    loan = Loan.objects.get()
    payment_record(
        reference="P-1",
        loan=loan,
        amount=Decimal("1500.00"),
        currency="CNY",
        received_at=timezone.now(),
    )
    run_import(csv_bytes([loan_row()]))

    paid = list(loan.instalments.values_list("amount_paid", flat=True))
    assert paid == [Decimal("1000.00"), Decimal("500.00"), Decimal("0.00")]
    loan.refresh_from_db()
    assert loan.outstanding_balance == Decimal("1500.00")
    assert loan.overdue_amount == Decimal("500.00")


def test_a_schedule_cannot_drop_an_instalment_with_payments_allocated():
    run_import(csv_bytes([loan_row(schedule=f"{day(-10)}:100.00;{day(20)}:100.00")]))
    loan = Loan.objects.get()
    payment_record(
        reference="P-1",
        loan=loan,
        amount=Decimal("150.00"),
        currency="CNY",
        received_at=timezone.now(),
    )
    run = run_import(csv_bytes([loan_row(schedule=f"{day(-10)}:100.00")]))
    assert run.status == ImportRun.Status.REJECTED
    assert errors_of(run) == [(2, "schedule")]
    assert "Instalment 2" in run.errors[0]["message"]
    assert loan.instalments.count() == 2


def test_partial_loads_the_good_rows_and_reports_the_rest():
    rows = [
        loan_row(),
        loan_row(customer_reference="C-2", loan_reference="L-2", mobile="000"),
        loan_row(
            customer_reference="C-3",
            loan_reference="L-3",
            mobile="13612345678",
            contact_phone="",
            contact_name="",
            contact_relationship="",
        ),
    ]
    run = run_import(csv_bytes(rows), partial=True)

    assert run.status == ImportRun.Status.COMPLETED
    assert (run.rows_total, run.rows_loaded, run.rows_rejected) == (3, 2, 1)
    assert errors_of(run) == [(3, "mobile")]
    assert set(Customer.objects.values_list("reference", flat=True)) == {"C-1", "C-3"}


def test_partial_does_not_create_a_customer_whose_only_row_fails_a_cross_row_check():
    rows = [
        loan_row(),
        loan_row(
            customer_reference="C-9",
            customer_name="赵九",
            mobile="13612345678",
            contact_phone="",
            contact_name="",
            contact_relationship="",
        ),  # L-1 again: a duplicate loan
    ]
    run = run_import(csv_bytes(rows), partial=True)

    assert run.status == ImportRun.Status.COMPLETED
    assert errors_of(run) == [(3, "loan_reference")]
    assert run.counts["customers_created"] == 1
    assert list(Customer.objects.values_list("reference", flat=True)) == ["C-1"]
    assert not ContactPoint.objects.filter(value="+8613612345678").exists()


@pytest.mark.postgres
def test_the_copy_path_writes_new_loans_with_the_figures_the_refresh_would_give(
    monkeypatch,
):
    refreshes = []

    def spy(**kwargs):
        refreshes.append(delinquency_refresh(**kwargs))
        return refreshes[-1]

    monkeypatch.setattr("imports.portfolio.common.delinquency_refresh", spy)
    schedule = f"{day(-40)}:1000.00:400.00;{day(-10)}:1000.00;{day(20)}:1000.00"
    run = run_import(csv_bytes([loan_row(schedule=schedule)]))

    loan = Loan.objects.get(reference="L-1")
    assert (loan.overdue_amount, loan.days_past_due, loan.bucket) == (
        Decimal("1600.00"),
        40,
        "31-60",
    )
    assert run.counts["cases_opened"] == 1
    # The refresh found nothing to correct on the loan.
    assert refreshes[0]["loans_updated"] == refreshes[0]["loans_cleared"] == 0


def test_dry_run_counts_and_writes_nothing():
    run = run_import(csv_bytes([loan_row()]), dry_run=True)

    assert run.status == ImportRun.Status.DRY_RUN
    assert run.counts["loans_created"] == 1
    assert not Loan.objects.exists()


def test_the_example_file_imports_with_its_chinese_text_intact():
    run = run_import(EXAMPLE.read_bytes())

    assert run.status == ImportRun.Status.COMPLETED, run.errors
    assert run.counts["customers_created"] == 5
    assert run.counts["loans_created"] == 6
    assert Customer.objects.get(reference="C-1002").full_name == "张伟"
    assert Customer.objects.get(reference="C-1001").address == "北京市东城区东长安街1号"
    assert Customer.objects.get(reference="C-1004").address == (
        "1 Market St\nSan Francisco, CA"
    )
    assert ContactPoint.objects.get(contact_name="李华").value == "+8613900139000"
    assert Case.objects.filter(customer__reference="C-1002", status="open").exists()
    first = snapshot()
    assert run_import(EXAMPLE.read_bytes()).counts["loans_updated"] == 0
    assert snapshot() == first


def test_an_import_run_records_who_which_file_and_what():
    from tests.cases.factories import UserFactory

    admin = UserFactory(username="importer", roles=["admin"])
    data = csv_bytes([loan_row()])
    run = run_import(data, actor=admin, source="api")

    import hashlib

    assert run.created_by == admin
    assert run.actor_name == "importer"
    assert run.file_sha256 == hashlib.sha256(data).hexdigest()
    assert run.file_size == len(data)
    assert run.finished_at is not None
    assert run.customer_references == ["C-1"]
