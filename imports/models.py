"""One row per import of a CSV file: who ran it, which file, what it did.

Bulk imports write no simple-history rows per customer or loan (docs/imports.md):
this row, with the file's SHA-256, the counts and the row errors, is the audit record.
It is not itself history-tracked: it is written when the import starts and completed
once when it ends, never edited afterwards.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .labels import count_label


class ImportRun(models.Model):
    class Kind(models.TextChoices):
        PORTFOLIO = "portfolio", _("Portfolio")
        PAYMENTS = "payments", _("Payments")

    class Status(models.TextChoices):
        # Uploaded from the web page or the API, waiting for a worker.
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        # Every valid row loaded (with --partial, the bad rows were reported).
        COMPLETED = "completed", _("Completed")
        # Bad rows (or an unreadable file) and not partial: nothing was written.
        REJECTED = "rejected", _("Rejected, nothing written")
        # --dry-run: validated and counted, then rolled back.
        DRY_RUN = "dry_run", _("Dry run, nothing written")
        FAILED = "failed", _("Failed")

    class Source(models.TextChoices):
        COMMAND = "command", _("Management command")
        API = "api", _("API")
        WEB = "web", _("Web page")

    reference = models.CharField(_("reference"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    partial = models.BooleanField(_("partial load allowed"), default=False)
    dry_run = models.BooleanField(_("dry run"), default=False)
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64)
    file_size = models.BigIntegerField(_("file size (bytes)"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Who ran it, kept when the user is deleted (and for the command: the OS user).
    actor_name = models.CharField(_("run by"), max_length=150, blank=True)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    rows_total = models.PositiveIntegerField(_("rows read"), default=0)
    rows_loaded = models.PositiveIntegerField(_("rows loaded"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    # What was written: customers_created, loans_updated, cases_opened, ...
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    # [{"row": 3, "field": "mobile", "message": "..."}], at most ERRORS_KEPT of them.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    errors_total = models.PositiveIntegerField(_("errors found"), default=0)
    # The first customers of a portfolio file, linked from the report page.
    customer_references = models.JSONField(default=list, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    # Runs queued for a worker: the stored upload (under IMPORT_FILES_ROOT), the
    # file's line count as the expected total, the rows read so far (written every
    # reading.PROGRESS_EVERY rows) and, for a failed run, why.
    stored_file = models.CharField(max_length=255, blank=True)
    rows_expected = models.PositiveIntegerField(_("rows in the file"), default=0)
    rows_read = models.PositiveIntegerField(_("rows read so far"), default=0)
    failure_reason = models.TextField(_("why it failed"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            # The import list: newest first, by kind.
            models.Index(fields=["kind", "-started_at"], name="importrun_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.kind} {self.status}"

    def count_rows(self) -> list[tuple[str, int]]:
        """The report's counts with their names in the reader's language."""
        return [(count_label(key), value) for key, value in (self.counts or {}).items()]
