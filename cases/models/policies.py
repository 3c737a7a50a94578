"""Escalation policies and their steps (the ladder the sweep climbs)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .people import WorkQueue


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

    class OnUnusable(models.TextChoices):
        SKIP = "skip", _("Skip to the next rung")
        WAIT = "wait", _("Wait for a usable channel")
        SUBSTITUTE = "substitute", _("Use the substitute channel")

    # The contacting actions a rung may fall back to.
    SUBSTITUTE_ACTIONS = [
        ("sms", _("SMS")),
        ("email", _("Email")),
        ("letter", _("Letter")),
        ("call_task", _("Call task")),
    ]

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
    # What the sweep does when the rung's channel has no usable contact point for the
    # customer (none, invalid, opted out, no consent): a hold, a contact window or a
    # cap is a real block and always defers (docs/decisions.md, record 40).
    on_unusable = models.CharField(
        _("when the channel is unusable"),
        max_length=12,
        choices=OnUnusable.choices,
        default=OnUnusable.SKIP,
    )
    substitute_action = models.CharField(
        _("substitute channel"),
        max_length=20,
        choices=SUBSTITUTE_ACTIONS,
        blank=True,
    )
    substitute_template_code = models.SlugField(
        _("substitute template"), max_length=50, blank=True
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
