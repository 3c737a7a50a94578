"""The fanned-out sweep's runs, for operators: where a run stands and what it did.
View-only: the sweep writes them."""

from django.contrib import admin

from core.admin import ReadOnlyAdminMixin

from .models import SweepRun


@admin.register(SweepRun)
class SweepRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "pk",
        "at",
        "state",
        "started_at",
        "finished_at",
        "sweep_pass",
        "position",
        "pending",
    ]
    list_filter = ["state"]
    date_hierarchy = "started_at"
