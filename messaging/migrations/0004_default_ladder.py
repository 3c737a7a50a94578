"""Install a working default: reminder templates (zh-hans, en) and the standard
escalation ladder (escalation.reference, which the test set-up calls too). Admins
change it from there; an installation that already has a default policy is left
alone."""

from django.db import migrations

from escalation.reference import default_ladder_install


def install(apps, schema_editor):
    default_ladder_install(apps)


def uninstall(apps, schema_editor):
    apps.get_model("cases", "EscalationPolicy").objects.filter(
        code="standard", version=1
    ).delete()
    apps.get_model("messaging", "MessageTemplate").objects.filter(
        code__in=["overdue-sms", "overdue-email"], version=1
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0003_webhook_events"),
        ("cases", "0002_roles"),
    ]
    operations = [migrations.RunPython(install, uninstall)]
