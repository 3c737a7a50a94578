"""The role groups and their permissions, as reference data.

Permissions are named by app label and codename ("cases.view_*", "calls.add_calllog"):
strings, so the kernel imports no app. Installed by the data migration
`cases/0002_roles` and by the test set-up (a flushed database has no groups);
`cases.apps.grant_role_permissions` grants the permissions of models added later.
"""

from __future__ import annotations

APPS = ["cases", "calls", "compliance", "messaging"]

VIEW_ALL = [f"{app}.view_*" for app in APPS]
COLLECTOR = VIEW_ALL + [
    "cases.add_promisetopay", "cases.change_promisetopay",
    "cases.add_repaymentplan", "cases.add_repaymentplaninstalment",
    "calls.add_calllog", "calls.change_calllog", "calls.change_calltask",
    "compliance.add_contactrestriction", "compliance.add_contactattempt",
]  # fmt: skip
SUPERVISOR = COLLECTOR + [
    "cases.change_case", "cases.change_repaymentplan",
    "calls.add_callreview", "calls.change_callreview", "calls.add_calltask",
    "compliance.change_contactrestriction",
]  # fmt: skip
# Admins also reach the Django admin pages the docs send them to: integration tokens
# and webhook subscriptions (docs/integrations.md: tokens are issued there), import
# runs, and the approvals and follow-ups that supervisors of every team see. Those
# three apps' pages are view-only or go through their services; approvals and
# follow-ups are decided on the supervisor's pages, so admins only view them here.
# The fanned-out sweep's runs are for operators (docs/operations.md), view-only.
ADMIN = [f"{app}.*" for app in APPS] + [
    "auth.*", "authtoken.*",
    "integrations.*", "imports.view_*", "supervision.view_*",
    "escalation.view_sweeprun",
]  # fmt: skip

ROLES = {"collector": COLLECTOR, "supervisor": SUPERVISOR, "admin": ADMIN}


def permissions_matching(Permission, patterns: list[str]) -> list:
    """The permissions named by `patterns` ("app.codename", or "app.prefix*")."""
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


def roles_install(apps) -> None:
    """Create the role groups with exactly their permissions (idempotent). `apps` is
    a migration's app registry, or `django.apps.apps`; the permissions must exist."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, patterns in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(permissions_matching(Permission, patterns))
