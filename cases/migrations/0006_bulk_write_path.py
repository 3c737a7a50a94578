import django.db.models.deletion
from django.db import migrations, models


def _fillfactor(value):
    # Room on every page for the sweep's new row versions, so its updates stay on
    # the page (HOT). It applies to pages written from now on; an existing large
    # table takes it fully after a rewrite (docs/operations.md, "PostgreSQL").
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE cases_case SET (fillfactor = {value})")

    return run


class Migration(migrations.Migration):
    """The sweep's write path (decision 20): cases move in place."""

    dependencies = [
        ("cases", "0005_field_labels"),
    ]

    operations = [
        migrations.AlterField(
            model_name="case",
            name="stage",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="cases",
                to="cases.escalationstep",
                verbose_name="last escalation step",
            ),
        ),
        migrations.RunPython(_fillfactor(80), _fillfactor(100)),
    ]
