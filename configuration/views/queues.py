"""The queue and team pages."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cases import services as cases
from core.errors import ApplicationError
from core.roles import Role, role_required

from .. import forms, selectors

admin_only = role_required(Role.ADMIN)


@admin_only
def queue_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "configuration/queue_list.html", {"queues": selectors.queue_list()}
    )


@admin_only
def queue_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    queue = selectors.queue_get(code=code) if code else None
    form = forms.QueueForm(request.POST or None, instance=queue)
    if queue is not None:
        form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        fields = {
            k: v for k, v in form.cleaned_data.items() if k != "code" or not queue
        }
        try:
            cases.queue_save(queue=queue, user=request.user, **fields)
        except ApplicationError as exc:
            forms.apply_errors(form, exc, {})
        else:
            messages.success(request, _("Queue saved."))
            return redirect("configuration:queues")
    return render(
        request, "configuration/queue_form.html", {"form": form, "queue": queue}
    )


@admin_only
def team_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "configuration/team_list.html", {"teams": selectors.team_list()}
    )


@admin_only
def team_edit(request: HttpRequest, name: str | None = None) -> HttpResponse:
    team = selectors.team_get(name=name) if name else None
    form = forms.TeamForm(request.POST or None, instance=team)
    if request.method == "POST" and form.is_valid():
        cases.team_save(team=team, user=request.user, **form.cleaned_data)
        messages.success(request, _("Team saved."))
        return redirect("configuration:teams")
    return render(request, "configuration/team_form.html", {"form": form, "team": team})
