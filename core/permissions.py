"""API permissions every app's views use: a collections role, and a token's scope.

Integration tokens (integrations.models.IntegrationToken) reach a view as
`request.auth`; the kernel knows them only by their `is_integration_token` marker and
their `scopes`, so it needs nothing from the integrations app.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request

from .roles import Role, user_has_role, user_roles


def required_scope(view, method: str) -> str | None:
    """The scope `view` asks of a token for `method`, or None (tokens refused).

    A view declares `required_scopes = {"GET": "cases:read"}`; HEAD and OPTIONS need
    what GET needs."""
    declared = getattr(view, "required_scopes", None) or {}
    method = method.upper()
    if method in ("HEAD", "OPTIONS"):
        method = "GET"
    return declared.get(method)


def request_token(request):
    """The integration token the request authenticated with, or None."""
    auth = getattr(request, "auth", None)
    return auth if getattr(auth, "is_integration_token", False) else None


class HasRole(BasePermission):
    """Signed in and holding one of the three roles: an account without a role (a
    half-configured user) gets nothing, not an empty view of everything."""

    message = "Your account has no collections role."

    def has_permission(self, request, view) -> bool:
        return bool(user_roles(request.user))


class TokenHasScope(BasePermission):
    """A request made with an integration token needs the scope the view declares
    for the method (`required_scopes`); a view that declares none refuses tokens.
    Requests without a token pass through to the other permission classes."""

    message = _("This integration token lacks the scope this operation needs.")

    def has_permission(self, request, view) -> bool:
        token = request_token(request)
        if token is None:
            return True
        scope = required_scope(view, request.method)
        if scope is None:
            self.message = _("This operation is not open to integration tokens.")
            return False
        if scope not in (token.scopes or []):
            self.message = _("This integration token lacks the scope %(scope)s.") % {
                "scope": scope
            }
            return False
        return True


# Every domain API view: signed in, with a role, and (for tokens) the declared scope.
ROLE_PERMISSIONS = [IsAuthenticated, HasRole, TokenHasScope]


def require_admin(request: Request) -> None:
    if not user_has_role(request.user, Role.ADMIN):
        raise PermissionDenied("Only admins may do this.")
