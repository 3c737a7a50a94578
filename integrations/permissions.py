"""Permissions of the integration endpoints; the scope check itself is the kernel's
(core.permissions.TokenHasScope)."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission


class NoIntegrationToken(BasePermission):
    """For operations only a signed-in person may do (issuing tokens): no token of
    any kind (integration or DRF's own) may mint or revoke tokens."""

    message = _("Sign in: tokens cannot manage tokens.")

    def has_permission(self, request, view) -> bool:
        return getattr(request, "auth", None) is None
