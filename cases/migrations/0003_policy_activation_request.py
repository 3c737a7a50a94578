"""Second-admin approval of policy activation (CONFIGURATION_ACTIVATION_APPROVAL)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_roles"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="escalationpolicy",
            name="activation_requested_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="activation requested at"
            ),
        ),
        migrations.AddField(
            model_name="escalationpolicy",
            name="activation_requested_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="activation requested by",
            ),
        ),
        migrations.AddField(
            model_name="historicalescalationpolicy",
            name="activation_requested_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="activation requested at"
            ),
        ),
        migrations.AddField(
            model_name="historicalescalationpolicy",
            name="activation_requested_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="activation requested by",
            ),
        ),
    ]
