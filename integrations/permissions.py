"""Scope checks for integration tokens; browser sessions keep their role rules."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from .models import IntegrationToken
from .scopes import required_scope


def request_token(request) -> IntegrationToken | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, IntegrationToken) else None


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


class NoIntegrationToken(BasePermission):
    """For operations only a signed-in person may do (issuing tokens): no token of
    any kind (integration or DRF's own) may mint or revoke tokens."""

    message = _("Sign in: tokens cannot manage tokens.")

    def has_permission(self, request, view) -> bool:
        return getattr(request, "auth", None) is None
