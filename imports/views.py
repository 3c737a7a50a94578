"""The admin's import page: upload a file, then read its report."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.roles import Role, role_required

from . import selectors, services
from .forms import ImportForm
from .models import ImportRun


@role_required(Role.ADMIN)
def import_index(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            run = services.import_submit(
                kind=form.cleaned_data["kind"],
                file=upload.file,
                file_name=upload.name,
                size=upload.size,
                source=ImportRun.Source.WEB,
                actor=request.user,
                partial=form.cleaned_data["partial"],
                dry_run=form.cleaned_data["dry_run"],
            )
        except ApplicationError as exc:
            for field, messages in exc.errors.items():
                for message in messages:
                    form.add_error(field if field in form.fields else None, message)
        else:
            # Accepted, not done: the browser goes to the run's page (303, so a
            # reload does not upload again), which follows the worker by htmx
            # polling and reloads itself, at its own URL, when the run is done.
            response = redirect("imports:detail", reference=run.reference)
            response.status_code = 303
            return response
    runs = selectors.import_run_list()[:20]
    status = 400 if form.errors else 200
    return render(
        request, "imports/index.html", {"form": form, "runs": runs}, status=status
    )


def _detail(request: HttpRequest, run: ImportRun, *, status: int = 200):
    template = "imports/detail.html"
    polled = bool(request.htmx and request.GET.get("progress"))
    if polled:
        template = "imports/detail.html#progress"
    response = render(
        request,
        template,
        {"run": run, "customers": selectors.import_run_customers(run=run)},
        status=status,
    )
    if polled and run.status not in (ImportRun.Status.QUEUED, ImportRun.Status.RUNNING):
        # Done: reload the whole page, which now holds the report.
        response["HX-Refresh"] = "true"
    return response


@role_required(Role.ADMIN)
def import_detail(request: HttpRequest, reference: str) -> HttpResponse:
    run = get_object_or_404(selectors.import_run_list(), reference=reference)
    return _detail(request, run)


@role_required(Role.ADMIN)
@require_POST
def import_restart(request: HttpRequest, reference: str) -> HttpResponse:
    run = get_object_or_404(selectors.import_run_list(), reference=reference)
    try:
        services.import_restart(run=run)
    except ApplicationError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain")
    return redirect("imports:detail", reference=run.reference)
