"""Settlement offers, write-offs and the recoveries after them (issue 17 item 6,
docs/decisions.md record 48).

They live in the cases app, next to promises and plans, because payment posting
(cases.services.payments) and the case page (calls) must read them, and both sit
below the escalation app in the layers. Who may approve (the authority matrix) and
the work items that ask for approval are the escalation app's.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ._common import ZERO, money_field


def settlement_reference() -> str:
    return f"ST-{secrets.token_hex(6).upper()}"


def percent_of(part: Decimal, whole: Decimal) -> Decimal:
    """`part` as a percentage of `whole`, to one place (0 when `whole` is 0)."""
    if not whole:
        return Decimal("0.0")
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"))


class SettlementOffer(models.Model):
    """A discounted amount the customer may pay by a deadline to close the case; the
    rest of the balance is forgiven."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Awaiting approval")
        APPROVED = "approved", _("Approved, not yet communicated")
        COMMUNICATED = "communicated", _("Communicated to the customer")
        PAID = "paid", _("Paid in full")
        LAPSED = "lapsed", _("Lapsed")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # Offers the customer can still pay: a payment is checked against them.
    LIVE_STATES = (State.APPROVED, State.COMMUNICATED)
    ACTIVE_STATES = (State.PROPOSED, State.APPROVED, State.COMMUNICATED)

    reference = models.CharField(
        _("reference"), max_length=32, unique=True, default=settlement_reference
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="settlement_offers"
    )
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.PROPOSED
    )
    # The case's balance (its customer's active loans) when the offer was made.
    balance = money_field(verbose_name=_("balance"))
    amount = money_field(verbose_name=_("settlement amount"))
    currency = models.CharField(max_length=3, default="CNY")
    deadline = models.DateField(_("pay by"))
    notes = models.TextField(_("notes"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    communicated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("communicated by"),
    )
    communicated_at = models.DateTimeField(_("communicated at"), null=True, blank=True)
    communicated_via = models.CharField(
        _("communicated how"), max_length=100, blank=True
    )
    # When it was paid: what was paid since the offer, and the balance forgiven.
    paid_amount = money_field(verbose_name=_("paid"), null=True, blank=True)
    forgiven_amount = money_field(verbose_name=_("forgiven"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="settlement_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(amount__lt=models.F("balance")),
                name="settlement_below_balance",
            ),
            # One offer at a time per case.
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(state__in=["proposed", "approved", "communicated"]),
                name="settlement_one_active_per_case",
            ),
        ]
        indexes = [
            # Payment posting and the daily refresh: the offers still payable.
            models.Index(
                fields=["deadline"],
                condition=Q(state__in=["approved", "communicated"]),
                name="settlement_live_idx",
            ),
            models.Index(
                fields=["closed_at"],
                condition=Q(state="paid"),
                name="settlement_paid_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount} {self.currency} by {self.deadline}"

    @property
    def discount(self) -> Decimal:
        return self.balance - self.amount

    @property
    def discount_percent(self) -> Decimal:
        return percent_of(self.discount, self.balance)

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE_STATES


class WriteOff(models.Model):
    """A case written off: the amount, why, and who approved it."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, related_name="write_off"
    )
    amount = money_field(verbose_name=_("amount written off"))
    # The case's balance when it was written off.
    balance = money_field(verbose_name=_("balance"))
    currency = models.CharField(max_length=3, default="CNY")
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approved by"),
    )
    written_off_at = models.DateTimeField(_("written off at"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-written_off_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="write_off_amount_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["written_off_at"], name="write_off_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.amount} {self.currency}"

    @property
    def percent(self) -> Decimal:
        return percent_of(self.amount, self.balance)


class Recovery(models.Model):
    """A payment received on a written-off loan."""

    write_off = models.ForeignKey(
        WriteOff, on_delete=models.PROTECT, related_name="recoveries"
    )
    payment = models.OneToOneField(
        "cases.Payment", on_delete=models.PROTECT, related_name="recovery"
    )
    amount = money_field(verbose_name=_("amount"), default=ZERO)
    received_at = models.DateTimeField(_("received at"))
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_at"]
        verbose_name_plural = _("recoveries")
        indexes = [
            models.Index(fields=["received_at"], name="recovery_received_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.payment_id} {self.amount}"
