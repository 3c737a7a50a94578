from django.contrib import admin

from .models import ImportRun


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """Read-only: a run is the audit record of an import."""

    list_display = [
        "reference",
        "kind",
        "status",
        "file_name",
        "rows_loaded",
        "rows_rejected",
        "actor_name",
        "started_at",
    ]
    list_filter = ["kind", "status", "source"]
    search_fields = ["reference", "file_name", "file_sha256"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
