"""The supervisor's pages: call records and reviews, the QA sample, approvals, the
team dashboard (with CSV exports), bulk reassignment and follow-ups.

Short functions: fetch through a selector (which scopes to the user's teams and
answers 404 outside them) → form → service → redirect or render.
"""

from __future__ import annotations

import csv
import mimetypes

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.masking import mask_contact
from cases.selectors import case_list_for_user
from core.errors import ApplicationError
from core.forms import form_errors
from core.roles import Role, role_required

from . import selectors, services
from .forms import (
    CallFilterForm,
    DecisionForm,
    PeriodForm,
    ReassignForm,
    ReviewForm,
)
from .models import FollowUp

SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)
PAGE_SIZE = 25


def _flag_labels(call) -> list[tuple[str, str]]:
    """(short label, full description) of each flag of `call`."""
    labels = {
        "content_lint": (
            _("Content check"),
            _("Notes failed the content check"),
        ),
        "disclosure_before_identity": (
            _("Disclosed before ID"),
            _("Disclosure before identity confirmation"),
        ),
        "violation": (_("Violation"), _("Violation found in review")),
    }
    return [labels[code] for code in selectors.call_flags(call)]


def _csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # A BOM so spreadsheet programs read the Chinese names as UTF-8.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
    return response


# --------------------------------------------------------------------------------------
# Call records
# --------------------------------------------------------------------------------------


def _call_filters(request, user) -> tuple[CallFilterForm, selectors.CallFilters]:
    collectors = selectors.collectors_for_user(user=user)
    form = CallFilterForm(request.GET or None, collectors=collectors)
    data = form.cleaned_data if form.is_valid() else {}
    right_party = {"yes": True, "no": False}.get(data.get("right_party") or "")
    filters = selectors.CallFilters(
        collector=data.get("collector") or "",
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        outcome=data.get("outcome") or "",
        attitude=data.get("attitude") or "",
        min_duration=data.get("min_duration"),
        max_duration=data.get("max_duration"),
        right_party=right_party,
        flagged=bool(data.get("flagged")),
        unreviewed=bool(data.get("unreviewed")),
    )
    return form, filters


@role_required(*SUPERVISORS)
def call_list(request: HttpRequest) -> HttpResponse:
    form, filters = _call_filters(request, request.user)
    calls = selectors.call_list_for_supervisor(user=request.user, filters=filters)
    if request.GET.get("format") == "csv":
        return _calls_csv(calls[:5000])
    page = Paginator(calls, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(call, _flag_labels(call)) for call in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "rows": rows, "query": query.urlencode()}
    if request.htmx and not request.htmx.boosted:
        return render(request, "supervision/calls.html#call-table", context)
    return render(request, "supervision/calls.html", context)


def _calls_csv(calls) -> HttpResponse:
    header = [
        "reference",
        "case",
        "collector",
        "started_at",
        "duration_seconds",
        "outcome",
        "attitude",
        "right_party_contact",
        "reviewed",
        "score",
        "flags",
    ]
    rows = (
        [
            c.reference,
            c.case.reference,
            c.collector.username if c.collector else "",
            c.started_at.isoformat(),
            c.duration_seconds,
            c.outcome,
            c.attitude,
            c.right_party_contact,
            c.reviewed,
            "" if c.last_score is None else c.last_score,
            " ".join(selectors.call_flags(c)),
        ]
        for c in calls
    )
    return _csv_response("calls.csv", header, rows)


def _call_context(request, call, form=None) -> dict:
    sampled = request.GET.get("sampled") == "1" or request.POST.get("sampled") == "on"
    return {
        "call": call,
        "flags": _flag_labels(call),
        "contact": mask_contact(call.contact_point.channel, call.contact_point.value),
        "reviews": selectors.call_reviews(call=call),
        "follow_ups": selectors.call_follow_ups(call=call),
        "form": form or ReviewForm(initial={"sampled": sampled}),
    }


@role_required(*SUPERVISORS)
def call_detail(request: HttpRequest, reference: str) -> HttpResponse:
    call = selectors.call_get_for_supervisor(user=request.user, reference=reference)
    return render(request, "supervision/call.html", _call_context(request, call))


@role_required(*SUPERVISORS)
@require_POST
def call_review(request: HttpRequest, reference: str) -> HttpResponse:
    call = selectors.call_get_for_supervisor(user=request.user, reference=reference)
    form = ReviewForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            review = services.call_review_record(
                reviewer=request.user,
                call=call,
                criteria=form.criteria(),
                score=data.get("score"),
                violation=data.get("violation") or False,
                comments=data.get("comments") or "",
                sampled=data.get("sampled") or False,
            )
        except ApplicationError as exc:
            form_errors(form, exc)
        else:
            if review.violation:
                messages.warning(
                    request,
                    _("Review saved: violation recorded, follow-up opened for %(who)s.")
                    % {"who": call.collector.username if call.collector else "-"},
                )
            else:
                messages.success(
                    request,
                    _("Review saved: score %(score)s.") % {"score": review.score},
                )
            return redirect("supervision:call-detail", reference=call.reference)
    return render(
        request, "supervision/call.html", _call_context(request, call, form), status=400
    )


@role_required(*SUPERVISORS)
def call_recording(request: HttpRequest, reference: str) -> HttpResponse:
    """The recording, streamed after the scope check: recordings are personal data
    and never served from a public media URL."""
    call = selectors.call_get_for_supervisor(user=request.user, reference=reference)
    if not call.recording:
        raise Http404("This call has no recording.")
    try:
        handle = call.recording.open("rb")
    except FileNotFoundError:
        raise Http404("The recording file is missing.") from None
    content_type = mimetypes.guess_type(call.recording.name)[0] or "audio/wav"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@role_required(*SUPERVISORS)
def qa_sample(request: HttpRequest) -> HttpResponse:
    sample = selectors.qa_sample(user=request.user)
    rows = [(call, _flag_labels(call)) for call in sample]
    return render(
        request,
        "supervision/qa_sample.html",
        {"rows": rows, "size": selectors.QA_SAMPLE_SIZE},
    )


# --------------------------------------------------------------------------------------
# Approvals
# --------------------------------------------------------------------------------------


@role_required(*SUPERVISORS)
def approvals(request: HttpRequest) -> HttpResponse:
    context = {
        "plans": selectors.plans_for_supervisor(user=request.user, status="proposed"),
        "approvals": selectors.approvals_for_supervisor(
            user=request.user, status="pending"
        ),
        "history": selectors.decision_history(user=request.user),
        "form": DecisionForm(),
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


# --------------------------------------------------------------------------------------
# Dashboard
# --------------------------------------------------------------------------------------

COLLECTOR_COLUMNS = [
    "collector",
    "name",
    "attempts",
    "right_party_contacts",
    "promises",
    "promises_kept",
    "promises_broken",
    "promise_kept_rate",
    "amount_collected",
    "plans_agreed",
    "average_handling_seconds",
    "reviews",
    "qa_score",
    "compliance_blocks",
    "flagged_calls",
]


def dashboard_for_request(request) -> tuple[PeriodForm, selectors.Dashboard]:
    teams = selectors.teams_for_user(user=request.user)
    form = PeriodForm(request.GET or None, teams=teams)
    team = None
    if form.is_valid() and form.cleaned_data.get("team"):
        team = selectors.team_get_for_user(
            user=request.user, team_id=form.cleaned_data["team"]
        )
    dashboard = selectors.team_dashboard_cached(
        user=request.user, period=form.period(), team=team
    )
    return form, dashboard


@role_required(*SUPERVISORS)
def dashboard(request: HttpRequest) -> HttpResponse:
    form, board = dashboard_for_request(request)
    table = request.GET.get("table")
    if request.GET.get("format") == "csv":
        return dashboard_csv(board, table or "collectors")
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("table", None)
    context = {
        "form": form,
        "board": board,
        "rows": [r.as_dict() for r in board.rows],
        "total": board.total.as_dict(),
        "query": query.urlencode(),
        "chart_labels": {
            "attempts": _("Attempts"),
            "rpc": _("Right-party contacts"),
            "promises": _("Promises"),
            "qa": _("QA score"),
            "kept": _("Promise kept rate (%)"),
            "blocks": _("Blocked attempts"),
        },
    }
    return render(request, "supervision/dashboard.html", context)


def dashboard_csv(board: selectors.Dashboard, table: str) -> HttpResponse:
    stamp = f"{board.period.start:%Y%m%d}-{board.period.end:%Y%m%d}"
    if table == "collectors":
        rows = [r.as_dict() for r in board.rows]
        total = board.total.as_dict()
        total.update(collector="TOTAL", name="")
        return _csv_response(
            f"team-{stamp}.csv",
            COLLECTOR_COLUMNS,
            (
                ["" if row[c] is None else row[c] for c in COLLECTOR_COLUMNS]
                for row in [*rows, total]
            ),
        )
    if table == "blocks":
        return _csv_response(
            f"blocks-{stamp}.csv",
            ["reason", "blocked_attempts"],
            board.blocks_by_reason.items(),
        )
    if table == "rolls":
        rolls = board.roll_rates
        columns = rolls.get("columns", [])
        return _csv_response(
            f"roll-rates-{stamp}.csv",
            [
                "from_bucket",
                "cases",
                *[f"to_{c}" for c in columns],
                "roll_forward_rate",
            ],
            (
                [
                    r["bucket"],
                    r["cases"],
                    *[r["to"][c] for c in columns],
                    r["roll_forward_rate"],
                ]
                for r in rolls.get("rows", [])
            ),
        )
    raise Http404("No such table.")


# --------------------------------------------------------------------------------------
# Reassignment
# --------------------------------------------------------------------------------------


@role_required(*SUPERVISORS)
def reassign(request: HttpRequest) -> HttpResponse:
    user = request.user
    collectors = selectors.collectors_for_user(user=user)
    queues = list(selectors.reassign_queues_for_user(user=user))
    form = ReassignForm(request.POST or None, collectors=collectors, queues=queues)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        refs = set(request.POST.getlist("case")) | set(
            (data.get("cases") or "").replace(",", " ").split()
        )
        cases, missing = selectors.reassign_cases_for_user(user=user, references=refs)
        try:
            if missing:
                message = _("Not one of your open cases: %(refs)s.") % {
                    "refs": ", ".join(missing[:5])
                }
                raise ApplicationError(message, errors={"cases": [message]})
            moved = services.cases_reassign(
                user=user,
                cases=cases,
                reason=data.get("reason") or "",
                collector=data.get("collector") or "",
                queue=data.get("queue") or "",
                unassign=bool(data.get("unassign")),
            )
        except ApplicationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("%(n)s cases moved.") % {"n": moved})
            return redirect("supervision:reassign")
    # The list to pick from: filtered by current collector / queue / bucket.
    source = request.GET
    visible = case_list_for_user(user=user).open()
    cases = visible.select_related("customer", "queue", "assigned_to")
    if source.get("from_collector"):
        cases = cases.filter(assigned_to__username=source["from_collector"])
    if source.get("from_queue"):
        cases = cases.filter(queue__code=source["from_queue"])
    if source.get("bucket"):
        cases = cases.filter(bucket=source["bucket"])
    page = Paginator(cases.order_by("-priority", "reference"), 50).get_page(
        source.get("page")
    )
    context = {
        "form": form,
        "page": page,
        "collectors": collectors,
        "queues": queues,
        "buckets": [label for *_, label in settings.DPD_BUCKETS],
        "filters": source,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "supervision/reassign.html", context, status=status)


# --------------------------------------------------------------------------------------
# Follow-ups
# --------------------------------------------------------------------------------------


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
