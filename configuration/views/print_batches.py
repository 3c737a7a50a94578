"""The print vendor's batches of letters (decision 47): the list, "cut a batch now",
and the download of a batch's zip, audited. Admins only."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.roles import Role, role_required
from messaging import selectors as messaging_selectors
from messaging import services as messaging_services
from messaging.models import PrintBatch

admin_only = role_required(Role.ADMIN)


@admin_only
def print_batch_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "configuration/print_batches.html",
        {
            "batches": messaging_selectors.print_batch_list(),
            "waiting": messaging_services.print_batch_pending_count(),
        },
    )


@admin_only
@require_POST
def print_batch_cut(request: HttpRequest) -> HttpResponse:
    report = messaging_services.print_batch_cut(user=request.user)
    if report.batch is None:
        messages.info(request, _("No letter is waiting for a print batch."))
    else:
        messages.success(
            request,
            _("Print batch %(reference)s cut with %(count)d letter(s).")
            % {"reference": report.batch.reference, "count": report.letters},
        )
    if report.refused:
        messages.error(
            request,
            _("Left out, because the file is missing or changed: %(letters)s")
            % {"letters": ", ".join(report.refused)},
        )
    return redirect("configuration:print-batches")


@admin_only
def print_batch_download(request: HttpRequest, reference: str) -> HttpResponse:
    """The batch's zip, as a download; the download is audited."""
    batch = get_object_or_404(PrintBatch, reference=reference)
    try:
        handle = batch.file.open("rb")
    except FileNotFoundError:
        raise Http404("The batch file is missing.") from None
    messaging_services.print_batch_download_record(user=request.user, batch=batch)
    response = FileResponse(
        handle,
        content_type="application/zip",
        as_attachment=True,
        filename=f"{batch.reference}.zip",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
