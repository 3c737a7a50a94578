"""CSV builders and a database snapshot for the import tests."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.utils import timezone

from cases.models import Case, ContactPoint, Customer, Instalment, Loan, Payment
from imports.parsing import PAYMENT_COLUMNS, PORTFOLIO_COLUMNS
from imports.services import import_run


def day(offset: int) -> str:
    """Today plus `offset` days, ISO."""
    return (timezone.localdate() + dt.timedelta(days=offset)).isoformat()


def loan_row(**overrides) -> dict:
    row = {
        "customer_reference": "C-1",
        "customer_name": "王小明",
        "national_id": "110101199003071234",
        "language": "zh-hans",
        "country": "CN",
        "region": "BJ",
        "time_zone": "Asia/Shanghai",
        "address": "北京市东城区东长安街1号",
        "mobile": "138 0013 8000",
        "email": "xiaoming@example.com",
        "contact_name": "李华",
        "contact_relationship": "spouse",
        "contact_phone": "+86 139 0013 9000",
        "loan_reference": "L-1",
        "product": "personal_loan",
        "currency": "CNY",
        "principal": "3000.00",
        "outstanding_balance": "",
        "opened_on": day(-200),
        "schedule": f"{day(-40)}:1000.00;{day(-10)}:1000.00;{day(20)}:1000.00",
    }
    row.update(overrides)
    return row


def csv_bytes(rows: list[dict], columns=PORTFOLIO_COLUMNS.names) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def payment_row(**overrides) -> dict:
    row = {
        "reference": "P-1",
        "loan_reference": "L-1",
        "amount": "500.00",
        "currency": "CNY",
        "received_at": f"{day(-1)}T10:00:00+08:00",
    }
    row.update(overrides)
    return row


def payments_bytes(rows: list[dict]) -> bytes:
    return csv_bytes(rows, PAYMENT_COLUMNS.names)


def run_import(data: bytes, *, kind: str = "portfolio", **kwargs):
    kwargs.setdefault("source", "command")
    return import_run(kind=kind, file=io.BytesIO(data), file_name="test.csv", **kwargs)


def errors_of(run) -> list[tuple]:
    return [(e["row"], e["field"]) for e in run.errors]


def snapshot() -> dict:
    """Everything an import writes, without ids, random references or timestamps."""
    return {
        "customers": sorted(
            Customer.objects.values_list(
                "reference",
                "full_name",
                "national_id",
                "language",
                "country",
                "region",
                "time_zone",
                "address",
            )
        ),
        "contact_points": sorted(
            ContactPoint.objects.values_list(
                "customer__reference",
                "channel",
                "value",
                "relationship",
                "contact_name",
                "is_primary",
                "consent",
            )
        ),
        "loans": sorted(
            Loan.objects.values_list(
                "reference",
                "customer__reference",
                "product",
                "currency",
                "principal",
                "outstanding_balance",
                "overdue_amount",
                "days_past_due",
                "bucket",
                "status",
                "opened_on",
            )
        ),
        "instalments": sorted(
            Instalment.objects.values_list(
                "loan__reference", "sequence", "due_date", "amount_due", "amount_paid"
            )
        ),
        "payments": sorted(
            Payment.objects.values_list("reference", "loan__reference", "amount")
        ),
        "cases": sorted(
            Case.objects.values_list(
                "customer__reference",
                "status",
                "overdue_amount",
                "max_days_past_due",
                "bucket",
                "priority",
            )
        ),
    }
