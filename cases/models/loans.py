"""Loans, their instalments, payments and how payments are allocated."""

from decimal import Decimal

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ._common import ZERO, money_field
from .people import Customer


class Loan(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAID = "paid", _("Paid off")
        SETTLED = "settled", _("Settled")
        WRITTEN_OFF = "written_off", _("Written off")

    reference = models.CharField(_("account number"), max_length=64, unique=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="loans"
    )
    product = models.CharField(_("product"), max_length=50)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    principal = money_field(verbose_name=_("principal"))
    outstanding_balance = money_field(
        verbose_name=_("outstanding balance"), default=ZERO
    )
    # Kept current by delinquency_refresh (set-based) and by payment_record.
    overdue_amount = money_field(verbose_name=_("overdue amount"), default=ZERO)
    days_past_due = models.PositiveIntegerField(_("days past due"), default=0)
    bucket = models.CharField(_("bucket"), max_length=10, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.CheckConstraint(
                condition=Q(principal__gte=0), name="loan_principal_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(outstanding_balance__gte=0),
                name="loan_balance_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(overdue_amount__gte=0), name="loan_overdue_non_negative"
            ),
        ]
        indexes = [
            # Delinquency refresh and the sweep: active loans in arrears by customer.
            models.Index(
                fields=["customer", "days_past_due"],
                condition=Q(status="active"),
                name="loan_active_dpd_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class Instalment(models.Model):
    # Not indexed on its own: instalment_unique_sequence leads with it.
    loan = models.ForeignKey(
        Loan, on_delete=models.CASCADE, related_name="instalments", db_index=False
    )
    sequence = models.PositiveIntegerField(_("number"))
    due_date = models.DateField(_("due date"))
    amount_due = money_field(verbose_name=_("amount due"))
    amount_paid = money_field(verbose_name=_("amount paid"), default=ZERO)
    history = HistoricalRecords()

    class Meta:
        ordering = ["loan_id", "due_date", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["loan", "sequence"], name="instalment_unique_sequence"
            ),
            models.CheckConstraint(
                condition=Q(amount_due__gte=0), name="instalment_due_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(amount_paid__gte=0) & Q(amount_paid__lte=F("amount_due")),
                name="instalment_paid_within_due",
            ),
        ]
        indexes = [
            # DPD: the oldest unpaid due date per loan.
            models.Index(
                fields=["loan", "due_date"],
                condition=Q(amount_paid__lt=F("amount_due")),
                name="instalment_unpaid_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.loan_id}#{self.sequence} {self.due_date}"

    @property
    def amount_outstanding(self) -> Decimal:
        return self.amount_due - self.amount_paid


class Payment(models.Model):
    """Money received. The reference is the payment's identity: the same reference is
    the same payment, never counted twice."""

    reference = models.CharField(_("reference"), max_length=64, unique=True)
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="payments")
    amount = money_field(verbose_name=_("amount"))
    currency = models.CharField(_("currency"), max_length=3)
    received_at = models.DateTimeField(_("received at"))
    # What did not fit any instalment (overpayment), kept visible rather than lost.
    unallocated_amount = money_field(default=ZERO)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="payment_amount_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["loan", "received_at"], name="payment_loan_time_idx"),
        ]
        # Posted money is never rewritten nor removed, in the database too (issue
        # 15, finding 2): a correction is a new entry. `recorded_by` may still go
        # NULL when a user is deleted (SET_NULL). PostgreSQL only.
        triggers = [
            pgtrigger.Protect(name="payment_no_delete", operation=pgtrigger.Delete),
            pgtrigger.ReadOnly(
                name="payment_posted_read_only",
                fields=[
                    "reference",
                    "loan",
                    "amount",
                    "currency",
                    "received_at",
                    "unallocated_amount",
                    "created_at",
                ],
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class PaymentAllocation(models.Model):
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="allocations"
    )
    instalment = models.ForeignKey(
        Instalment, on_delete=models.PROTECT, related_name="allocations"
    )
    amount = money_field()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="allocation_amount_positive"
            ),
        ]
        # As on Payment: an allocation, once posted, is fixed (PostgreSQL only).
        triggers = [
            pgtrigger.Protect(
                name="allocation_append_only",
                operation=pgtrigger.Update | pgtrigger.Delete,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} of {self.payment_id} to instalment {self.instalment_id}"
