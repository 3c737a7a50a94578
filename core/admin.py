"""Admin mixins shared by every app's admin, and the kernel's own table."""

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from .models import Heartbeat


class HistoryAdmin(SimpleHistoryAdmin):
    """simple-history's admin, with its history pages read-only.

    `SIMPLE_HISTORY_REVERT_DISABLED` only hides the "Revert" button: the history form
    view still saves whatever is POSTed to it, with view permission only (issue 15,
    finding 2: an attempt and a payment were rewritten that way). Here a POST to it is
    refused whenever revert is disabled. Every app's admin uses this class, never
    SimpleHistoryAdmin itself (tests/test_admin_ledger.py checks).
    """

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST" and (
            settings.SIMPLE_HISTORY_REVERT_DISABLED
            or not self.has_change_permission(request)
        ):
            raise PermissionDenied
        return super().history_form_view(
            request, object_id, version_id, extra_context=extra_context
        )


class ReadOnlyAdminMixin:
    """View-only in the admin: no add, change or delete.

    For append-only evidence (the decision ledger, contact attempts) and for rows that
    only a service may write (payments and allocations).
    """

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Heartbeat)
class HeartbeatAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "seen_at", "detail"]
