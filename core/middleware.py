"""Request-wide protections of personal data: no caching of what a signed-in user or
an API client is shown, and sessions that end when idle or old."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect


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


# Session keys: when the user signed in, and when they were last seen (Unix seconds).
SESSION_STARTED = "_auth_started_at"
SESSION_SEEN = "_auth_seen_at"
# Last-seen is written at most this often: a session write per request would make
# every page view a database write.
SEEN_EVERY_SECONDS = 60


def session_clock_start(*, request, **kwargs) -> None:
    """On sign-in (the user_logged_in signal): start the session's clocks."""
    session = getattr(request, "session", None)
    if session is not None:
        session[SESSION_STARTED] = session[SESSION_SEEN] = int(
            timezone.now().timestamp()
        )


class SessionTimeoutMiddleware:
    """Signs a user out after SESSION_IDLE_MINUTES without a request, and
    SESSION_MAX_HOURS after signing in however active (OWASP ASVS 3.3.1 / 3.3.2:
    an unattended screen in a branch must not stay signed in to debtors' data).

    The sign-in time and the last request's time live in the session, set at sign-in
    (`session_clock_start`). A session that has none (made before this existed)
    starts its clock at its next request. After a time-out the request continues
    signed out: a page redirects to the sign-in page, which says why; an htmx
    request gets HX-Redirect to it (a fragment swap would show the sign-in form
    inside the page); the API answers 401/403. Integration tokens have no session
    and are not affected.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _signed_in(request) and hasattr(request, "session"):
            reason = self._expired(request)
            if reason:
                return self._sign_out(request, reason)
        return self.get_response(request)

    def _expired(self, request) -> str:
        now = int(timezone.now().timestamp())
        session = request.session
        started = session.get(SESSION_STARTED)
        seen = session.get(SESSION_SEEN)
        if not isinstance(started, int) or not isinstance(seen, int):
            session[SESSION_STARTED] = session[SESSION_SEEN] = now
            return ""
        idle = settings.SESSION_IDLE_MINUTES
        lifetime = settings.SESSION_MAX_HOURS
        if now - seen > idle * 60:
            return _(
                "You were signed out after %(minutes)s minutes without activity."
            ) % {"minutes": idle}
        if now - started > lifetime * 3600:
            return _(
                "You were signed out: a session lasts at most %(hours)s hours."
            ) % {"hours": lifetime}
        if now - seen >= SEEN_EVERY_SECONDS:
            session[SESSION_SEEN] = now
        return ""

    def _sign_out(self, request, reason: str):
        logout(request)
        messages.info(request, reason)
        if request.headers.get("HX-Request") == "true":
            current = urlsplit(request.headers.get("HX-Current-URL", ""))
            next_url = current.path or "/"
            if current.query:
                next_url = f"{next_url}?{current.query}"
            response = HttpResponse(status=204)
            response["HX-Redirect"] = redirect_to_login(next_url)["Location"]
            return response
        return self.get_response(request)


class HtmxRedirectMiddleware:
    """A redirect answered to a targeted htmx request becomes HX-Redirect.

    htmx follows a 302 inside its XMLHttpRequest and swaps whatever page it lands
    on into the request's target: proposing a plan put the whole case page inside
    the plan form. With HX-Redirect the browser navigates instead. Boosted links and
    forms replace the whole body anyway, so their redirects are left to htmx."""

    REDIRECTS = {301, 302, 303, 307, 308}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        htmx = getattr(request, "htmx", None)
        if (
            htmx
            and not htmx.boosted
            and response.status_code in self.REDIRECTS
            and response.has_header("Location")
        ):
            return HttpResponseClientRedirect(response["Location"])
        return response
