"""The escalation policy pages: versions, a draft edited as a form and a formset of
steps, simulation against the live version, activation (and its request), copy,
delete and rollback. Every write is an escalation.services call, the one the API
makes too."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.roles import Role, role_required
from escalation import selectors
from escalation import services as policies
from escalation.simulation import policy_simulation

from .. import forms

admin_only = role_required(Role.ADMIN)


def _policy_url(policy) -> str:
    return reverse("configuration:policy", args=[policy.code, policy.version])


# --- escalation policies ---


@admin_only
def policy_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "configuration/policy_list.html",
        {"groups": selectors.policy_versions()},
    )


def _policy_form_page(request, *, policy=None):
    """Create a draft (policy None) or edit one: the policy's fields and its
    ordered steps as a formset; the service validates the ladder."""
    initial = {}
    steps_initial = []
    if policy is not None:
        initial = {"code": policy.code, "name": policy.name,
                   "description": policy.description}  # fmt: skip
        steps_initial = [
            {
                "order": s.order,
                "name": s.name,
                "trigger": s.trigger,
                "trigger_days": s.trigger_days,
                "action": s.action,
                "template": s.template_code,
                "queue": s.queue.code if s.queue_id else "",
                "priority": s.priority,
                "skip_while_promise": s.skip_while_promise,
                "skip_while_plan": s.skip_while_plan,
                "on_unusable": s.on_unusable,
                "substitute_action": s.substitute_action,
                "substitute_template": s.substitute_template_code,
            }
            for s in policy.steps.all()
        ]
    if request.method == "POST":
        form = forms.PolicyForm(request.POST, initial=initial)
        formset = forms.StepFormSet(request.POST, prefix="steps", initial=steps_initial)
        if policy is not None:
            form.fields["code"].disabled = True
        if form.is_valid() and formset.is_valid():
            steps, step_forms = forms.steps_from(formset)
            data = form.cleaned_data
            try:
                if policy is None:
                    saved = policies.policy_create(
                        code=data["code"],
                        name=data["name"],
                        description=data["description"],
                        steps=steps,
                        user=request.user,
                        reason=data["reason"],
                    )
                else:
                    saved = policies.policy_update(
                        policy=policy,
                        name=data["name"],
                        description=data["description"],
                        steps=steps,
                        user=request.user,
                        reason=data["reason"],
                    )
            except ApplicationError as exc:
                forms.apply_step_errors(form, step_forms, exc)
            else:
                messages.success(request, _("Draft saved."))
                return redirect(_policy_url(saved))
    else:
        form = forms.PolicyForm(initial=initial)
        formset = forms.StepFormSet(prefix="steps", initial=steps_initial)
        if policy is not None:
            form.fields["code"].disabled = True
    return render(
        request,
        "configuration/policy_form.html",
        {"form": form, "formset": formset, "policy": policy},
    )


@admin_only
def policy_create(request: HttpRequest) -> HttpResponse:
    return _policy_form_page(request)


@admin_only
def policy_edit(request: HttpRequest, code: str, version: int) -> HttpResponse:
    policy = selectors.policy_get(code=code, version=version)
    if policy.status != policy.Status.DRAFT:
        messages.error(request, _("Only drafts change: make a new draft first."))
        return redirect(_policy_url(policy))
    return _policy_form_page(request, policy=policy)


@admin_only
def policy_detail(request: HttpRequest, code: str, version: int) -> HttpResponse:
    policy = selectors.policy_get(code=code, version=version)
    return render(
        request,
        "configuration/policy_detail.html",
        {
            "policy": policy,
            "active": selectors.policy_active(code=code),
            "history": selectors.policy_history(code=code),
            "simulate_form": forms.SimulateForm(
                initial={"at": forms.SimulateForm.default_at()}
            ),
            "approval_required": policies.approval_required(),
        },
    )


@admin_only
def policy_simulate(request: HttpRequest, code: str, version: int) -> HttpResponse:
    """GET with ?at=...: the simulation's table (an htmx partial, or the whole page
    without htmx). Writes nothing."""
    policy = selectors.policy_get(code=code, version=version)
    form = forms.SimulateForm(request.GET or None)
    simulation = None
    if form.is_valid():
        simulation = policy_simulation(policy=policy, at=form.cleaned_data["at"])
    template = (
        "configuration/_simulation.html"
        if request.htmx
        else "configuration/policy_simulation.html"
    )
    return render(
        request,
        template,
        {"policy": policy, "form": form, "simulation": simulation},
    )


def _policy_action(request, code, version, action, success):
    policy = selectors.policy_get(code=code, version=version)
    try:
        result = action(policy)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(_policy_url(policy))
    messages.success(request, success)
    return redirect(_policy_url(result or policy))


@admin_only
@require_POST
def policy_copy(request: HttpRequest, code: str, version: int) -> HttpResponse:
    return _policy_action(
        request,
        code,
        version,
        lambda p: policies.policy_copy(policy=p, user=request.user),
        _("New draft created: edit it, simulate it, then activate it."),
    )


@admin_only
@require_POST
def policy_activate(request: HttpRequest, code: str, version: int) -> HttpResponse:
    return _policy_action(
        request,
        code,
        version,
        lambda p: policies.policy_activate(
            policy=p, user=request.user, reason=request.POST.get("reason", "")[:80]
        ),
        _("Activated: the next sweep follows this version."),
    )


@admin_only
@require_POST
def policy_request(request: HttpRequest, code: str, version: int) -> HttpResponse:
    return _policy_action(
        request,
        code,
        version,
        lambda p: policies.policy_activation_request(policy=p, user=request.user),
        _("Activation requested: another admin must approve it."),
    )


@admin_only
@require_POST
def policy_delete(request: HttpRequest, code: str, version: int) -> HttpResponse:
    policy = selectors.policy_get(code=code, version=version)
    try:
        policies.policy_delete(policy=policy)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(_policy_url(policy))
    messages.success(request, _("Draft deleted."))
    return redirect("configuration:policies")


@admin_only
@require_POST
def policy_rollback(request: HttpRequest, code: str) -> HttpResponse:
    # Rolling back changes what every case's ladder does: it takes a stated reason
    # (the form also asks the browser to confirm).
    reason = request.POST.get("reason", "").strip()
    if not reason:
        messages.error(request, _("Say why you roll back: nothing was changed."))
        return redirect("configuration:policies")
    try:
        policy = policies.policy_rollback(
            code=code, user=request.user, reason=reason[:60]
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("configuration:policies")
    messages.success(
        request, _("Rolled back: version %(v)s is live.") % {"v": policy.version}
    )
    return redirect(_policy_url(policy))
