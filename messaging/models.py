"""Message templates and the transactional outbox."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.fields import EncryptedJSONField, EncryptedTextField


class MessageTemplate(models.Model):
    """A versioned template per channel and language; only lint-clean ones activate."""

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("Email")
        LETTER = "letter", _("Letter")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired")

    code = models.SlugField(_("code"), max_length=50)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text body"))
    html_body = models.TextField(_("HTML body"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code", "channel", "language", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "channel", "language", "version"],
                name="template_unique_version",
            ),
            models.UniqueConstraint(
                fields=["code", "channel", "language"],
                condition=Q(status="active"),
                name="template_one_active_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} [{self.channel}/{self.language}] v{self.version}"


class OutboundMessage(models.Model):
    """One message to send: the unit of the transactional outbox.

    Besides messages to debtors (SMS, email, letters), the outbox carries webhook
    events for integrations (channel `webhook`, integrations.events): no contact
    point, the subscription as the target and the signed JSON as the body, delivered
    by the same dispatcher with the same claim, lease, retries and dead letter.
    """

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("Email")
        LETTER = "letter", _("Letter")
        WEBHOOK = "webhook", _("Webhook event")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed, will retry")
        DEAD = "dead", _("Dead letter")
        UNKNOWN = "unknown", _("Outcome unknown")
        CANCELLED = "cancelled", _("Cancelled")

    # The application keeps the references the sweep writes in bulk (customer, case,
    # contact point, template, step): no per-row database triggers (decision 20).
    # `contact_attempt`, the link into the ledger, keeps its database constraint.
    customer = models.ForeignKey(
        "cases.Customer",
        on_delete=models.PROTECT,
        related_name="outbound_messages",
        db_constraint=False,
    )
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outbound_messages",
        db_constraint=False,
    )
    # Null only for webhook events, which contact no one.
    contact_point = models.ForeignKey(
        "cases.ContactPoint",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        db_constraint=False,
        db_index=False,
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    webhook_subscription = models.ForeignKey(
        "integrations.WebhookSubscription",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliveries",
        db_index=False,  # outbox_subscription_idx, without the debtors' messages
    )
    template = models.ForeignKey(
        MessageTemplate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    step = models.ForeignKey(
        "cases.EscalationStep",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    contact_attempt = models.ForeignKey(
        "compliance.ContactAttempt",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
    )
    subject = models.CharField(max_length=200, blank=True)
    # The rendered text carries the debtor's name and amounts: encrypted at rest
    # (core.crypto). The address is never copied here: it is the contact point's.
    body = EncryptedTextField(blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    # Unique through Meta.constraints: a plain unique=True would add a second,
    # LIKE-only index on PostgreSQL that nothing reads.
    idempotency_key = models.CharField(max_length=100)
    send_after = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    provider_message_id = models.CharField(max_length=100, blank=True)
    last_error = models.TextField(blank=True)
    # Set when a dispatcher claims the row; a row left in "sending" past its lease was
    # held by a worker that died mid-send.
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # Dispatcher claim: due pending rows, oldest first.
            models.Index(
                fields=["send_after"],
                condition=Q(status__in=["pending", "failed"]),
                name="outbox_due_idx",
            ),
            models.Index(
                fields=["claimed_at"],
                condition=Q(status="sending"),
                name="outbox_sending_idx",
            ),
            # Sends of unknown outcome wait for a person; /metrics counts them.
            models.Index(
                fields=["created_at"],
                condition=Q(status="unknown"),
                name="outbox_unknown_idx",
            ),
            models.Index(
                fields=["webhook_subscription"],
                condition=Q(webhook_subscription__isnull=False),
                name="outbox_subscription_idx",
            ),
            models.Index(
                fields=["provider_message_id"],
                condition=~Q(provider_message_id=""),
                name="outbox_provider_id_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"], name="outbox_idempotency_key_unique"
            ),
            models.CheckConstraint(
                condition=Q(channel="webhook", webhook_subscription__isnull=False)
                | (~Q(channel="webhook") & Q(contact_point__isnull=False)),
                name="outbox_target_present",
            ),
        ]

    def __str__(self) -> str:
        if self.channel == self.Channel.WEBHOOK:
            return f"{self.subject} to {self.webhook_subscription_id} [{self.status}]"
        return f"{self.channel} to {self.contact_point_id} [{self.status}]"


class WebhookEvent(models.Model):
    """A delivery receipt or inbound reply as received; the provider's event id makes
    a redelivered webhook a no-op."""

    class Kind(models.TextChoices):
        DELIVERY = "delivery", _("Delivery receipt")
        INBOUND = "inbound", _("Inbound reply")

    provider = models.CharField(max_length=50, default="sms")
    event_id = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # As received (sender's number, reply text): encrypted at rest (core.crypto).
    payload = EncryptedJSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"], name="webhook_event_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.event_id}"
