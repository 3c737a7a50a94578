"""Health checks and the signed-in landing page of each role."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from cases import selectors as case_selectors
from cases.models import EscalationPolicy
from compliance.models import RulePack
from core.models import Heartbeat
from core.roles import Role, primary_role, role_required
from core.tasks import WORKER_HEARTBEAT
from messaging.models import MessageTemplate

from .celery import app as celery_app


def healthz(request: HttpRequest) -> HttpResponse:
    """The process is up; says nothing about its dependencies."""
    return JsonResponse({"status": "ok"})


def _worker_check() -> str:
    """'ok' when beat and a worker ran the heartbeat task recently (core.tasks)."""
    row = Heartbeat.objects.filter(name=WORKER_HEARTBEAT).first()
    if row is None:
        return "error: no heartbeat yet"
    age = (timezone.now() - row.seen_at).total_seconds()
    if age > settings.READYZ_HEARTBEAT_MAX_AGE:
        return f"error: last heartbeat {age:.0f} s ago"
    return "ok"


def readyz(request: HttpRequest) -> HttpResponse:
    """The database, the broker and the cache are reachable and the background
    processes are alive (a heartbeat within READYZ_HEARTBEAT_MAX_AGE): safe to route
    traffic here. READYZ_REQUIRE_WORKER=0 leaves the worker out (a web-only probe)."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - report any failure, never raise
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        checks["broker"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["broker"] = f"error: {exc.__class__.__name__}"
    try:
        cache.set("readyz", "1", 5)
        checks["cache"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["cache"] = f"error: {exc.__class__.__name__}"
    if settings.READYZ_REQUIRE_WORKER:
        try:
            checks["worker"] = _worker_check()
        except Exception as exc:  # noqa: BLE001
            checks["worker"] = f"error: {exc.__class__.__name__}"
    ok = all(v == "ok" for v in checks.values())
    return JsonResponse(
        {"status": "ok" if ok else "unavailable", **checks}, status=200 if ok else 503
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    role = primary_role(request.user)
    if role is None:
        return render(request, "home/no_role.html", status=403)
    return redirect(f"home-{role}")


@role_required(Role.COLLECTOR)
def collector_home(request: HttpRequest) -> HttpResponse:
    # A collector's home is their queue (calls.views.queue), with "Next case" on top.
    from calls.views import queue

    return queue(request)


@role_required(Role.SUPERVISOR)
def supervisor_home(request: HttpRequest) -> HttpResponse:
    from supervision.selectors import supervisor_work

    summary = case_selectors.supervisor_summary(user=request.user)
    work = supervisor_work(user=request.user)
    return render(request, "home/supervisor.html", {"summary": summary, "work": work})


@role_required(Role.ADMIN)
def admin_home(request: HttpRequest) -> HttpResponse:
    summary = case_selectors.admin_summary()
    # Counted here, on top of the layers: policies, templates and packs are configured
    # in the apps above cases (escalation, messaging, compliance).
    summary.update(
        policies=EscalationPolicy.objects.count(),
        templates=MessageTemplate.objects.count(),
        rule_packs=list(RulePack.objects.all()),
    )
    return render(request, "home/admin.html", {"summary": summary})
