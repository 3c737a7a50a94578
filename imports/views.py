"""The admin's import page: upload a file, then read its report."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from core.roles import Role, role_required

from . import selectors, services
from .forms import ImportForm
from .models import ImportRun


@role_required(Role.ADMIN)
def import_index(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        run = services.import_run(
            kind=form.cleaned_data["kind"],
            file=upload.file,
            file_name=upload.name,
            source=ImportRun.Source.WEB,
            actor=request.user,
            partial=form.cleaned_data["partial"],
            dry_run=form.cleaned_data["dry_run"],
        )
        return redirect("imports:detail", reference=run.reference)
    runs = selectors.import_run_list()[:20]
    return render(request, "imports/index.html", {"form": form, "runs": runs})


@role_required(Role.ADMIN)
def import_detail(request: HttpRequest, reference: str) -> HttpResponse:
    run = get_object_or_404(selectors.import_run_list(), reference=reference)
    return render(
        request,
        "imports/detail.html",
        {"run": run, "customers": selectors.import_run_customers(run=run)},
    )
