"""Bulk reassignment: pick open cases, move them through services.cases_reassign."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cases.selectors import case_list_for_user
from core.errors import ApplicationError
from core.forms import form_errors
from core.roles import role_required

from .. import selectors, services
from ..forms import ReassignForm
from .common import SUPERVISORS


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
        # Ticked cases stay ticked when the form comes back with an error.
        "ticked": set(request.POST.getlist("case")),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "supervision/reassign.html", context, status=status)
