"""Approvals: plans and exception requests waiting, and their decisions."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.services import plan_four_eyes_binds
from core.errors import ApplicationError
from core.roles import role_required

from .. import selectors, services
from ..forms import DecisionForm
from .common import SUPERVISORS


@role_required(*SUPERVISORS)
def approvals(request: HttpRequest) -> HttpResponse:
    context = {
        "plans": selectors.plans_with_judgement(
            selectors.plans_for_supervisor(user=request.user, status="proposed")
        ),
        "history_days": selectors.PAYMENT_HISTORY_DAYS,
        "approvals": selectors.approvals_for_supervisor(
            user=request.user, status="pending"
        ),
        "history": selectors.decision_history(user=request.user),
        "form": DecisionForm(),
        # The user's own plans are shown without the approve button (four eyes).
        "four_eyes": plan_four_eyes_binds(request.user),
    }
    return render(request, "supervision/approvals.html", context)


@role_required(*SUPERVISORS)
@require_POST
def plan_decide(request: HttpRequest, reference: str) -> HttpResponse:
    plan = selectors.plan_get_for_supervisor(user=request.user, reference=reference)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
        return redirect("supervision:approvals")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.plan_decide(
            user=request.user,
            plan=plan,
            approve=approve,
            reason=form.cleaned_data.get("reason") or "",
        )
    except ApplicationError as exc:
        messages.error(request, f"{plan.reference}: {exc.message}")
    else:
        messages.success(
            request,
            (_("Plan %(ref)s approved.") if approve else _("Plan %(ref)s rejected."))
            % {"ref": plan.reference},
        )
    return redirect("supervision:approvals")


@role_required(*SUPERVISORS)
@require_POST
def approval_decide(request: HttpRequest, reference: str) -> HttpResponse:
    approval = selectors.approval_get_for_supervisor(
        user=request.user, reference=reference
    )
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
        return redirect("supervision:approvals")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.approval_decide(
            user=request.user,
            approval=approval,
            approve=approve,
            reason=form.cleaned_data.get("reason") or "",
        )
    except ApplicationError as exc:
        messages.error(request, f"{approval.reference}: {exc.message}")
    else:
        messages.success(
            request,
            _("Request %(ref)s decided.") % {"ref": approval.reference},
        )
    return redirect("supervision:approvals")
