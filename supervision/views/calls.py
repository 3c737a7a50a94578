"""Call records: the list (with CSV), one call and its review, the recording, and
the weekly QA sample."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from calls.recordings import EXTENSIONS, INLINE_TYPES, recording_open
from cases.masking import mask_contact
from core.errors import ApplicationError
from core.forms import form_errors
from core.replica import replica_reads
from core.roles import role_required

from .. import selectors, services
from ..forms import CallFilterForm, ReviewForm
from .common import SUPERVISORS, csv_response

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
        with replica_reads():  # an export may lag the primary a little
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
        # The same codes in the reader's language, after the stable columns so a
        # reader by position is not disturbed (issue 18, defect 10).
        "outcome_label",
        "attitude_label",
        "flags_label",
    ]
    rows = (
        [
            c.reference,
            c.case.reference,
            c.collector.username if c.collector else "",
            # In the site's zone with its offset, as the pages show it (was UTC).
            timezone.localtime(c.started_at).isoformat(),
            c.duration_seconds,
            c.outcome,
            c.attitude,
            c.right_party_contact,
            c.reviewed,
            "" if c.last_score is None else c.last_score,
            " ".join(selectors.call_flags(c)),
            c.get_outcome_display(),
            c.get_attitude_display(),
            "; ".join(str(short) for short, _full in _flag_labels(c)),
        ]
        for c in calls
    )
    return csv_response("calls.csv", header, rows)


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
    and never served from a public media URL.

    It can never run as a page (issue 15, finding 1): served with exactly the audio
    type detected at upload, `nosniff` so the browser does not guess another, a CSP
    sandbox in case it is opened directly, and as a download unless an <audio>
    element plays that type."""
    call = selectors.call_get_for_supervisor(user=request.user, reference=reference)
    if not call.recording:
        raise Http404("This call has no recording.")
    try:
        handle, content_type = recording_open(call)
    except FileNotFoundError:
        raise Http404("The recording file is missing.") from None
    extension = EXTENSIONS.get(content_type, "bin")
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=content_type not in INLINE_TYPES,
        filename=f"{call.reference}.{extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
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
