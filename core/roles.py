"""The three roles, as Django groups created by a data migration."""

from enum import StrEnum
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


class Role(StrEnum):
    COLLECTOR = "collector"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


def user_roles(user) -> frozenset[str]:
    """The user's roles, read once per request object."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_roles_cache", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True)) & set(Role)
        if user.is_superuser:
            cached |= {Role.ADMIN}
        user._roles_cache = cached
    return cached


def user_has_role(user, *roles: Role) -> bool:
    return bool(user_roles(user) & set(roles))


def primary_role(user) -> Role | None:
    """The role whose home page the user lands on: the most senior one they hold."""
    held = user_roles(user)
    for role in (Role.ADMIN, Role.SUPERVISOR, Role.COLLECTOR):
        if role in held:
            return role
    return None


def role_required(*roles: Role):
    """View decorator: signed in and holding one of `roles`, else 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not user_has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
