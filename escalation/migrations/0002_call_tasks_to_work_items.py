"""Open call tasks that the supervisor-review and legal-referral rungs created
before work items existed become work items (docs/decisions.md, record 41): owned by
the team of their queue, keeping their key (so the sweep does not raise them again),
due time and reason; the tasks are cancelled. A migrated legal referral puts its
legal hold on contact, as a new one does."""

from django.db import migrations
from django.utils import timezone

KINDS = {"supervisor_review", "legal_referral"}


def forwards(apps, schema_editor):
    CallTask = apps.get_model("calls", "CallTask")
    WorkItem = apps.get_model("escalation", "WorkItem")
    Restriction = apps.get_model("compliance", "ContactRestriction")
    from escalation.models import work_item_reference

    now = timezone.now()
    tasks = (
        CallTask.objects.filter(
            status__in=["open", "claimed"], step__action__in=KINDS
        )
        .select_related("step", "queue", "case__queue", "case")
        .order_by("pk")
    )
    cancelled = []
    for task in tasks.iterator(chunk_size=2000):
        queue = task.queue or task.case.queue
        kind = task.step.action
        hold = None
        if kind == "legal_referral":
            hold = Restriction.objects.create(
                customer_id=task.case.customer_id,
                kind="legal_hold",
                starts_at=now,
                reason=f"Legal referral of case {task.case.reference} (migrated)",
                source="escalation:legal_referral",
            )
        key = task.idempotency_key
        if key and WorkItem.objects.filter(idempotency_key=key).exists():
            key = None
        WorkItem.objects.create(
            reference=work_item_reference(),
            kind=kind,
            case_id=task.case_id,
            step_id=task.step_id,
            team_id=queue.team_id if queue is not None else None,
            reason=task.reason[:200] or task.step.name,
            due_at=task.due_at,
            priority=task.priority,
            hold=hold,
            idempotency_key=key,
            notes="Migrated from call task (the rung created a call task before "
            "work items existed).",
        )
        cancelled.append(task.pk)
    CallTask.objects.filter(pk__in=cancelled).update(
        status="cancelled", claimed_by=None, claimed_until=None
    )


class Migration(migrations.Migration):
    dependencies = [
        ("escalation", "0001_initial"),
        ("calls", "0006_merge_20261203_1608"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
