"""API shapes for imports: a multipart upload in, the import run (its report) out."""

from __future__ import annotations

from rest_framework import serializers

from .models import ImportRun


class FormBooleanField(serializers.BooleanField):
    """`true` or `false` as the schema says, not DRF's dozen spellings (`0`, `no`,
    `off`...): an integer or a word sent for a documented boolean is a mistake
    the client should hear about, not a silent False."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        if isinstance(data, str) and data.lower() in ("true", "false"):
            return data.lower() == "true"
        self.fail("invalid", input=data)


class ImportInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A UTF-8 CSV file (docs/imports.md).")
    kind = serializers.ChoiceField(choices=ImportRun.Kind.choices)
    partial = FormBooleanField(
        default=False, help_text="Load the valid rows and report the bad ones."
    )
    dry_run = FormBooleanField(
        default=False, help_text="Check and count, write nothing."
    )


class ImportAcceptedSerializer(serializers.Serializer):
    reference = serializers.CharField()
    status = serializers.CharField(help_text="queued: a worker will load it.")
    status_url = serializers.URLField(help_text="GET it to follow the run.")


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(
        allow_null=True, help_text="Row number (the header is row 1); null: the file."
    )
    field = serializers.CharField(
        help_text="Column, e.g. mobile or schedule[1].amount_due"
    )
    message = serializers.CharField()


class ImportRunSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="actor_name")
    counts = serializers.DictField(child=serializers.IntegerField())
    errors = RowErrorSerializer(many=True)
    customer_references = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = ImportRun
        fields = [
            "reference",
            "kind",
            "status",
            "source",
            "partial",
            "dry_run",
            "file_name",
            "file_sha256",
            "file_size",
            "created_by",
            "started_at",
            "finished_at",
            "duration_ms",
            "rows_total",
            "rows_loaded",
            "rows_rejected",
            "counts",
            "errors_total",
            "errors",
            "customer_references",
            "rows_expected",
            "rows_read",
            "failure_reason",
        ]
