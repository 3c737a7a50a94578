"""The configuration as it stood at a past time (or when a decision was taken)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from core.roles import Role, role_required

from .. import forms, selectors

admin_only = role_required(Role.ADMIN)


@admin_only
def as_of(request: HttpRequest) -> HttpResponse:
    form = forms.AsOfForm(request.GET or None)
    configuration = rules = None
    if form.is_valid():
        at = form.cleaned_data["at"]
        if form.cleaned_data["decision"]:
            rules = selectors.decision_rules(decision_id=form.cleaned_data["decision"])
            at = rules.decision.evaluated_at
        configuration = selectors.configuration_as_of(at=at)
    elif not request.GET:
        form = forms.AsOfForm(
            initial={"at": timezone.localtime().replace(microsecond=0)}
        )
    return render(
        request,
        "configuration/as_of.html",
        {"form": form, "configuration": configuration, "rules": rules},
    )
