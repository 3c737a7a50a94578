"""Django admin for message templates and the outbox."""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cases.masking import mask_contact
from core.admin import HistoryAdmin, ReadOnlyAdminMixin
from core.errors import ApplicationError

from . import services
from .models import (
    DocumentDownload,
    Letter,
    MessageTemplate,
    OutboundMessage,
    PrintBatch,
    WebhookEvent,
)


class MessageTemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = [
            "code",
            "channel",
            "language",
            "version",
            "status",
            "subject",
            "body",
            "html_body",
        ]

    def clean(self):
        data = super().clean()
        if data.get("status") == MessageTemplate.Status.ACTIVE:
            try:
                services.template_check(
                    subject=data.get("subject", ""),
                    body=data.get("body", ""),
                    html_body=data.get("html_body", ""),
                    language=data.get("language", ""),
                )
            except ApplicationError as exc:
                raise forms.ValidationError(
                    {field: msgs for field, msgs in exc.errors.items()}
                ) from None
        return data


@admin.register(MessageTemplate)
class MessageTemplateAdmin(HistoryAdmin):
    """Activating a template (status "active") runs the variable and content checks
    and retires the version it replaces."""

    form = MessageTemplateForm
    list_display = ["code", "channel", "language", "version", "status", "created_at"]
    list_filter = ["channel", "language", "status"]
    search_fields = ["code", "subject", "body"]
    readonly_fields = ["created_at"]

    def save_model(self, request, obj, form, change):
        if obj.status == MessageTemplate.Status.ACTIVE:
            services.template_activate(template=obj, user=request.user)
        else:
            super().save_model(request, obj, form, change)


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    """The outbox is written by the sweep and the dispatcher. A person may only settle
    a row's status, e.g. an `unknown` send confirmed with the gateway (DESIGN.md
    section 5); nothing here resends."""

    list_display = [
        "created_at",
        "customer",
        "channel",
        "masked_contact",
        "status",
        "attempts",
        "send_after",
        "sent_at",
    ]
    list_filter = ["status", "channel"]
    list_select_related = ["customer", "contact_point"]
    search_fields = ["=customer__reference", "=idempotency_key", "=provider_message_id"]
    readonly_fields = [
        "customer",
        "case",
        "contact_point",
        "channel",
        "webhook_subscription",
        "template",
        "step",
        "contact_attempt",
        "subject",
        "body",
        "idempotency_key",
        "send_after",
        "attempts",
        "provider_message_id",
        "last_error",
        "claimed_at",
        "sent_at",
        "delivered_at",
        "created_at",
    ]
    show_full_result_count = False

    @admin.display(description=_("to"))
    def masked_contact(self, obj: OutboundMessage) -> str:
        point = obj.contact_point
        if point is None:  # a webhook event for an integration
            return obj.webhook_subscription.url if obj.webhook_subscription else ""
        return mask_contact(point.channel, point.value)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Delivery receipts and inbound replies exactly as received: the evidence behind
    an opt-out or a delivered status, so never edited here."""

    list_display = ["received_at", "provider", "kind", "event_id", "outcome"]
    list_filter = ["kind", "provider"]
    search_fields = ["=event_id"]
    show_full_result_count = False


# Letters and print batches carry the debtor's full name and postal address: the admin
# shows neither nor the file itself, only a link to the app's audited download
# (decision 47). They are written by the dispatcher and the batch job, never here.


@admin.register(PrintBatch)
class PrintBatchAdmin(ReadOnlyAdminMixin, HistoryAdmin):
    list_display = ["reference", "created_at", "letter_count", "size_bytes", "download"]
    fields = [
        "reference",
        "created_at",
        "created_by",
        "letter_count",
        "size_bytes",
        "sha256",
        "download",
    ]
    readonly_fields = fields
    show_full_result_count = False

    @admin.display(description=_("download"))
    def download(self, obj: PrintBatch) -> str:
        url = reverse("configuration:print-batch-download", args=[obj.reference])
        return format_html('<a href="{}">{}</a>', url, _("Download (audited)"))


@admin.register(Letter)
class LetterAdmin(ReadOnlyAdminMixin, HistoryAdmin):
    list_display = [
        "reference",
        "case",
        "language",
        "page_count",
        "rendered_at",
        "batch",
    ]
    list_filter = ["language"]
    list_select_related = ["case", "batch"]
    search_fields = ["=reference", "=case__reference"]
    fields = [
        "reference",
        "case",
        "message",
        "language",
        "page_count",
        "size_bytes",
        "sha256",
        "rendered_at",
        "batch",
        "download",
    ]
    readonly_fields = fields
    show_full_result_count = False

    @admin.display(description=_("download"))
    def download(self, obj: Letter) -> str:
        url = reverse("case-letter", args=[obj.case.reference, obj.reference])
        return format_html('<a href="{}">{}</a>', url, _("Download (audited)"))


@admin.register(DocumentDownload)
class DocumentDownloadAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The audit of who downloaded which letter or batch: append-only evidence."""

    list_display = ["downloaded_at", "user", "letter", "batch"]
    list_select_related = ["user", "letter", "batch"]
    show_full_result_count = False
