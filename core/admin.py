"""Admin mixins shared by every app's admin, and the kernel's own table."""

from django.contrib import admin

from .models import Heartbeat


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
