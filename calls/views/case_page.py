"""The case page and its actions: reveal (audited), promise, repayment plan,
restriction, what the customer said (inconvenient times and places, revoking a
statement or a prior consent). Short functions: fetch with access check → form →
service → redirect or render a partial. The guided call's steps live in
calls.views.guided_call; the call in progress is kept in the session here, since the
page shows it."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases import services as case_services
from cases.masking import mask_contact, mask_national_id
from compliance import services as compliance_services
from compliance.models import ContactPreference, PriorConsent
from compliance.restrictions import restriction_create
from core.errors import ApplicationError
from core.forms import form_errors
from core.roles import Role, role_required, user_roles
from messaging import selectors as messaging_selectors
from messaging import services as messaging_services

from .. import selectors, services
from ..forms import (
    WRONG_NUMBER,
    CallOutcomeForm,
    ClaimReasonForm,
    ContactPreferenceForm,
    PlanForm,
    PromiseForm,
    RestrictionForm,
    RevealForm,
    RevokeForm,
    StatedTimeZoneForm,
)

WORKERS = (Role.COLLECTOR, Role.SUPERVISOR, Role.ADMIN)


def case_page_context(
    request: HttpRequest, case, *, revealed: dict | None = None, **extra
) -> dict:
    """Everything the case page shows; each part is a bounded read."""
    revealed = revealed or {}
    timeline_only = request.GET.get("timeline", "")
    customer = case.customer
    points = list(customer.contact_points.all())
    loans = selectors.case_loans(case=case)
    totals = selectors.case_totals(loans)
    banners = selectors.contact_banners(case=case)
    context = {
        "case": case,
        "customer": customer,
        "national_id": mask_national_id(customer.national_id)
        if customer.national_id
        else "",
        "address": mask_contact("address", customer.address)
        if customer.address
        else "",
        "points": [
            (p, revealed.get(f"point-{p.pk}") or mask_contact(p.channel, p.value))
            for p in points
        ],
        "banners": banners,
        "glance": selectors.case_glance(
            case=case, loans=loans, totals=totals, banners=banners
        ),
        "statements": selectors.case_statements(case=case),
        "loans": loans,
        "totals": totals,
        "timeline": selectors.case_timeline(case=case, only=timeline_only),
        "timeline_only": timeline_only,
        "timeline_filters": [
            (key, label) for key, (label, _kinds) in selectors.TIMELINE_FILTERS.items()
        ],
        "reveals": selectors.pii_reveals_for_case(case=case),
        "letters": messaging_selectors.letters_for_case(case=case),
        "revealed": revealed,
        "promise_form": PromiseForm(),
        # A cease request: no promise or plan is offered (decision 46).
        "arrangements_ceased": case_services.cease_in_force(case),
        **selectors.case_settlement(case=case),
    }
    context["is_collector"] = Role.COLLECTOR in user_roles(request.user)
    context.update(claim_context(request, case))
    context.update(active_call_context(request, case))
    context.update(extra)
    return context


def claim_context(request: HttpRequest, case) -> dict:
    """Who holds the case (one caller at a time, decision 43) and until when the
    queue holds it back (its next action time, decision 42)."""
    claim = selectors.case_claim_holder(case=case)
    mine = claim is not None and claim.claimed_by_id == request.user.pk
    now = timezone.now()
    waiting = case.next_call_at is not None and case.next_call_at > now
    return {
        "claim": claim,
        "task": claim if mine else None,
        "claimed_by_other": claim is not None and not mine,
        "can_take_over": bool(user_roles(request.user) & {Role.SUPERVISOR, Role.ADMIN})
        and not mine,
        "skip_form": ClaimReasonForm(),
        "take_over_form": ClaimReasonForm(),
        "next_call_waiting": selectors.waiting_text(case) if waiting else "",
    }


def calls_in_session(request) -> dict:
    """The calls started in this session: {case reference: {attempt, stage}}."""
    return request.session.setdefault("calls", {})


def active_call_context(request: HttpRequest, case) -> dict:
    """The call in progress on this case in this session, if any, with its form."""
    state = calls_in_session(request).get(case.reference)
    if not state:
        return {"call": None}
    attempt = selectors.pending_attempt(
        case=case, user=request.user, attempt_id=state["attempt"]
    )
    if attempt is None:  # logged elsewhere, or another session's
        calls_in_session(request).pop(case.reference, None)
        request.session.modified = True
        return {"call": None}
    stage = state.get("stage", "identify")
    arrangements = call_arrangements(case)
    return {
        "call": {
            "attempt": attempt,
            "stage": stage,
            "disclosed": stage in ("explain", "resolve"),
            "form": CallOutcomeForm(stage=stage, **arrangements),
            "in_force": arrangements["in_force"],
            "ceased": arrangements["ceased"],
            "hotline": _hotline(),
        }
    }


def call_arrangements(case) -> dict:
    """The outcome form's view of arrangements: none offered under a cease request,
    and the ones a promise would supersede (decision 46)."""
    ceased = case_services.cease_in_force(case)
    in_force = [] if ceased else case_services.arrangements_in_force(case=case)
    return {"ceased": ceased, "in_force": in_force}


def _hotline() -> str:
    from django.conf import settings

    return getattr(settings, "COLLECTIONS_HOTLINE", "")


@role_required(*WORKERS)
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    case = selectors.case_for_page(user=request.user, reference=reference)
    return render(request, "calls/case.html", case_page_context(request, case))


@role_required(*WORKERS)
def case_letter(request: HttpRequest, reference: str, letter: str) -> HttpResponse:
    """A letter of the case as a PDF download, for whoever may see the case. It
    shows the full name and postal address the page masks, so each download is
    recorded (messaging.DocumentDownload), and it is never cached."""
    case = selectors.case_for_page(user=request.user, reference=reference)
    document = messaging_selectors.letter_get_for_case(case=case, reference=letter)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404("The letter file is missing.") from None
    messaging_services.letter_download_record(user=request.user, letter=document)
    response = FileResponse(
        handle,
        content_type="application/pdf",
        as_attachment=True,
        filename=f"{document.reference}.pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def _reveal_target(field: str, point) -> str:
    """The id of the masked value's element on the case page."""
    if point is not None:
        return f"pt-{point.pk}"
    return {"national_id": "nid", "address": "addr"}.get(field, "reveal")


@role_required(*WORKERS)
def case_reveal(request: HttpRequest, reference: str) -> HttpResponse:
    """Show one masked value in full, and record who saw it and why.

    GET: the reason form (an htmx fragment in place of the masked value, or a page
    without JavaScript). POST: the reveal, through the service that audits and
    rate-limits it; a refusal shows the form again with the error."""
    case = selectors.case_for_page(user=request.user, reference=reference)
    data = request.POST if request.method == "POST" else request.GET
    form = RevealForm(request.POST or None, initial=data.dict())
    field = data.get("field", "")
    raw_point = str(data.get("contact_point") or "")
    point = None
    if field == "contact_point" and raw_point.isdigit():
        point = case.customer.contact_points.filter(pk=int(raw_point)).first()
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                value = services.pii_reveal(
                    user=request.user,
                    case=case,
                    field=form.cleaned_data["field"],
                    contact_point=point,
                    reason=form.cleaned_data["reason"],
                )
            except ApplicationError as exc:
                form_errors(form, exc)
                status = exc.status
            else:
                if request.htmx:
                    return render(request, "calls/_revealed.html", {"value": value})
                key = f"point-{point.pk}" if point else field
                context = case_page_context(request, case, revealed={key: value})
                return render(request, "calls/case.html", context)
        else:
            status = 400
    context = {
        "case": case,
        "form": form,
        "field": field,
        "point": point,
        "target": _reveal_target(field, point),
    }
    if request.htmx:
        # htmx swaps only 2xx answers: the errors are in the fragment.
        return render(request, "calls/reveal.html#reveal-form", context)
    return render(request, "calls/reveal.html", context, status=status)


@role_required(*WORKERS)
def promise_create(request: HttpRequest, reference: str) -> HttpResponse:
    case = selectors.case_for_page(user=request.user, reference=reference)
    form = PromiseForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case_services.promise_record(
                case=case,
                amount=data["amount"],
                due_date=data["due_date"],
                created_by=request.user,
                supersede=data["supersede"],
                supersede_reason=data["supersede_reason"],
            )
        except ApplicationError as exc:
            form_errors(form, exc)
            status = exc.status
        else:
            messages.success(request, _("Promise to pay recorded."))
            return redirect("case-detail", reference=case.reference)
    if form.errors and status == 200:
        status = 400
    context = {"case": case, "form": form, **_arrangement_context(case)}
    return render(request, "calls/promise.html", context, status=status)


def _arrangement_context(case) -> dict:
    """What the promise and plan pages show beside the form: the case's terms, the
    arrangements a new one would supersede, and whether a cease request stops any."""
    return {
        "terms": case_services.arrangement_terms(case=case),
        "in_force": case_services.arrangements_in_force(case=case),
        "ceased": case_services.cease_in_force(case),
    }


@role_required(*WORKERS)
def plan_create(request: HttpRequest, reference: str) -> HttpResponse:
    """The plan calculator: preview the schedule, then propose it."""
    case = selectors.case_for_page(user=request.user, reference=reference)
    loans = selectors.case_loans(case=case)
    totals = selectors.case_totals(loans)
    form = PlanForm(
        request.POST or None,
        initial={"total": totals["overdue"] or totals["balance"]},
    )
    schedule = None
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        count = 1 if data["kind"] == "deferral" else data["count"]
        try:
            # The preview runs the proposal's own check (decision 46): what it
            # shows, the proposal accepts, and it says when a supervisor decides.
            schedule = case_services.plan_schedule_preview(
                case=case,
                kind=data["kind"],
                total=data["total"],
                count=count,
                first_due_date=data["first_due_date"],
                every_days=data["every_days"],
                reason=data["reason"],
                supersede=data["supersede"],
            )
            if "propose" in request.POST:
                plan = case_services.plan_propose(
                    case=case,
                    kind=data["kind"],
                    instalments=list(schedule),
                    reason=data["reason"],
                    proposed_by=request.user,
                    requested_by_customer=data["requested_by_customer"],
                    supersede=data["supersede"],
                )
                if plan.status == plan.Status.ACTIVE:
                    messages.success(request, _("Repayment plan agreed: it is active."))
                else:
                    messages.success(
                        request,
                        _("Repayment plan proposed; a supervisor will review it."),
                    )
                return redirect("case-detail", reference=case.reference)
        except ApplicationError as exc:
            schedule = None
            form_errors(form, exc)
            status = exc.status
    context = {
        "case": case,
        "form": form,
        "schedule": schedule,
        "totals": totals,
        **_arrangement_context(case),
    }
    if request.htmx:
        # htmx swaps only 2xx answers: the errors are in the fragment.
        return render(request, "calls/plan.html#plan-form", context)
    if form.errors and status == 200:
        status = 400
    return render(request, "calls/plan.html", context, status=status)


@role_required(*WORKERS)
def restriction_add(request: HttpRequest, reference: str) -> HttpResponse:
    """Record a cease request, dispute, attorney, vulnerability, opt-out or a wrong
    number from the case page."""
    case = selectors.case_for_page(user=request.user, reference=reference)
    points = list(case.customer.contact_points.all())
    form = RestrictionForm(request.POST or None, points=points)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        point = next((p for p in points if p.pk == data["contact_point"]), None)
        try:
            if data["kind"] == WRONG_NUMBER:
                if point is None:
                    raise ApplicationError(
                        _("Choose the number that is wrong."),
                        errors={
                            "contact_point": [_("Choose the number that is wrong.")]
                        },
                    )
                case_services.contact_point_mark_invalid(
                    user=request.user,
                    case=case,
                    contact_point=point,
                    reason=data["reason"],
                )
            else:
                restriction_create(
                    customer=case.customer,
                    kind=data["kind"],
                    reason=data["reason"],
                    actor=request.user,
                    channel=data["channel"],
                    contact_point=point,
                    source="collector",
                )
        except ApplicationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Restriction recorded."))
            return redirect("case-detail", reference=case.reference)
    status = 400 if form.errors else 200
    return render(
        request, "calls/restriction.html", {"case": case, "form": form}, status=status
    )


@role_required(*WORKERS)
def stated_time_zone_set(request: HttpRequest, reference: str) -> HttpResponse:
    """Record the time zone the customer gave ("I live in Los Angeles now"); the
    contact window uses it at once instead of every other location signal."""
    case = selectors.case_for_page(user=request.user, reference=reference)
    customer = case.customer
    form = StatedTimeZoneForm(
        request.POST or None, initial={"time_zone": customer.stated_time_zone}
    )
    if request.method == "POST" and form.is_valid():
        try:
            case_services.customer_stated_zone_set(
                customer=customer,
                time_zone=form.cleaned_data["time_zone"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
                source="collector",
            )
        except ApplicationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The customer's time zone is recorded."))
            return redirect("case-detail", reference=case.reference)
    status = 400 if form.errors else 200
    context = {"case": case, "form": form, "customer": customer}
    return render(request, "calls/stated_time_zone.html", context, status=status)


@role_required(*WORKERS)
def preference_add(request: HttpRequest, reference: str) -> HttpResponse:
    """Record a time or place the customer said is inconvenient; the gate applies it
    at once (its banner on the case page says so)."""
    case = selectors.case_for_page(user=request.user, reference=reference)
    points = list(case.customer.contact_points.all())
    form = ContactPreferenceForm(request.POST or None, points=points)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        point = next((p for p in points if p.pk == data["contact_point"]), None)
        try:
            compliance_services.contact_preference_record(
                customer=case.customer,
                kind=data["kind"],
                channel=data["channel"],
                weekday=data["weekday"],
                start_time=data["start_time"],
                end_time=data["end_time"],
                contact_point=point,
                reason=data["reason"],
                source="collector",
                actor=request.user,
            )
        except ApplicationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The customer's statement is recorded."))
            return redirect("case-detail", reference=case.reference)
    status = 400 if form.errors else 200
    return render(
        request, "calls/preference.html", {"case": case, "form": form}, status=status
    )


@role_required(*WORKERS)
@require_POST
def statement_revoke(
    request: HttpRequest, reference: str, kind: str, pk: int
) -> HttpResponse:
    """Revoke a stated inconvenient time or place, or a prior consent, saying why."""
    case = selectors.case_for_page(user=request.user, reference=reference)
    model = {"preference": ContactPreference, "consent": PriorConsent}.get(kind)
    if model is None:
        raise Http404
    row = get_object_or_404(model, pk=pk, customer=case.customer)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why it is revoked."))
        return redirect("case-detail", reference=case.reference)
    try:
        if kind == "preference":
            compliance_services.contact_preference_revoke(
                preference=row, reason=form.cleaned_data["reason"], actor=request.user
            )
        else:
            compliance_services.prior_consent_revoke(
                consent=row, reason=form.cleaned_data["reason"], actor=request.user
            )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Revoked."))
    return redirect("case-detail", reference=case.reference)
