"""Django admin (the fallback) for follow-ups, approvals and bucket snapshots.
Decisions go through the supervisor's pages or the API (supervision.services), so
the admin shows approvals read-only."""

from django.contrib import admin

from core.admin import HistoryAdmin

from .models import Approval, BucketSnapshot, FollowUp


@admin.register(FollowUp)
class FollowUpAdmin(HistoryAdmin):
    list_display = ["reference", "collector", "call", "status", "due_date"]
    list_filter = ["status"]
    list_select_related = ["collector", "call"]
    search_fields = ["=reference", "=call__reference"]
    raw_id_fields = ["collector", "call", "review", "created_by"]
    show_full_result_count = False


@admin.register(Approval)
class ApprovalAdmin(HistoryAdmin):
    list_display = ["reference", "kind", "status", "case", "requested_by", "decided_by"]
    list_filter = ["kind", "status"]
    list_select_related = ["case", "requested_by", "decided_by"]
    search_fields = ["=reference", "=case__reference"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(BucketSnapshot)
class BucketSnapshotAdmin(admin.ModelAdmin):
    list_display = ["day", "case", "bucket", "overdue_amount"]
    list_filter = ["day", "bucket"]
    raw_id_fields = ["case"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
