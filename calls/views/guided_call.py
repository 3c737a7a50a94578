"""The guided call on the case page: start it through the gate, move the script, log
the outcome.

The script's position (identify → explain → resolve, or third party) is kept in the
session per started call, so the server decides what may be shown: the debt is not
rendered until the collector confirmed the customer's identity, and what was shown
decides `identity_confirmed` / `disclosure_made` on the log, not a form field.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect, retarget

from core.errors import ApplicationError
from core.forms import form_errors
from core.roles import role_required

from .. import selectors, services
from ..forms import CallOutcomeForm
from .case_page import (
    WORKERS,
    active_call_context,
    call_arrangements,
    calls_in_session,
    case_page_context,
)

STAGES = ("identify", "third_party", "explain", "resolve")

# The collector must know at once that the notes went to a supervisor (the same
# lint as templates: threats, third-party disclosure, false statements).
NOTES_FLAGGED = gettext_lazy(
    "Your notes were flagged for supervisor review: they contain wording the "
    "content rules do not allow. Keep notes factual."
)


def _case(request, reference):
    return selectors.case_for_page(user=request.user, reference=reference)


def _back_to_case(case) -> HttpResponse:
    response = redirect("case-detail", reference=case.reference)
    response["Location"] += "#call"
    return response


@role_required(*WORKERS)
@require_POST
def call_start(request: HttpRequest, reference: str) -> HttpResponse:
    """Ask the gate; on allow, record the attempt and open the script."""
    case = _case(request, reference)
    point = case.customer.contact_points.filter(
        pk=request.POST.get("contact_point") or 0
    ).first()
    if point is None:
        messages.error(request, _("Choose a phone number of this customer."))
        return _back_to_case(case)
    try:
        __, attempt = services.call_start(
            user=request.user, case=case, contact_point=point
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return _back_to_case(case)
    calls_in_session(request)[case.reference] = {
        "attempt": attempt.pk,
        "stage": "identify",
    }
    request.session.modified = True
    return _back_to_case(case)


@role_required(*WORKERS)
@require_POST
def call_step(request: HttpRequest, reference: str) -> HttpResponse:
    """Move the script: identity confirmed → explain → resolve, or third party."""
    case = _case(request, reference)
    state = calls_in_session(request).get(case.reference)
    if not state:
        return _back_to_case(case)
    stage, action = state.get("stage", "identify"), request.POST.get("action")
    moves = {
        ("identify", "identity_confirmed"): "explain",
        ("identify", "third_party"): "third_party",
        ("third_party", "back"): "identify",
        ("explain", "resolve"): "resolve",
    }
    state["stage"] = moves.get((stage, action), stage)
    request.session.modified = True
    if request.htmx:
        # The panel moves on; the loans section follows (hidden until identity).
        context = case_page_context(request, case)
        return render(request, "calls/_call_step.html", context)
    return _back_to_case(case)


@role_required(*WORKERS)
@require_POST
def call_log(request: HttpRequest, reference: str) -> HttpResponse:
    """Log the outcome; with htmx, answer with the new timeline and close the panel."""
    case = _case(request, reference)
    context = active_call_context(request, case)
    call = context["call"]
    if call is None:
        messages.error(request, _("No call in progress on this case."))
        return _back_to_case(case)
    form = CallOutcomeForm(
        request.POST, request.FILES, stage=call["stage"], **call_arrangements(case)
    )
    if form.is_valid():
        data = form.cleaned_data
        attempt = call["attempt"]
        try:
            log = services.call_log_with_consent(
                user=request.user,
                case=case,
                attempt=attempt,
                outcome=data["outcome"],
                identity_confirmed=call["stage"] in ("explain", "resolve"),
                disclosure_made=call["disclosed"],
                attitude=data["attitude"],
                notes=data["notes"],
                started_at=attempt.at,
                ended_at=max(timezone.now(), attempt.at),
                recording=data.get("recording"),
                callback_at=data.get("callback_at"),
                callback_consent=data.get("callback_consent", False),
                callback_consent_until=data.get("callback_consent_until"),
                promise_amount=data.get("promise_amount"),
                promise_due_date=data.get("promise_due_date"),
                promise_supersede=data.get("promise_supersede", False),
            )
        except ApplicationError as exc:
            form_errors(form, exc)
        else:
            calls_in_session(request).pop(case.reference, None)
            request.session.modified = True
            messages.success(request, _("Call logged."))
            if data["outcome"] == "plan_agreed":
                # The plan calculator comes next; htmx follows with a full page.
                url = reverse("case-plan", kwargs={"reference": case.reference})
                if request.htmx:
                    return HttpResponseClientRedirect(url)
                return redirect(url)
            if request.htmx:
                context = case_page_context(request, case, call_logged=True)
                context["notes_flagged"] = log.notes_flagged
                return render(request, "calls/_call_logged.html", context)
            if log.notes_flagged:
                messages.warning(request, NOTES_FLAGGED)
            return redirect("case-detail", reference=case.reference)
    call["form"] = form
    page = case_page_context(request, case, call=call)
    if request.htmx:
        response = render(request, "calls/case.html#call-panel", page)
        return retarget(response, "#call-panel")
    return render(request, "calls/case.html", page, status=400)
