"""A claimed case: skip it (with a reason), release it, or, for a supervisor, take
it over from whoever holds it (decision 43). Each is one service."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.forms import form_errors
from core.roles import Role, role_required

from .. import selectors, services
from ..forms import ClaimReasonForm
from .case_page import WORKERS, case_page_context


def _form_refused(request, case, form, *, name: str) -> HttpResponse:
    """The case page again, the form's error under its field (400)."""
    context = case_page_context(request, case, **{name: form})
    return render(request, "calls/case.html", context, status=400)


@role_required(*WORKERS)
@require_POST
def case_skip(request: HttpRequest, reference: str) -> HttpResponse:
    case = selectors.case_for_page(user=request.user, reference=reference)
    form = ClaimReasonForm(request.POST)
    if form.is_valid():
        try:
            services.case_skip(
                user=request.user, case=case, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            if "reason" in exc.errors:
                form_errors(form, exc)
            else:
                messages.error(request, exc.message)
                return redirect("case-detail", reference=case.reference)
        else:
            messages.success(
                request,
                _("Case %(ref)s skipped: it is back in the queue later.")
                % {"ref": case.reference},
            )
            return redirect("work-queue")
    return _form_refused(request, case, form, name="skip_form")


@role_required(*WORKERS)
@require_POST
def case_release(request: HttpRequest, reference: str) -> HttpResponse:
    case = selectors.case_for_page(user=request.user, reference=reference)
    try:
        services.case_claim_release(user=request.user, case=case)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("case-detail", reference=case.reference)
    messages.success(
        request, _("Case %(ref)s released to the queue.") % {"ref": case.reference}
    )
    return redirect("work-queue")


@role_required(Role.SUPERVISOR, Role.ADMIN)
@require_POST
def case_take_over(request: HttpRequest, reference: str) -> HttpResponse:
    case = selectors.case_for_page(user=request.user, reference=reference)
    form = ClaimReasonForm(request.POST)
    if form.is_valid():
        try:
            services.case_claim_take_over(
                user=request.user, case=case, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request,
                _("You now hold case %(ref)s.") % {"ref": case.reference},
            )
            return redirect("case-detail", reference=case.reference)
    return _form_refused(request, case, form, name="take_over_form")
