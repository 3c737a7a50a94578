"""Follow-ups opened by violations: a collector's own, a supervisor's teams'."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.roles import Role, role_required

from .. import selectors, services
from ..models import FollowUp
from .common import SUPERVISORS


@role_required(Role.COLLECTOR, *SUPERVISORS)
def follow_ups(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    rows = selectors.follow_ups_for_user(
        user=request.user, status=status if status in FollowUp.Status.values else None
    )
    return render(
        request,
        "supervision/follow_ups.html",
        {"rows": rows[:200], "statuses": FollowUp.Status.choices, "status": status},
    )


@role_required(Role.COLLECTOR, *SUPERVISORS)
@require_POST
def follow_up_status(request: HttpRequest, reference: str) -> HttpResponse:
    follow_up = (
        selectors.follow_ups_for_user(user=request.user)
        .filter(reference=reference)
        .first()
    )
    if follow_up is None:
        raise Http404("No such follow-up.")
    try:
        services.follow_up_set_status(
            user=request.user,
            follow_up=follow_up,
            status=request.POST.get("status", ""),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Follow-up updated."))
    return redirect("supervision:follow-ups")
