import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ImportRun",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "reference",
                    models.CharField(
                        max_length=32, unique=True, verbose_name="reference"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("portfolio", "Portfolio"), ("payments", "Payments")],
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("running", "Running"),
                            ("completed", "Completed"),
                            ("rejected", "Rejected, nothing written"),
                            ("dry_run", "Dry run, nothing written"),
                            ("failed", "Failed"),
                        ],
                        default="running",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("command", "Management command"),
                            ("api", "API"),
                            ("web", "Web page"),
                        ],
                        max_length=10,
                        verbose_name="source",
                    ),
                ),
                (
                    "partial",
                    models.BooleanField(
                        default=False, verbose_name="partial load allowed"
                    ),
                ),
                ("dry_run", models.BooleanField(default=False, verbose_name="dry run")),
                (
                    "file_name",
                    models.CharField(max_length=255, verbose_name="file name"),
                ),
                (
                    "file_sha256",
                    models.CharField(max_length=64, verbose_name="file SHA-256"),
                ),
                (
                    "file_size",
                    models.BigIntegerField(verbose_name="file size (bytes)"),
                ),
                (
                    "actor_name",
                    models.CharField(blank=True, max_length=150, verbose_name="run by"),
                ),
                ("started_at", models.DateTimeField(verbose_name="started at")),
                (
                    "finished_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="finished at"
                    ),
                ),
                (
                    "rows_total",
                    models.PositiveIntegerField(default=0, verbose_name="rows read"),
                ),
                (
                    "rows_loaded",
                    models.PositiveIntegerField(default=0, verbose_name="rows loaded"),
                ),
                (
                    "rows_rejected",
                    models.PositiveIntegerField(
                        default=0, verbose_name="rows rejected"
                    ),
                ),
                (
                    "counts",
                    models.JSONField(blank=True, default=dict, verbose_name="counts"),
                ),
                (
                    "errors",
                    models.JSONField(blank=True, default=list, verbose_name="errors"),
                ),
                (
                    "errors_total",
                    models.PositiveIntegerField(default=0, verbose_name="errors found"),
                ),
                (
                    "customer_references",
                    models.JSONField(blank=True, default=list),
                ),
                (
                    "duration_ms",
                    models.PositiveIntegerField(
                        default=0, verbose_name="duration (ms)"
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-started_at", "-id"],
                "indexes": [
                    models.Index(
                        fields=["kind", "-started_at"], name="importrun_kind_idx"
                    )
                ],
            },
        ),
    ]
