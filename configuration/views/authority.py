"""The approval authority matrix page (decision 48): how much of a settlement's
discount or a write-off each role may approve, edited together with a reason."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.roles import Role, role_required
from escalation.authority import authority_matrix, authority_save
from escalation.models import ApprovalAuthority

from .. import forms

admin_only = role_required(Role.ADMIN)


@admin_only
def approval_authority(request: HttpRequest) -> HttpResponse:
    cells = authority_matrix()
    form = forms.ApprovalAuthorityForm(request.POST or None, cells=cells)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                changed = authority_save(
                    values=request.POST,
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except ApplicationError as exc:
                forms.apply_errors(form, exc, {})
                status = 400
            else:
                messages.success(
                    request,
                    _("Approval authority saved (%(n)s changed).") % {"n": changed},
                )
                return redirect("configuration:approval-authority")
        else:
            status = 400
    kinds = dict(ApprovalAuthority.Kind.choices)
    roles = dict(ApprovalAuthority.ROLE_CHOICES)
    rows = [
        {
            "kind": kinds[cell.kind],
            "role": roles[cell.role],
            "fields": form.cell_fields(cell),
        }
        for cell in cells
    ]
    history = ApprovalAuthority.history.select_related("history_user").order_by(
        "-history_date"
    )[:50]
    context = {"form": form, "rows": rows, "history": history}
    return render(
        request, "configuration/approval_authority.html", context, status=status
    )
