"""Login throttling (django-axes) with two limits: one username from one address
(AXES_FAILURE_LIMIT), and one address across every username (AXES_IP_FAILURE_LIMIT,
higher).

Axes counts failures per lockout parameter set (AXES_LOCKOUT_PARAMETERS) but compares
them all with one limit. With only ["username", "ip_address"], 40 accounts tried once
each from one address (password spraying) were never throttled; adding
["ip_address"] under the same limit of 5 would lock a whole branch office (many
collectors behind one address) out after five typos. So this handler gives each set
its own limit, and a successful sign-in clears only that user's failures from the
address, not the address's failures on other usernames (else a sprayer holding one
real account would reset the count by signing in with it).
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum

IP_ONLY = ["ip_address"]


class AxesHandler(AxesDatabaseHandler):
    def _limit(self, parameters) -> int:
        names = [parameters] if isinstance(parameters, str) else list(parameters)
        if names == IP_ONLY:
            return settings.AXES_IP_FAILURE_LIMIT
        return settings.AXES_FAILURE_LIMIT

    def get_failures(self, request, credentials: dict | None = None) -> int:
        """Failures as axes compares them with AXES_FAILURE_LIMIT: the pair's own
        count, or at least that limit once any set has reached its own limit."""
        sets = get_lockout_parameters(request, credentials)
        attempts = self.get_user_attempts(request, credentials)
        counts = []
        locked = False
        for parameters, queryset in zip(sets, attempts, strict=True):
            count = queryset.aggregate(n=Sum("failures_since_start"))["n"] or 0
            locked = locked or count >= self._limit(parameters)
            if self._limit(parameters) == settings.AXES_FAILURE_LIMIT:
                counts.append(count)
        failures = max(counts, default=0)
        return max(failures, settings.AXES_FAILURE_LIMIT) if locked else failures

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        """After a successful sign-in: the user's failures from this address only."""
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        ).delete()
        return count


def client_ip(request) -> str | None:
    """The client's address for throttling: REMOTE_ADDR, or behind
    LOGIN_PROXY_COUNT trusted proxies the address the outermost of them saw (counted
    from the right of X-Forwarded-For, so a client cannot choose it by sending its
    own header). Without this, behind a proxy every login would come from the
    proxy's address and the per-address limit would lock everyone out at once."""
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.LOGIN_PROXY_COUNT
    if not proxies:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    chain = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    chain.append(remote or "")
    if len(chain) <= proxies:
        return chain[0] or remote
    return chain[-(proxies + 1)] or remote
