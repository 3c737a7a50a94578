"""Supervisors' work items: follow-ups after a review found a violation, approvals of
exceptions (restriction removals, compliance overrides, promises above limits), and
daily bucket snapshots for roll rates.

Repayment plans are approved on the plan itself (cases.RepaymentPlan, with its own
history); this app only lists them and calls cases.services.plan_approve/plan_reject.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class FollowUp(models.Model):
    """Coaching or correction the collector owes after a review found a violation."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        CLOSED = "closed", _("Closed")

    reference = models.CharField(_("reference"), max_length=32, unique=True)
    collector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="follow_ups"
    )
    call = models.ForeignKey(
        "calls.CallLog", on_delete=models.PROTECT, related_name="follow_ups"
    )
    review = models.OneToOneField(
        "calls.CallReview",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_up",
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=14, choices=Status.choices, default=Status.OPEN
    )
    due_date = models.DateField(_("due date"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # A collector's open follow-ups.
            models.Index(
                fields=["collector", "due_date"],
                condition=Q(status="open"),
                name="followup_open_collector_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class Approval(models.Model):
    """A request for a supervisor's decision on an exception that is not a repayment
    plan: ending a contact restriction early, overriding a compliance rule for one
    case (with evidence and an expiry), or a promise above the limits."""

    class Kind(models.TextChoices):
        RESTRICTION_REMOVAL = "restriction_removal", _("Restriction removal")
        COMPLIANCE_OVERRIDE = "compliance_override", _("Compliance override")
        PROMISE = "promise", _("Promise above limits")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    reference = models.CharField(_("reference"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="approvals"
    )
    restriction = models.ForeignKey(
        "compliance.ContactRestriction",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approvals",
    )
    promise = models.ForeignKey(
        "cases.PromiseToPay",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approvals",
    )
    # A compliance override: the reason code it lifts (e.g. "frequency_cap").
    rule_code = models.CharField(_("rule"), max_length=40, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    reason = models.TextField(_("reason for the request"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="requested_approvals",
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("decision reason"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="restriction_removal", restriction__isnull=True),
                name="approval_removal_names_restriction",
            ),
            models.CheckConstraint(
                condition=Q(status="pending")
                | Q(decided_at__isnull=False, decided_by__isnull=False),
                name="approval_decided_has_decider",
            ),
        ]
        indexes = [
            models.Index(
                fields=["case"],
                condition=Q(status="pending"),
                name="approval_pending_case_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class BucketSnapshot(models.Model):
    """Where each open case stood on a day: the start and end of a period compared
    give roll rates between buckets and the cure rate. Written set-based by
    supervision.services.bucket_snapshot_take (no history: derived data)."""

    day = models.DateField(_("day"))
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="bucket_snapshots"
    )
    bucket = models.CharField(_("bucket"), max_length=10, blank=True)
    overdue_amount = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "case"], name="bucket_snapshot_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.case_id} {self.bucket}"


class PaymentCredit(models.Model):
    """Which collector a payment counts for: the one who last called the customer in
    the 30 days before it ("last touch"), or nobody. Written set-based by
    supervision.services.payment_credits_take (no history: derived data), so the
    dashboard sums an indexed column instead of looking up a call per payment."""

    payment = models.OneToOneField(
        "cases.Payment",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="credit",
    )
    collector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    received_at = models.DateTimeField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        indexes = [
            # The dashboard's "amount collected": per collector over a period.
            models.Index(
                fields=["collector", "received_at"], name="payment_credit_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payment_id} → {self.collector_id}"
