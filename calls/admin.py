"""Django admin for call tasks, call logs and supervisors' call reviews."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cases.masking import mask_contact
from core.admin import HistoryAdmin, ReadOnlyAdminMixin

from .models import CallLog, CallReview, CallTask, PiiReveal


@admin.register(CallTask)
class CallTaskAdmin(HistoryAdmin):
    list_display = [
        "case",
        "queue",
        "status",
        "priority",
        "due_at",
        "claimed_by",
        "claimed_until",
        "reason",
    ]
    list_filter = ["status", "queue"]
    list_select_related = ["case", "queue", "claimed_by"]
    search_fields = ["=case__reference"]
    autocomplete_fields = ["case", "claimed_by"]
    raw_id_fields = ["step"]
    # The sweep's key against duplicates; editing it would let a second sweep repeat.
    readonly_fields = ["idempotency_key", "created_at"]
    show_full_result_count = False


class CallReviewInline(admin.StackedInline):
    model = CallReview
    extra = 0
    autocomplete_fields = ["reviewer"]
    readonly_fields = ["created_at"]


@admin.register(CallLog)
class CallLogAdmin(ReadOnlyAdminMixin, HistoryAdmin):
    """View-only: a call log is evidence of what was said. Corrections are new
    records with a reason (a follow-up, a review, a restriction), never an edit."""

    list_display = [
        "reference",
        "case",
        "collector",
        "masked_contact",
        "started_at",
        "duration_seconds",
        "outcome",
        "attitude",
        "identity_confirmed",
        "disclosure_made",
        "notes_flagged",
    ]
    list_filter = [
        "outcome",
        "attitude",
        "right_party_contact",
        "identity_confirmed",
        "notes_flagged",
    ]
    list_select_related = ["case", "collector", "contact_point"]
    search_fields = ["=reference", "=case__reference"]
    autocomplete_fields = ["case", "collector"]
    raw_id_fields = ["task", "contact_point", "contact_attempt"]
    # A recording is replaced by nobody here: an upload in the admin would bypass
    # the audio check (calls.services.recording_check), and the file has no URL.
    exclude = ["recording"]
    readonly_fields = ["created_at", "recording_link", "recording_content_type"]
    inlines = [CallReviewInline]
    show_full_result_count = False

    def get_fields(self, request, obj=None):
        # View-only pages show every field read-only, `exclude` or not; the file
        # itself has no URL (only the scope-checked view serves it): show the link.
        return [f for f in super().get_fields(request, obj) if f != "recording"]

    @admin.display(description=_("recording"))
    def recording_link(self, obj: CallLog) -> str:
        if not obj.recording:
            return "-"
        url = reverse("supervision:call-recording", args=[obj.reference])
        return format_html('<a href="{}">{}</a>', url, obj.recording.name)

    @admin.display(description=_("contact"))
    def masked_contact(self, obj: CallLog) -> str:
        point = obj.contact_point
        return mask_contact(point.channel, point.value)

    def get_exclude(self, request, obj=None):
        # The contact point is shown masked (masked_contact), not as a raw id.
        return ["contact_point"]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "masked_contact"]


@admin.register(CallReview)
class CallReviewAdmin(HistoryAdmin):
    list_display = [
        "call",
        "reviewer",
        "score",
        "violation",
        "identity_before_disclosure",
        "no_threats",
        "created_at",
    ]
    list_filter = ["violation", "identity_before_disclosure", "no_threats"]
    list_select_related = ["call", "reviewer"]
    search_fields = ["=call__reference", "reviewer__username"]
    autocomplete_fields = ["reviewer"]
    raw_id_fields = ["call"]
    readonly_fields = ["created_at"]


@admin.register(PiiReveal)
class PiiRevealAdmin(admin.ModelAdmin):
    """The audit of revealed PII: read-only, like the ledger."""

    list_display = ["revealed_at", "user", "customer", "field", "case", "reason"]
    list_filter = ["field"]
    list_select_related = ["user", "customer", "case"]
    search_fields = ["=customer__reference", "=case__reference", "user__username"]
    date_hierarchy = "revealed_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
