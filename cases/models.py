"""Customers, their loans and money, and the collection cases built on them."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .masking import mask_contact

ZERO = Decimal("0")


def money_field(**kwargs) -> models.DecimalField:
    return models.DecimalField(max_digits=14, decimal_places=2, **kwargs)


class Team(models.Model):
    """A group of collectors and the supervisors who oversee them."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    supervisors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="supervised_teams",
        blank=True,
        verbose_name=_("supervisors"),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="teams",
        blank=True,
        verbose_name=_("members"),
    )
    history = HistoricalRecords(m2m_fields=[supervisors, members])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WorkQueue(models.Model):
    """A named queue of work with membership criteria, worked by one team.

    `criteria` is a small JSON document: {"buckets": ["31-60"], "min_overdue": "1000",
    "products": [...], "regions": [...]}; empty means "everything".
    """

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        related_name="queues",
        null=True,
        blank=True,
        verbose_name=_("team"),
    )
    criteria = models.JSONField(_("membership criteria"), default=dict, blank=True)
    priority = models.PositiveSmallIntegerField(_("priority"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["priority", "code"]

    def __str__(self) -> str:
        return self.name


class Customer(models.Model):
    """A borrower, as known to core banking."""

    class Language(models.TextChoices):
        EN = "en", _("English")
        ZH_HANS = "zh-hans", _("Simplified Chinese")

    reference = models.CharField(_("reference"), max_length=64, unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    # Stored as given, shown masked (see cases.masking); reveal is audited.
    national_id = models.CharField(_("national id"), max_length=64, blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=Language.choices, default=Language.ZH_HANS
    )
    country = models.CharField(_("country"), max_length=2, default="CN")
    region = models.CharField(_("region"), max_length=32, blank=True)
    address = models.TextField(_("address"), blank=True)
    # Explicit IANA zone; blank means "derive from country, region and phone numbers".
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["reference"]
        indexes = [
            # Collector search by name.
            models.Index(fields=["full_name"], name="customer_name_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.full_name}"


class ContactPoint(models.Model):
    """A phone number, email or postal address of a customer or of a third party."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("Email")
        ADDRESS = "address", _("Postal address")

    class Relationship(models.TextChoices):
        SELF = "self", _("Customer")
        SPOUSE = "spouse", _("Spouse")
        RELATIVE = "relative", _("Relative")
        EMPLOYER = "employer", _("Employer")
        EMERGENCY_CONTACT = "emergency_contact", _("Emergency contact")
        OTHER = "other", _("Other")

    # Not indexed on its own: contact_point_unique leads with it.
    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="contact_points",
        db_index=False,
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # Phones are E.164 (+8613800138000), emails lower-cased.
    value = models.CharField(_("value"), max_length=320)
    relationship = models.CharField(
        _("relationship"),
        max_length=20,
        choices=Relationship.choices,
        default=Relationship.SELF,
    )
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    is_primary = models.BooleanField(_("primary"), default=False)
    consent = models.BooleanField(_("consent to contact"), default=True)
    consent_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    opted_out_at = models.DateTimeField(_("opted out at"), null=True, blank=True)
    invalid_at = models.DateTimeField(_("marked invalid at"), null=True, blank=True)
    invalid_reason = models.CharField(_("invalid reason"), max_length=100, blank=True)
    # A third party who asked never to be contacted again (CN.3P-CONTACT).
    refused_at = models.DateTimeField(_("refused contact at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["customer_id", "-is_primary", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "channel", "value"], name="contact_point_unique"
            ),
        ]
        indexes = [
            # Inbound SMS replies and webhook look-ups by number.
            models.Index(fields=["channel", "value"], name="contact_point_value_idx"),
        ]

    def __str__(self) -> str:
        # Masked: str() of a row shows in the admin's relations, history and logs.
        return f"{self.get_channel_display()} {mask_contact(self.channel, self.value)}"

    @property
    def is_third_party(self) -> bool:
        return self.relationship != self.Relationship.SELF


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

    def __str__(self) -> str:
        return f"{self.amount} of {self.payment_id} to instalment {self.instalment_id}"


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=Case.Status.OPEN)


class Case(models.Model):
    """One open collection case per delinquent customer, covering their overdue
    loans."""

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


class EscalationPolicy(models.Model):
    """An admin-configured ladder of reminders and escalations."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired")

    code = models.SlugField(_("code"), max_length=50)
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    is_default = models.BooleanField(_("default policy"), default=False)
    # When settings.CONFIGURATION_ACTIVATION_APPROVAL is on, one admin asks and a
    # second one activates (escalation.services.policy_activation_request).
    activation_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("activation requested by"),
    )
    activation_requested_at = models.DateTimeField(
        _("activation requested at"), null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code", "-version"]
        verbose_name_plural = "escalation policies"
        constraints = [
            models.UniqueConstraint(
                fields=["code", "version"], name="policy_unique_version"
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(status="active"),
                name="policy_one_active_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class EscalationStep(models.Model):
    class Trigger(models.TextChoices):
        DPD = "dpd", _("Days past due reached")
        AFTER_PREVIOUS = "after_previous", _("Days after previous step, no reply")

    class Action(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("Email")
        LETTER = "letter", _("Letter")
        CALL_TASK = "call_task", _("Call task")
        SUPERVISOR_REVIEW = "supervisor_review", _("Supervisor review")
        LEGAL_REFERRAL = "legal_referral", _("Legal referral")

    policy = models.ForeignKey(
        EscalationPolicy, on_delete=models.CASCADE, related_name="steps"
    )
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=100)
    trigger = models.CharField(_("trigger"), max_length=20, choices=Trigger.choices)
    trigger_days = models.PositiveIntegerField(_("days"))
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    template_code = models.SlugField(_("message template"), max_length=50, blank=True)
    queue = models.ForeignKey(
        WorkQueue, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    priority = models.SmallIntegerField(_("priority"), default=0)
    skip_while_promise = models.BooleanField(
        _("skip while a promise is in good standing"), default=True
    )
    skip_while_plan = models.BooleanField(
        _("skip while a plan is in good standing"), default=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["policy_id", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "order"], name="step_unique_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"
