# The call queue's next action time (decision 42): Case.next_call_at, its reason and
# the boost of a case back from a broken arrangement, with the claim's indexes; then
# the holds of the arrangements already in good standing.

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db import migrations, models
from django.db.models import F, Min
from django.utils import timezone


def holds_from_arrangements(apps, schema_editor):
    """Pending promises and active plans hold their open cases until their next
    unpaid date plus ARRANGEMENT_GRACE_DAYS, as cases.services.next_call does for new
    ones (historical models here, so the logic is restated, not imported)."""
    case_model = apps.get_model("cases", "Case")
    promise_model = apps.get_model("cases", "PromiseToPay")
    instalment_model = apps.get_model("cases", "RepaymentPlanInstalment")
    grace = int(getattr(settings, "ARRANGEMENT_GRACE_DAYS", 3))
    zone = timezone.get_default_timezone()
    sources = [
        (
            "promise",
            promise_model.objects.filter(status="pending", case__status="open")
            .values("case_id")
            .annotate(due=Min("due_date"))
            .values_list("case_id", "due"),
        ),
        (
            "plan",
            instalment_model.objects.filter(
                plan__status="active",
                plan__case__status="open",
                paid_amount__lt=F("amount"),
            )
            .values("plan__case_id")
            .annotate(due=Min("due_date"))
            .values_list("plan__case_id", "due"),
        ),
    ]
    for reason, rows in sources:
        by_date = defaultdict(list)
        for case_id, due in rows:
            by_date[due].append(case_id)
        for due, ids in by_date.items():
            day = due + dt.timedelta(days=grace + 1)
            until = dt.datetime(day.year, day.month, day.day, tzinfo=zone)
            for start in range(0, len(ids), 5000):
                case_model.objects.filter(
                    pk__in=ids[start : start + 5000], next_call_at__isnull=True
                ).update(next_call_at=until, next_call_reason=reason)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0012_step_on_unusable"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="call_boost",
            field=models.SmallIntegerField(
                db_default=0, default=0, verbose_name="call queue boost"
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="next_call_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="next call at"
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="next_call_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("promise", "Promise to pay pending"),
                    ("plan", "Repayment plan in good standing"),
                    ("no_answer", "Not reached: retry"),
                    ("conversation", "Spoke with the customer"),
                    ("callback", "Callback agreed"),
                    ("skipped", "Skipped"),
                    ("gate", "Blocked by the compliance gate"),
                    ("promise_broken", "Promise broken"),
                    ("plan_broken", "Plan instalment missed"),
                ],
                db_default="",
                default="",
                max_length=20,
                verbose_name="next call reason",
            ),
        ),
        migrations.AddField(
            model_name="historicalcase",
            name="call_boost",
            field=models.SmallIntegerField(
                db_default=0, default=0, verbose_name="call queue boost"
            ),
        ),
        migrations.AddField(
            model_name="historicalcase",
            name="next_call_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="next call at"
            ),
        ),
        migrations.AddField(
            model_name="historicalcase",
            name="next_call_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("promise", "Promise to pay pending"),
                    ("plan", "Repayment plan in good standing"),
                    ("no_answer", "Not reached: retry"),
                    ("conversation", "Spoke with the customer"),
                    ("callback", "Callback agreed"),
                    ("skipped", "Skipped"),
                    ("gate", "Blocked by the compliance gate"),
                    ("promise_broken", "Promise broken"),
                    ("plan_broken", "Plan instalment missed"),
                ],
                db_default="",
                default="",
                max_length=20,
                verbose_name="next call reason",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("status", "open")),
                fields=["queue", "-call_boost", "-priority", "next_call_at"],
                name="case_call_queue_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("status", "open")),
                fields=["assigned_to", "-call_boost", "-priority", "next_call_at"],
                name="case_call_assignee_idx",
            ),
        ),
        migrations.RunPython(holds_from_arrangements, migrations.RunPython.noop),
    ]
