"""Request-wide protections of personal data: no caching of what a signed-in user or
an API client is shown, and sessions that end when idle or old."""

from __future__ import annotations

from django.utils.cache import patch_cache_control


def _signed_in(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class NoStoreMiddleware:
    """`Cache-Control: no-store, private` on every answer to a signed-in user and on
    every API answer, unless the view chose its own caching (the admin's never_cache,
    a download's own header).

    Pages, htmx fragments and API bodies carry names, amounts owed and (revealed)
    phone numbers and national ids: a shared computer's browser cache, its back
    button after sign-out, or a proxy between branch and data centre must not keep
    them (OWASP ASVS 8.2.1). The rule is by audience, not by view, so a new page is
    covered without anyone remembering to decorate it. Static files are answered by
    whitenoise before this runs; /healthz, /readyz and /metrics answer anonymous
    callers and carry no personal data.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        if request.path.startswith("/api/") or _signed_in(request):
            patch_cache_control(response, no_store=True, private=True)
        return response
