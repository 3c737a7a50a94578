import django.db.models.deletion
from django.db import migrations, models


def _drop(index: str, table: str, column: str):
    """Only the index goes (a unique constraint leads with its column); AlterField
    would also drop and re-add the foreign key, re-checking every row."""
    return migrations.RunSQL(
        f'DROP INDEX IF EXISTS "{index}"',
        reverse_sql=f'CREATE INDEX "{index}" ON "{table}" ("{column}")',
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_bulk_write_path"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="contactpoint",
                    name="customer",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="contact_points",
                        to="cases.customer",
                    ),
                ),
                migrations.AlterField(
                    model_name="instalment",
                    name="loan",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="instalments",
                        to="cases.loan",
                    ),
                ),
            ],
            database_operations=[
                _drop(
                    "cases_contactpoint_customer_id_597114b0",
                    "cases_contactpoint",
                    "customer_id",
                ),
                _drop(
                    "cases_instalment_loan_id_b6e2048f", "cases_instalment", "loan_id"
                ),
            ],
        ),
    ]
