"""Message templates, the transactional outbox, letters and print batches."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.fields import EncryptedJSONField, EncryptedTextField

from .letters import letter_storage, letter_upload_to, print_batch_upload_to


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
        # A letter rendered to PDF after the send-time re-check, waiting for the
        # print batch that sends it (decision 47).
        RENDERED = "rendered", _("Rendered, waiting for the print batch")

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


def letter_reference() -> str:
    # 48 random bits, as the other public references; the unique constraint catches
    # the rare collision.
    return f"LTR-{secrets.token_hex(6).upper()}"


def print_batch_reference() -> str:
    return f"PB-{secrets.token_hex(6).upper()}"


class PrintBatch(models.Model):
    """One package for the print vendor: the letters' PDFs and a manifest CSV in a
    zip, kept in the private letter storage (decision 47). A letter is recorded as
    sent, in the outbox and the ledger, when it is put in a batch."""

    reference = models.CharField(
        _("reference"), max_length=32, unique=True, default=print_batch_reference
    )
    created_at = models.DateTimeField(_("created at"))
    # Null for the daily job.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    file = models.FileField(
        _("file"), storage=letter_storage, upload_to=print_batch_upload_to
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"))
    letter_count = models.PositiveIntegerField(_("letters"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("print batch")
        verbose_name_plural = _("print batches")

    def __str__(self) -> str:
        return self.reference


class Letter(models.Model):
    """The PDF a letter rung's outbox row was rendered to, kept with the case.

    Rendered by the dispatcher after the send-time re-check (the outbox row goes to
    "rendered"); sent when a print batch takes it (the row and its ledger attempt go
    to "sent"). The recipient's name and postal address are kept as printed, so the
    batch's manifest matches the PDF even if the contact point changes later."""

    reference = models.CharField(
        _("reference"), max_length=32, unique=True, default=letter_reference
    )
    message = models.OneToOneField(
        OutboundMessage, on_delete=models.PROTECT, related_name="letter"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="letters", db_index=False
    )
    customer = models.ForeignKey(
        "cases.Customer", on_delete=models.PROTECT, related_name="letters"
    )
    language = models.CharField(_("language"), max_length=10)
    recipient_name = EncryptedTextField(_("recipient"))
    postal_address = EncryptedTextField(_("postal address"))
    file = models.FileField(
        _("file"), storage=letter_storage, upload_to=letter_upload_to
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size_bytes = models.PositiveIntegerField(_("size (bytes)"))
    page_count = models.PositiveSmallIntegerField(_("pages"))
    rendered_at = models.DateTimeField(_("rendered at"))
    batch = models.ForeignKey(
        PrintBatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="letters",
        db_index=False,  # letter_batch_idx
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-rendered_at"]
        indexes = [
            # The case page's list of letters.
            models.Index(fields=["case", "-rendered_at"], name="letter_case_idx"),
            # The next print batch: rendered letters no batch has taken yet.
            models.Index(
                fields=["rendered_at"],
                condition=Q(batch__isnull=True),
                name="letter_unbatched_idx",
            ),
            models.Index(
                fields=["batch"],
                condition=Q(batch__isnull=False),
                name="letter_batch_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class DocumentDownload(models.Model):
    """Who downloaded which letter or print batch, and when: a letter carries the
    debtor's full name, postal address and amounts, which the case page masks, so
    each download is audited like a reveal (calls.PiiReveal). Append-only."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    letter = models.ForeignKey(
        Letter,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="downloads",
    )
    batch = models.ForeignKey(
        PrintBatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="downloads",
    )
    downloaded_at = models.DateTimeField(_("downloaded at"), auto_now_add=True)

    class Meta:
        ordering = ["-downloaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(letter__isnull=False, batch__isnull=True)
                | Q(letter__isnull=True, batch__isnull=False),
                name="document_download_one_target",
            ),
        ]

    def __str__(self) -> str:
        target = (
            self.letter_id and f"letter {self.letter_id}" or f"batch {self.batch_id}"
        )
        return f"{self.user_id} downloaded {target}"
