"""Integration tokens and outbound webhook subscriptions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class IntegrationTokenQuerySet(models.QuerySet):
    def usable(self, *, now=None):
        """Neither revoked nor expired."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


class IntegrationToken(models.Model):
    """A bearer token for one integration (core banking, a dialer, an agency).

    The secret is shown once, at creation; only its SHA-256 is kept. `prefix` is the
    public first part of the token, used to find the row without scanning hashes.
    The token acts as `user` (its role and visibility rules apply) and may only do
    what its `scopes` allow on top of that.
    """

    # How core.permissions tells a token from DRF's other `request.auth` values.
    is_integration_token = True

    name = models.CharField(_("name"), max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="integration_tokens",
        verbose_name=_("acts as"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("created by"),
    )
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    secret_hash = models.CharField(_("secret hash"), max_length=64)
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    # Requests per period for this token ("600/min"); blank: INTEGRATION_TOKEN_RATE.
    rate = models.CharField(_("rate limit"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("revoked by"),
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["last_used_at"])

    objects = IntegrationTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("integration token")
        verbose_name_plural = _("integration tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()


class WebhookSubscription(models.Model):
    """Where to POST which domain events, signed with `secret` (HMAC-SHA256)."""

    class Event(models.TextChoices):
        PROMISE_MADE = "promise.made", _("Promise to pay made")
        PROMISE_BROKEN = "promise.broken", _("Promise to pay broken")
        PLAN_APPROVED = "plan.approved", _("Repayment plan approved")
        CASE_CLOSED = "case.closed", _("Case closed")
        RESTRICTION_RECORDED = "restriction.recorded", _("Contact restriction recorded")

    reference = models.CharField(_("reference"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=128)
    events = models.JSONField(_("events"), default=list)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["secret"])

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self) -> str:
        return f"{self.name} → {self.url}"
