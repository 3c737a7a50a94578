"""The debtor's self-service link (issue 21): a random token sent in a reminder, kept
only as its hash, expiring, revocable, locked after repeated failed identity checks;
and what happened through it, append-only, for the case timeline."""

from __future__ import annotations

import pgtrigger
from django.db import models
from django.utils.translation import gettext_lazy as _

from .cases import Case
from .people import Customer


class SelfServiceLink(models.Model):
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="self_service_links"
    )
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # sha256 of the token; the token itself is only ever in the message sent.
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("why revoked"), max_length=200, blank=True)
    failed_checks = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="self_link_cust_idx")
        ]

    def __str__(self) -> str:
        return f"self-service link {self.pk} of customer {self.customer_id}"


class SelfServiceEvent(models.Model):
    """One visit or action through a link. Rows are only ever added."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Opened the self-service link")
        CHECK_FAILED = "check_failed", _("Identity check failed")
        CHECK_PASSED = "check_passed", _("Identity confirmed on the self-service page")
        LOCKED = "locked", _("Link locked after failed identity checks")
        PROMISE = "promise", _("Promised to pay (self-service)")
        PLAN = "plan", _("Asked for a repayment plan (self-service)")
        DISPUTE = "dispute", _("Disputed a loan (self-service)")
        PREFERENCE = "preference", _("Set a contact preference (self-service)")
        REVOKED = "revoked", _("Link revoked")

    link = models.ForeignKey(
        SelfServiceLink, on_delete=models.PROTECT, related_name="events"
    )
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["customer", "-at"], name="self_event_cust_idx")]
        triggers = [
            pgtrigger.Protect(
                name="self_service_event_append_only",
                operation=pgtrigger.Update | pgtrigger.Delete,
            )
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"
