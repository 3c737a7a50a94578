"""Work items: what the top rungs of the ladder ask of a person, with an owner.

A supervisor review, a legal referral, a dispute review, a settlement offer or a
write-off request is not a call: it never sits in a collector's queue. It belongs to
the team of the queue it was raised for (its supervisors complete it; admins can
complete any), has a state, a due time, an outcome and notes, and its history
(docs/decisions.md, record 41).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


def work_item_reference() -> str:
    # 48 random bits, as the supervision app's references; the unique constraint
    # catches the rare collision.
    return f"WI-{secrets.token_hex(6).upper()}"


class WorkItem(models.Model):
    class Kind(models.TextChoices):
        SUPERVISOR_REVIEW = "supervisor_review", _("Supervisor review")
        LEGAL_REFERRAL = "legal_referral", _("Legal referral")
        DISPUTE_REVIEW = "dispute_review", _("Dispute review")
        SETTLEMENT_OFFER = "settlement_offer", _("Settlement offer")
        WRITE_OFF = "write_off", _("Write-off request")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class Outcome(models.TextChoices):
        # A supervisor's decision on a review.
        CONTINUE = "continue", _("Continue the ladder")
        HOLD = "hold", _("Hold the case")
        REFER_LEGAL = "refer_legal", _("Refer to legal")
        SETTLEMENT = "settlement", _("Offer a settlement")
        WRITE_OFF = "write_off", _("Request a write-off")
        # A legal case's end, a write-off's or settlement's answer.
        JUDGMENT = "judgment", _("Judgment obtained")
        SETTLED = "settled", _("Settled")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        DISMISSED = "dismissed", _("Dismissed")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        RECORDED = "recorded", _("Recorded")
        COMMUNICATED = "communicated", _("Offer communicated")

    reference = models.CharField(
        _("reference"), max_length=32, unique=True, default=work_item_reference
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.OPEN
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="work_items"
    )
    step = models.ForeignKey(
        "cases.EscalationStep",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The owner: the team whose supervisors complete it (none: admins).
    team = models.ForeignKey(
        "cases.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="work_items",
        verbose_name=_("team"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="work_items",
        verbose_name=_("assignee"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ons",
    )
    reason = models.CharField(_("what is asked"), max_length=200)
    due_at = models.DateTimeField(_("due"))
    priority = models.IntegerField(_("priority"), default=0)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome.choices, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # A settlement offer or a write-off: the amount asked for.
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(max_length=3, default="CNY")
    # A legal referral: the legal case it becomes, and the hold it puts on contact.
    legal_firm = models.CharField(_("law firm"), max_length=200, blank=True)
    court_reference = models.CharField(_("court reference"), max_length=100, blank=True)
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    hearing_on = models.DateField(_("hearing on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    legal_costs = models.DecimalField(
        _("legal costs"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    hold = models.ForeignKey(
        "compliance.ContactRestriction",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contact hold"),
    )
    # A settlement offer's item: the offer it asks to approve and communicate.
    settlement = models.OneToOneField(
        "cases.SettlementOffer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_item",
    )
    # esc:<case>:<step> for the sweep's items: a repeated sweep creates nothing.
    idempotency_key = models.CharField(
        max_length=100, unique=True, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [
            # The worklist and the legal queue: a team's open items of some kinds,
            # soonest due first.
            models.Index(
                fields=["team", "kind", "due_at"],
                condition=Q(state__in=["open", "in_progress"]),
                name="workitem_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.kind}"

    @property
    def is_open(self) -> bool:
        return self.state in (self.State.OPEN, self.State.IN_PROGRESS)


class ApprovalAuthority(models.Model):
    """Who may approve a settlement's discount or a write-off (docs/decisions.md,
    record 48): per role and kind, the largest amount (forgiven, or written off) and
    the largest share of the case's balance. Admins edit it on the configuration
    pages; every change is in the history with a reason."""

    class Kind(models.TextChoices):
        SETTLEMENT = "settlement", _("Settlement (amount forgiven)")
        WRITE_OFF = "write_off", _("Write-off (amount written off)")

    ROLE_CHOICES = [
        ("collector", _("Collector")),
        ("supervisor", _("Supervisor")),
        ("admin", _("Admin")),
    ]

    role = models.CharField(_("role"), max_length=20, choices=ROLE_CHOICES)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    max_amount = models.DecimalField(
        _("largest amount"), max_digits=14, decimal_places=2
    )
    max_percent = models.DecimalField(
        _("largest share of the balance (%)"), max_digits=5, decimal_places=2
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["role", "kind"], name="approval_authority_unique"
            ),
            models.CheckConstraint(
                condition=Q(max_amount__gte=0), name="approval_authority_amount"
            ),
            models.CheckConstraint(
                condition=Q(max_percent__gte=0, max_percent__lte=100),
                name="approval_authority_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role} {self.kind} ≤ {self.max_amount} / {self.max_percent}%"

    def covers(self, *, amount, percent) -> bool:
        return amount <= self.max_amount and percent <= self.max_percent


class SweepRun(models.Model):
    """One sweep fanned out over Celery workers (ESCALATION_SWEEP_FANOUT).

    A sweep is a sequence of stages (a policy's rung, highest first, then a re-pass
    over the cases that passed a rung), and each stage's batches are Celery tasks any
    worker may take. The run records where it stands: the stage, the batches still
    running, and, when its last batch has finished, the end and the counts
    (docs/decisions.md, record 56).
    """

    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        # Still running after ESCALATION_SWEEP_STALE_MINUTES when the next began (a
        # lost task): its late tasks finish their batches and start nothing more.
        ABANDONED = "abandoned", _("Abandoned")

    at = models.DateTimeField(_("sweep time"))
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.RUNNING
    )
    # The active policies when the run began, in the order they are swept.
    policy_ids = models.JSONField(default=list)
    sweep_pass = models.PositiveSmallIntegerField(default=0)
    position = models.PositiveIntegerField(default=0)
    pending = models.PositiveIntegerField(default=0)
    # A re-pass looks only at the cases that passed a rung in the pass before.
    scope_ids = models.JSONField(default=list, blank=True)
    report = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["state", "started_at"])]
        verbose_name = _("sweep run")
        verbose_name_plural = _("sweep runs")

    def __str__(self) -> str:
        return f"sweep {self.pk} at {self.at:%Y-%m-%d %H:%M} ({self.state})"


class SweepBatch(models.Model):
    """One batch of a fanned-out sweep's stage: a Celery task's work. Marked done in
    the transaction that writes its actions, so a retried or redelivered task finds
    it done and writes nothing twice."""

    run = models.ForeignKey(SweepRun, on_delete=models.CASCADE, related_name="batches")
    sweep_pass = models.PositiveSmallIntegerField()
    position = models.PositiveIntegerField()
    index = models.PositiveIntegerField()
    step = models.ForeignKey(
        "cases.EscalationStep", on_delete=models.PROTECT, related_name="+"
    )
    case_ids = models.JSONField()
    done_at = models.DateTimeField(null=True, blank=True)
    # SweepReport.counts() of the batch, as JSON.
    counts = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["run", "sweep_pass", "position", "index"],
                name="sweep_batch_unique",
            )
        ]

    def __str__(self) -> str:
        return f"sweep {self.run_id} pass {self.sweep_pass} stage {self.position}"
