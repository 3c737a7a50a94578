"""Trigram indexes for the collector queue's fragment search (part of a name, the last
digits of a phone): PostgreSQL only, where `calls.selectors.queue._search_q` reads each
source through them. Not in the models' Meta, so SQLite databases are unaffected."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS customer_name_trgm_idx "
    "ON cases_customer USING gin (UPPER(full_name) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS contact_point_value_trgm_idx "
    "ON cases_contactpoint USING gin (value gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS customer_name_trgm_idx",
    "DROP INDEX IF EXISTS contact_point_value_trgm_idx",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_policy_activation_request")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
