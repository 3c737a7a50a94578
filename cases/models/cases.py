"""Collection cases, promises to pay and repayment plans."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ._common import ZERO, money_field
from .loans import Loan
from .people import Customer, WorkQueue


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=Case.Status.OPEN)


class Case(models.Model):
    """One open collection case per delinquent customer, covering their overdue
    loans."""

    class NextCall(models.TextChoices):
        """Why the call queue holds the case until `next_call_at`, or why it is
        back (decision 42)."""

        PROMISE = "promise", _("Promise to pay pending")
        PLAN = "plan", _("Repayment plan in good standing")
        NO_ANSWER = "no_answer", _("Not reached: retry")
        CONVERSATION = "conversation", _("Spoke with the customer")
        CALLBACK = "callback", _("Callback agreed")
        SKIPPED = "skipped", _("Skipped")
        GATE = "gate", _("Blocked by the compliance gate")
        PROMISE_BROKEN = "promise_broken", _("Promise broken")
        PLAN_BROKEN = "plan_broken", _("Plan instalment missed")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class CloseReason(models.TextChoices):
        PAID = "paid", _("Paid")
        CURED = "cured", _("Cured (no longer overdue)")
        SETTLED = "settled", _("Settled")
        WRITTEN_OFF = "written_off", _("Written off")
        DECEASED = "deceased", _("Deceased")
        OTHER = "other", _("Other")

    reference = models.CharField(_("reference"), max_length=32, unique=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="cases"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    policy = models.ForeignKey(
        "EscalationPolicy",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    # Not indexed: the sweep moves hundreds of thousands of cases a run, and without
    # an index on what it writes (stage, stage_at, next_action_at) PostgreSQL updates
    # them in place (HOT) instead of adding entries to every index of the table. No
    # per-row trigger either: the application keeps the reference (decision 20).
    stage = models.ForeignKey(
        "EscalationStep",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("last escalation step"),
        db_constraint=False,
        db_index=False,
    )
    stage_at = models.DateTimeField(_("stage reached at"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
    )
    queue = models.ForeignKey(
        WorkQueue,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
    )
    # Summary of the customer's overdue loans, refreshed with delinquency.
    overdue_amount = money_field(verbose_name=_("overdue amount"), default=ZERO)
    currency = models.CharField(max_length=3, default="CNY")
    max_days_past_due = models.PositiveIntegerField(_("days past due"), default=0)
    bucket = models.CharField(_("bucket"), max_length=10, blank=True)
    priority = models.IntegerField(_("priority score"), default=0)
    next_action_at = models.DateTimeField(_("next action at"), null=True, blank=True)
    # The call queue's next action time (decision 42), apart from the ladder's
    # next_action_at above: "Next case" hands the case out no earlier (NULL: now).
    # Set from each call's outcome and from promises and plans; indexed for the
    # claim, which is why the sweep never writes it.
    next_call_at = models.DateTimeField(_("next call at"), null=True, blank=True)
    # Defaults in the database too, so set-based INSERTs that do not name the
    # columns (the delinquency refresh's, the benchmarks') fill them.
    next_call_reason = models.CharField(
        _("next call reason"),
        max_length=20,
        choices=NextCall.choices,
        blank=True,
        default="",
        db_default="",
    )
    # Added to the priority in the call queue while the case is back from a broken
    # promise or a missed plan instalment; the next logged call resets it.
    call_boost = models.SmallIntegerField(
        _("call queue boost"), default=0, db_default=0
    )
    last_contact_at = models.DateTimeField(_("last contact at"), null=True, blank=True)
    last_reply_at = models.DateTimeField(_("last reply at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_reason = models.CharField(
        _("close reason"), max_length=12, choices=CloseReason.choices, blank=True
    )
    history = HistoricalRecords()

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-priority", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(status="open"),
                name="case_one_open_per_customer",
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | Q(status="closed", closed_at__isnull=False),
                name="case_closed_at_matches_status",
            ),
        ]
        indexes = [
            # Collector queues: open cases by queue, best first.
            models.Index(
                fields=["queue", "-priority"],
                condition=Q(status="open"),
                name="case_open_queue_priority_idx",
            ),
            models.Index(
                fields=["assigned_to", "-priority"],
                condition=Q(status="open"),
                name="case_open_assignee_idx",
            ),
            # "Next case" (calls.services.claims): a queue's open cases in claim
            # order, next_call_at checked inside the index (no heap visit for a case
            # that must wait).
            models.Index(
                fields=["queue", "-call_boost", "-priority", "next_call_at"],
                condition=Q(status="open"),
                name="case_call_queue_idx",
            ),
            # The same for the cases assigned to a collector.
            models.Index(
                fields=["assigned_to", "-call_boost", "-priority", "next_call_at"],
                condition=Q(status="open"),
                name="case_call_assignee_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class PromiseToPay(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        KEPT = "kept", _("Kept")
        BROKEN = "broken", _("Broken")
        CANCELLED = "cancelled", _("Cancelled")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="promises")
    loan = models.ForeignKey(
        Loan, on_delete=models.PROTECT, null=True, blank=True, related_name="promises"
    )
    amount = money_field(verbose_name=_("amount"))
    currency = models.CharField(max_length=3, default="CNY")
    due_date = models.DateField(_("promised date"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    # Payments received since the promise was made count toward it.
    made_at = models.DateTimeField(_("made at"))
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    call = models.ForeignKey(
        "calls.CallLog",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="promises",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-made_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="promise_amount_positive"
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_date"],
                condition=Q(status="pending"),
                name="promise_pending_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} by {self.due_date}"


class RepaymentPlan(models.Model):
    class Kind(models.TextChoices):
        INSTALMENTS = "instalments", _("Instalments")
        DEFERRAL = "deferral", _("Deferral")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        BROKEN = "broken", _("Broken")
        CANCELLED = "cancelled", _("Cancelled")

    reference = models.CharField(_("reference"), max_length=32, unique=True)
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="repayment_plans"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    total_amount = money_field(verbose_name=_("total amount"))
    currency = models.CharField(max_length=3, default="CNY")
    reason = models.TextField(_("reason"), blank=True)
    requested_by_customer = models.BooleanField(
        _("requested by the customer"), default=False
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    # Where the plan is beyond its product's arrangement terms, one line each: it
    # then waits for a supervisor whatever the auto-approval limits (decision 46).
    outside_terms = models.TextField(_("outside the terms"), blank=True)
    # Proposed over an arrangement in force, confirmed by the collector: when this
    # plan becomes active the others are cancelled ("superseded", in history).
    supersedes = models.BooleanField(
        _("supersedes the arrangement in force"), default=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(total_amount__gt=0), name="plan_total_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class RepaymentPlanInstalment(models.Model):
    plan = models.ForeignKey(
        RepaymentPlan, on_delete=models.CASCADE, related_name="instalments"
    )
    sequence = models.PositiveIntegerField()
    due_date = models.DateField(_("due date"))
    amount = money_field(verbose_name=_("amount"))
    paid_amount = money_field(verbose_name=_("paid"), default=ZERO)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan_id", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "sequence"], name="plan_instalment_unique_sequence"
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="plan_instalment_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(paid_amount__gte=0),
                name="plan_instalment_paid_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}#{self.sequence} {self.due_date}"
