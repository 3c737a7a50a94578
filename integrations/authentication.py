"""`Authorization: Bearer <token>` for integrations, documented in the schema."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from core.permissions import required_scope

from . import services
from .models import IntegrationToken


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """An integration token in `Authorization: Bearer cmi_<prefix>_<secret>`.

    The request runs as the token's user (role and visibility rules apply) with
    `request.auth` set to the token, whose scopes `TokenHasScope` checks. A missing
    header lets the next authentication class try; a wrong, revoked or expired token
    is refused outright (401), never silently downgraded to anonymous.
    """

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Give the token as: Authorization: Bearer <token>.")
            )
        try:
            value = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        parsed = services.token_parse(value)
        if parsed is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        token = (
            IntegrationToken.objects.select_related("user")
            .filter(prefix=parsed[0])
            .first()
        )
        if token is None or not services.token_matches(token, value):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        now = timezone.now()
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This token was revoked."))
        if token.expires_at is not None and token.expires_at <= now:
            raise exceptions.AuthenticationFailed(_("This token has expired."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("The token's user is inactive."))
        services.token_touch(
            token=token,
            now=now,
            every=settings.INTEGRATION_TOKEN_LAST_USED_SECONDS,
        )
        return token.user, token

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "integrations.authentication.BearerTokenAuthentication"
    name = "integrationToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "cmi_<prefix>_<secret>",
            "description": (
                "An integration token, issued by an admin at "
                "/api/v1/integration-tokens/ and shown once. Each operation lists "
                "the scope a token needs; a token without it gets 403."
            ),
        }

    def get_security_requirement(self, auto_schema):
        scope = required_scope(auto_schema.view, auto_schema.method)
        if scope is None:
            # Not open to integration tokens: list no bearer requirement.
            return None
        return {self.name: [scope]}
