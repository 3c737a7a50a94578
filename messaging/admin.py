"""Django admin for message templates and the outbox."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from cases.admin import ReadOnlyAdminMixin
from cases.masking import mask_contact

from .models import MessageTemplate, OutboundMessage, WebhookEvent


@admin.register(MessageTemplate)
class MessageTemplateAdmin(SimpleHistoryAdmin):
    list_display = ["code", "channel", "language", "version", "status", "created_at"]
    list_filter = ["channel", "language", "status"]
    search_fields = ["code", "subject", "body"]
    readonly_fields = ["created_at"]


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
