"""The collector's queue and "next case"."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.roles import Role, role_required

from .. import selectors, services
from ..forms import QueueFilterForm
from .case_page import WORKERS


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
