"""The admin's configuration pages: policies (edit drafts, simulate, activate, roll
back), message templates (edit with live preview and lint), rule packs, holidays,
queues, teams, and the configuration as of a past date. Admins only."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases import policies
from compliance.models import HolidayOverride
from core.errors import ApplicationError
from core.roles import Role, role_required
from messaging.models import MessageTemplate
from messaging.services import template_activate

from . import forms, selectors, services

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
        simulation = selectors.policy_simulation(
            policy=policy, at=form.cleaned_data["at"]
        )
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
    try:
        policy = policies.policy_rollback(code=code, user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("configuration:policies")
    messages.success(
        request, _("Rolled back: version %(v)s is live.") % {"v": policy.version}
    )
    return redirect(_policy_url(policy))


# --- message templates ---


@admin_only
def template_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "configuration/template_list.html",
        {"templates": selectors.template_versions()},
    )


def _template_url(t) -> str:
    return reverse(
        "configuration:template", args=[t.code, t.channel, t.language, t.version]
    )


def _template_page(request, *, template=None):
    initial = {}
    if template is not None:
        initial = {
            "code": template.code,
            "channel": template.channel,
            "language": template.language,
            "subject": template.subject,
            "body": template.body,
            "html_body": template.html_body,
        }
    form = forms.TemplateForm(request.POST or None, initial=initial)
    if template is not None:
        for name in ("code", "channel", "language"):
            form.fields[name].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if template is None or template.status != MessageTemplate.Status.DRAFT:
                saved = services.template_draft_create(
                    code=data["code"],
                    channel=data["channel"],
                    language=data["language"],
                    subject=data["subject"],
                    body=data["body"],
                    html_body=data["html_body"],
                    user=request.user,
                    reason=data["reason"],
                )
            else:
                saved = services.template_draft_update(
                    template=template,
                    subject=data["subject"],
                    body=data["body"],
                    html_body=data["html_body"],
                    user=request.user,
                    reason=data["reason"],
                )
        except ApplicationError as exc:
            forms.apply_errors(form, exc, {})
        else:
            messages.success(request, _("Draft saved."))
            return redirect(_template_url(saved))
    data = form.data if form.is_bound else initial
    preview = selectors.template_preview(
        subject=data.get("subject", ""),
        body=data.get("body", ""),
        html_body=data.get("html_body", ""),
        language=data.get("language") or (template.language if template else "zh-hans"),
        case_reference=data.get("sample_case", ""),
    )
    history = []
    if template is not None:
        history = selectors.template_history(
            code=template.code, channel=template.channel, language=template.language
        )
    return render(
        request,
        "configuration/template_form.html",
        {"form": form, "template": template, "preview": preview, "history": history},
    )


@admin_only
def template_create(request: HttpRequest) -> HttpResponse:
    return _template_page(request)


@admin_only
def template_edit(
    request: HttpRequest, code: str, channel: str, language: str, version: int
) -> HttpResponse:
    template = selectors.template_get(
        code=code, channel=channel, language=language, version=version
    )
    return _template_page(request, template=template)


@admin_only
@require_POST
def template_preview(request: HttpRequest) -> HttpResponse:
    """htmx: the live preview and lint of what is being typed. Writes nothing."""
    language = request.POST.get("language") or request.POST.get("preview_language")
    preview = selectors.template_preview(
        subject=request.POST.get("subject", ""),
        body=request.POST.get("body", ""),
        html_body=request.POST.get("html_body", ""),
        language=language or "zh-hans",
        case_reference=request.POST.get("sample_case", "").strip(),
    )
    return render(request, "configuration/_preview.html", {"preview": preview})


@admin_only
@require_POST
def template_activate_view(
    request: HttpRequest, code: str, channel: str, language: str, version: int
) -> HttpResponse:
    template = selectors.template_get(
        code=code, channel=channel, language=language, version=version
    )
    try:
        template_activate(template=template, user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        for field, problems in exc.errors.items():
            for problem in problems:
                messages.error(request, f"{field}: {problem}")
    else:
        messages.success(request, _("Template activated."))
    return redirect(_template_url(template))


# --- rule packs and holidays ---


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
            )
        except ApplicationError as exc:
            forms.apply_errors(form, exc, form.error_fields())
        else:
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
        services.holiday_save(**form.cleaned_data, user=request.user)
        messages.success(request, _("Holiday override saved."))
        return redirect("configuration:holidays")
    return render(
        request,
        "configuration/holiday_list.html",
        {"form": form, "holidays": HolidayOverride.objects.all()},
    )


# --- queues and teams ---


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
            services.queue_save(queue=queue, user=request.user, **fields)
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
        services.team_save(team=team, user=request.user, **form.cleaned_data)
        messages.success(request, _("Team saved."))
        return redirect("configuration:teams")
    return render(request, "configuration/team_form.html", {"form": form, "team": team})


# --- as of a date ---


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
