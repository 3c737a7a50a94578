"""What the self-service page shows a customer who passed the check: their own
loans only (what is overdue, since when, each unpaid instalment), the payments
received in the last 180 days, and the promise or plan in force."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from cases.models import Case, Customer, Instalment, Loan, Payment
from cases.services import arrangements_in_force

PAYMENT_DAYS = 180


@dataclass
class LoanLine:
    loan: Loan
    unpaid: list[Instalment]


@dataclass
class Account:
    lines: list[LoanLine]
    payments: list[Payment]
    arrangements: list = field(default_factory=list)
    overdue: Decimal = Decimal("0")
    currency: str = "CNY"

    @property
    def loans_overdue(self) -> list[Loan]:
        return [line.loan for line in self.lines if line.loan.overdue_amount > 0]


def self_service_account(*, customer: Customer, case: Case | None) -> Account:
    today = timezone.localdate()
    loans = list(
        Loan.objects.filter(customer=customer, status=Loan.Status.ACTIVE).order_by(
            "reference"
        )
    )
    unpaid: dict[int, list[Instalment]] = {}
    for instalment in Instalment.objects.filter(
        loan__in=loans, amount_paid__lt=F("amount_due"), due_date__lt=today
    ).order_by("due_date"):
        unpaid.setdefault(instalment.loan_id, []).append(instalment)
    payments = list(
        Payment.objects.filter(
            loan__customer=customer,
            received_at__gte=timezone.now() - dt.timedelta(days=PAYMENT_DAYS),
        )
        .select_related("loan")
        .order_by("-received_at")[:50]
    )
    return Account(
        lines=[LoanLine(loan=loan, unpaid=unpaid.get(loan.pk, [])) for loan in loans],
        payments=payments,
        arrangements=arrangements_in_force(case=case) if case is not None else [],
        overdue=sum((loan.overdue_amount for loan in loans), Decimal("0")),
        currency=loans[0].currency if loans else "CNY",
    )
