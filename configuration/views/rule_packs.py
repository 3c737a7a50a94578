"""The rule-pack pages: a pack's parameters saved as a draft, a draft's changes,
simulation, activation and discard; and the holiday overrides."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compliance.models import HolidayOverride
from compliance.services import holiday_save
from core.errors import ApplicationError
from core.roles import Role, role_required

from .. import forms, selectors, services

admin_only = role_required(Role.ADMIN)


@admin_only
def rule_pack_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "configuration/rule_pack_list.html",
        {"packs": selectors.rule_pack_list()},
    )


@admin_only
def rule_pack_edit(request: HttpRequest, code: str) -> HttpResponse:
    """The live pack's parameters as a form; saving makes a draft (the live pack is
    unchanged until the draft is activated)."""
    pack = selectors.rule_pack_get(code=code)
    form = forms.RulePackForm(request.POST or None, parameters=pack.parameters)
    if request.method == "POST" and form.is_valid():
        try:
            draft = services.rule_pack_draft_create(
                code=code,
                parameters=form.changes(),
                user=request.user,
                reason=form.cleaned_data["reason"],
                override_reason=form.cleaned_data["override_reason"],
            )
        except ApplicationError as exc:
            forms.apply_errors(form, exc, form.error_fields())
        else:
            if draft.floor_breaches:
                messages.warning(
                    request,
                    _(
                        "Draft %(n)s goes beyond the legal floor: a second admin "
                        "must approve its legal-review override before activation."
                    )
                    % {"n": draft.number},
                )
            messages.success(
                request,
                _("Saved as draft %(n)s: simulate it, then activate it.")
                % {"n": draft.number},
            )
            return redirect(_draft_url(draft))
    return render(
        request,
        "configuration/rule_pack_form.html",
        {
            "pack": pack,
            "form": form,
            "drafts": selectors.rule_pack_drafts(code=code)[:20],
            "history": selectors.rule_pack_history(code=code),
        },
    )


def _draft_url(draft) -> str:
    return reverse("configuration:rule-pack-draft", args=[draft.code, draft.number])


@admin_only
def rule_pack_draft_detail(
    request: HttpRequest, code: str, number: int
) -> HttpResponse:
    draft = selectors.rule_pack_draft_get(code=code, number=number)
    pack = selectors.rule_pack_get(code=code)
    return render(
        request,
        "configuration/rule_pack_draft.html",
        {
            "draft": draft,
            "pack": pack,
            "stale": draft.status == draft.Status.DRAFT
            and pack.version != draft.base_version,
            "changes": selectors.rule_pack_draft_changes(
                draft=draft, current=pack.parameters
            ),
            "simulate_form": forms.SimulateForm(
                initial={"at": forms.SimulateForm.default_at()}
            ),
            "history": selectors.rule_pack_draft_history(draft=draft),
        },
    )


@admin_only
def rule_pack_draft_simulate(
    request: HttpRequest, code: str, number: int
) -> HttpResponse:
    """GET with ?at=...: the live policies' figures with the draft pack and with the
    live one (an htmx partial, or the whole page without htmx). Writes nothing."""
    draft = selectors.rule_pack_draft_get(code=code, number=number)
    form = forms.SimulateForm(request.GET or None)
    simulation = None
    if form.is_valid():
        simulation = selectors.rule_pack_simulation(
            draft=draft, at=form.cleaned_data["at"]
        )
    template = (
        "configuration/_simulation.html"
        if request.htmx
        else "configuration/rule_pack_simulation.html"
    )
    return render(
        request, template, {"draft": draft, "form": form, "simulation": simulation}
    )


@admin_only
@require_POST
def rule_pack_draft_activate(
    request: HttpRequest, code: str, number: int
) -> HttpResponse:
    draft = selectors.rule_pack_draft_get(code=code, number=number)
    try:
        pack = services.rule_pack_draft_activate(draft=draft, user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(_draft_url(draft))
    messages.success(
        request,
        _("Activated as version %(v)s: the gate applies it from now on.")
        % {"v": pack.version},
    )
    return redirect("configuration:rule-pack", code=code)


@admin_only
@require_POST
def rule_pack_draft_approve_override(
    request: HttpRequest, code: str, number: int
) -> HttpResponse:
    draft = selectors.rule_pack_draft_get(code=code, number=number)
    try:
        services.rule_pack_draft_approve_override(draft=draft, user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Override approved: the draft can now be activated.")
        )
    return redirect(_draft_url(draft))


@admin_only
@require_POST
def rule_pack_draft_discard(
    request: HttpRequest, code: str, number: int
) -> HttpResponse:
    draft = selectors.rule_pack_draft_get(code=code, number=number)
    try:
        services.rule_pack_draft_discard(draft=draft, user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(_draft_url(draft))
    messages.success(request, _("Draft discarded; it stays in the list."))
    return redirect("configuration:rule-pack", code=code)


@admin_only
def holiday_list(request: HttpRequest) -> HttpResponse:
    form = forms.HolidayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        holiday_save(**form.cleaned_data, user=request.user)
        messages.success(request, _("Holiday override saved."))
        return redirect("configuration:holidays")
    return render(
        request,
        "configuration/holiday_list.html",
        {"form": form, "holidays": HolidayOverride.objects.all()},
    )
