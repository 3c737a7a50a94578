"""The collector's queue, "next case", and the guided call on the case page.

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
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect, retarget

from cases.views import WORKERS, case_page_context
from core.errors import ApplicationError
from core.forms import form_errors
from core.roles import Role, role_required

from . import selectors, services
from .forms import CallOutcomeForm, QueueFilterForm

STAGES = ("identify", "third_party", "explain", "resolve")


# --------------------------------------------------------------------------------------
# Queue and next case
# --------------------------------------------------------------------------------------


@role_required(*WORKERS)
def queue(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.QueueFilters(
        queue=data.get("queue") or "",
        bucket=data.get("bucket") or "",
        status=data.get("status") or "",
        q=data.get("q") or "",
    )
    page, rows = selectors.queue_page(
        user=request.user, filters=filters, page=request.GET.get("page", 1)
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "choices": selectors.queue_filter_choices(user=request.user),
        "filters": filters,
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "calls/queue.html#queue-table", context)
    return render(request, "calls/queue.html", context)


@role_required(Role.COLLECTOR)
@require_POST
def next_case(request: HttpRequest) -> HttpResponse:
    task = services.call_task_claim_next(user=request.user)
    if task is None:
        messages.info(request, _("Nothing in your queues may be called now."))
        return redirect("work-queue")
    until = timezone.localtime(task.claimed_until)
    messages.success(
        request,
        _("Case %(ref)s is yours until %(until)s.")
        % {"ref": task.case.reference, "until": until.strftime("%H:%M")},
    )
    return redirect("case-detail", reference=task.case.reference)


# --------------------------------------------------------------------------------------
# The guided call
# --------------------------------------------------------------------------------------


def _calls(request) -> dict:
    return request.session.setdefault("calls", {})


def active_call_context(request: HttpRequest, case) -> dict:
    """The call in progress on this case in this session, if any, with its form."""
    state = _calls(request).get(case.reference)
    if not state:
        return {"call": None}
    attempt = selectors.pending_attempt(
        case=case, user=request.user, attempt_id=state["attempt"]
    )
    if attempt is None:  # logged elsewhere, or another session's
        _calls(request).pop(case.reference, None)
        request.session.modified = True
        return {"call": None}
    stage = state.get("stage", "identify")
    return {
        "call": {
            "attempt": attempt,
            "stage": stage,
            "disclosed": stage in ("explain", "resolve"),
            "form": CallOutcomeForm(stage=stage),
            "hotline": _hotline(),
        }
    }


def _hotline() -> str:
    from django.conf import settings

    return getattr(settings, "COLLECTIONS_HOTLINE", "")


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
    _calls(request)[case.reference] = {"attempt": attempt.pk, "stage": "identify"}
    request.session.modified = True
    return _back_to_case(case)


@role_required(*WORKERS)
@require_POST
def call_step(request: HttpRequest, reference: str) -> HttpResponse:
    """Move the script: identity confirmed → explain → resolve, or third party."""
    case = _case(request, reference)
    state = _calls(request).get(case.reference)
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
        return render(request, "cases/_call_step.html", context)
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
    form = CallOutcomeForm(request.POST, request.FILES, stage=call["stage"])
    if form.is_valid():
        data = form.cleaned_data
        attempt = call["attempt"]
        try:
            services.call_log_with_promise(
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
                promise_amount=data.get("promise_amount"),
                promise_due_date=data.get("promise_due_date"),
            )
        except ApplicationError as exc:
            form_errors(form, exc)
        else:
            _calls(request).pop(case.reference, None)
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
                return render(request, "cases/_call_logged.html", context)
            return redirect("case-detail", reference=case.reference)
    call["form"] = form
    page = case_page_context(request, case, call=call)
    if request.htmx:
        response = render(request, "cases/case.html#call-panel", page)
        return retarget(response, "#call-panel")
    return render(request, "cases/case.html", page, status=400)
