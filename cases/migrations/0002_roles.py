"""Create the collector, supervisor and admin groups with their permissions."""

from django.db import migrations

APPS = ["cases", "calls", "compliance", "messaging"]

VIEW_ALL = [f"{app}.view_*" for app in APPS]
COLLECTOR = VIEW_ALL + [
    "cases.add_promisetopay", "cases.change_promisetopay",
    "cases.add_repaymentplan", "cases.add_repaymentplaninstalment",
    "calls.add_calllog", "calls.change_calllog", "calls.change_calltask",
    "compliance.add_contactrestriction", "compliance.add_contactattempt",
]
SUPERVISOR = COLLECTOR + [
    "cases.change_case", "cases.change_repaymentplan",
    "calls.add_callreview", "calls.change_callreview", "calls.add_calltask",
    "compliance.change_contactrestriction",
]
ADMIN = [f"{app}.*" for app in APPS] + ["auth.*", "authtoken.*"]

ROLES = {"collector": COLLECTOR, "supervisor": SUPERVISOR, "admin": ADMIN}


def _matching(Permission, patterns):
    perms = []
    for pattern in patterns:
        app_label, codename = pattern.split(".")
        qs = Permission.objects.filter(content_type__app_label=app_label)
        if codename.endswith("*"):
            qs = qs.filter(codename__startswith=codename[:-1])
        else:
            qs = qs.filter(codename=codename)
        perms.extend(qs)
    return perms


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after migrate; make them exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, patterns in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(_matching(Permission, patterns))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
        ("calls", "0001_initial"),
        ("compliance", "0001_initial"),
        ("messaging", "0001_initial"),
        ("authtoken", "0004_alter_tokenproxy_options"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(create_roles, remove_roles)]
