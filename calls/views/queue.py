"""The collector's queue and "next case"."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.roles import Role, role_required
from core.search_stash import search_stash, search_unstash

from .. import selectors, services
from ..forms import QueueFilterForm
from .case_page import WORKERS

# The session stash of queue search terms (core.search_stash): the term is posted,
# and the results page carries only an opaque key, so no phone number or national id
# reaches an access log.
SEARCH_STASH = "queue_searches"


@role_required(*WORKERS)
def queue(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _queue_search(request)
    form = QueueFilterForm(request.GET or None)
    data = dict(form.cleaned_data) if form.is_valid() else {}
    key = data.get("q") or ""
    term = search_unstash(request, name=SEARCH_STASH, key=key) if key else ""
    # A key this session does not hold (an old bookmark, someone else's link, or a
    # term typed into the address bar) searches for nothing: searching the raw value
    # would invite putting phone numbers into URLs again.
    data["q"] = term or ""
    return _queue_render(
        request, form, data, key=key if term else "", stale=bool(key and not term)
    )


def _queue_search(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.POST)
    if not form.is_valid():
        # Say why (a term over 100 characters, say) and list nothing: an invalid
        # search that quietly showed the whole queue looked like "no match".
        response = _queue_render(request, form, {}, key="", invalid=True)
        response.status_code = 200 if request.htmx else 400
        return response
    data = dict(form.cleaned_data)
    term = data.get("q") or ""
    key = search_stash(request, name=SEARCH_STASH, term=term) if term else ""
    url = f"{reverse('work-queue')}?{_queue_query(data, key=key)}".rstrip("?")
    if not request.htmx:
        return redirect(url)
    response = _queue_render(request, form, data, key=key)
    response["HX-Push-Url"] = url
    return response


def _queue_query(data: dict, *, key: str) -> str:
    """The URL's query: the filters without PII, and the search's key, never its
    term."""
    query = QueryDict(mutable=True)
    for name in ("queue", "bucket", "status"):
        if data.get(name):
            query[name] = data[name]
    if key:
        query["q"] = key
    return query.urlencode()


def _queue_render(
    request: HttpRequest,
    form,
    data: dict,
    *,
    key: str,
    stale: bool = False,
    invalid: bool = False,
) -> HttpResponse:
    filters = selectors.QueueFilters(
        queue=data.get("queue") or "",
        bucket=data.get("bucket") or "",
        status=data.get("status") or "",
        q=data.get("q") or "",
    )
    if invalid:  # nothing to list for a search that was not run
        page, rows = Paginator([], 1).get_page(1), []
    else:
        page, rows = selectors.queue_page(
            user=request.user, filters=filters, page=request.GET.get("page", 1)
        )
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": _queue_query(data, key=key),
        "choices": selectors.queue_filter_choices(user=request.user),
        "filters": filters,
        "search_stale": stale,
        # The bound form's errors, shown above the (empty) table.
        "search_errors": [e for errors in form.errors.values() for e in errors]
        if invalid
        else [],
    }

    if request.htmx and not request.htmx.boosted:
        return render(request, "calls/queue.html#queue-table", context)
    # The callback diary: today's callbacks this collector agreed, with their times.
    context["diary"] = selectors.callback_diary(user=request.user)
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
