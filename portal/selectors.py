"""What the self-service page shows a customer who passed the check: their own
loans only (what is overdue, since when, each unpaid instalment), the payments
received in the last 180 days, the promise or plan in force, and what they told us
about contacting them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language

from cases.models import Case, Customer, Instalment, Loan, Payment
from cases.services import arrangements_in_force
from compliance.models import ContactRestriction
from compliance.reasons import preference_text, statement_text
from compliance.selectors import customer_statements_in_force

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


@dataclass
class Stated:
    """Something the customer told us about contacting them, in force: `pk` set
    when the page lets them withdraw it (their statements; an opt-out is lifted by
    asking us, as consent must be given again)."""

    text: str
    pk: int | None = None


def self_service_statements(*, customer: Customer) -> list[Stated]:
    """What the customer told us about when, where and how to contact them, in the
    page's language: the statements in force and the channel opt-outs."""
    now = timezone.now()
    zh = (get_language() or "").startswith("zh")
    preferences, _consents = customer_statements_in_force(customer=customer, now=now)
    shown = []
    for p in preferences:
        en, cn = preference_text(p)
        shown.append(Stated(cn if zh else en, p.pk))
    opt_outs = ContactRestriction.objects.filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=now),
        customer=customer,
        kind=ContactRestriction.Kind.CHANNEL_OPT_OUT,
        starts_at__lte=now,
    ).values_list("channel", flat=True)
    for channel in sorted(set(opt_outs)):
        en, cn = statement_text(
            kind="channel_opt_out", weekday=None, start=None, end=None, channel=channel
        )
        shown.append(Stated(cn if zh else en))
    return shown
