"""Install the shipped rule packs (cn, us, uk) and the ledger index the gate reads."""

from django.db import migrations, models
from django.db.models import Q

# The installer is shared with the test set-up.
from compliance.pack_defaults import rule_packs_install


def install_packs(apps, schema_editor):
    rule_packs_install(apps)


def remove_packs(apps, schema_editor):
    RulePack = apps.get_model("compliance", "RulePack")
    RulePack.objects.filter(code__in=["cn", "us", "uk"], version=1).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0001_initial"),
    ]

    operations = [
        # Replaced by a covering index with the same key: the gate reads only
        # indexed columns, so PostgreSQL answers from the index alone.
        migrations.RemoveIndex(
            model_name="contactattempt",
            name="attempt_customer_time_idx",
        ),
        migrations.AddIndex(
            model_name="contactattempt",
            index=models.Index(
                condition=Q(allowed=True),
                fields=["customer", "at"],
                include=["channel", "result", "contact_value", "loan", "third_party"],
                name="attempt_gate_read_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="contactattempt",
            index=models.Index(
                condition=Q(allowed=True, third_party=True),
                fields=["customer", "contact_value"],
                name="attempt_third_party_idx",
            ),
        ),
        migrations.RunPython(install_packs, remove_packs),
    ]
