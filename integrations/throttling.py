"""Per-token rate limits, counted in the cache (Redis in production)."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from core.permissions import request_token


class IntegrationTokenRateThrottle(SimpleRateThrottle):
    """Requests per period for each integration token: the token's own `rate`, else
    INTEGRATION_TOKEN_RATE. Browser sessions are not throttled here (logins are,
    by django-axes). Over the limit: 429 with the standard error body and a
    Retry-After header."""

    scope = "integration_token"

    def allow_request(self, request, view):
        token = request_token(request)
        if token is None:
            return True
        self.rate = token.rate or settings.INTEGRATION_TOKEN_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_rate(self):
        # The rate is chosen per request in allow_request (per token).
        return settings.INTEGRATION_TOKEN_RATE

    def get_cache_key(self, request, view):
        token = request_token(request)
        if token is None:
            return None
        # The prefix, not the pk: unique and never reused, even when a test database
        # hands out a rolled-back pk again.
        return self.cache_format % {"scope": self.scope, "ident": token.prefix}
