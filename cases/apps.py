from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from core.role_grants import ROLES, permissions_matching


def grant_role_permissions(sender, *, using, apps=None, **kwargs) -> None:
    """Give the role groups (core.role_grants) the permissions of models added after
    the roles migration `0002_roles`.

    The roles migration granted what existed when it ran; a model added later (say
    messaging.WebhookEvent) would otherwise be invisible to admins in the Django admin.
    Runs after each app's permissions are created and only hands out permissions that
    no group holds yet, so what an admin changed by hand on the groups is kept.
    """
    if apps is None:  # `flush` (between transactional tests) sends no app registry
        from django.apps import apps
    try:
        Group = apps.get_model("auth", "Group")
        Permission = apps.get_model("auth", "Permission")
    except LookupError:  # auth not migrated (e.g. migrating backwards)
        return
    ungranted = set(
        Permission.objects.using(using).filter(
            content_type__app_label=sender.label, group__isnull=True
        )
    )
    if not ungranted:
        return
    for group in Group.objects.using(using).filter(name__in=ROLES):
        patterns = [p for p in ROLES[group.name] if p.split(".")[0] == sender.label]
        granted = permissions_matching(Permission, patterns)
        group.permissions.add(*[p for p in granted if p in ungranted])


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        post_migrate.connect(grant_role_permissions, dispatch_uid="grant_role_perms")
