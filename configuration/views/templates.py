"""The message template pages: versions, a draft edited with live preview and lint,
activation."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.roles import Role, role_required
from messaging import services as messaging
from messaging.models import MessageTemplate

from .. import forms, selectors

admin_only = role_required(Role.ADMIN)


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
                saved = messaging.template_draft_create(
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
                saved = messaging.template_draft_update(
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
        messaging.template_activate(template=template, user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        for field, problems in exc.errors.items():
            for problem in problems:
                messages.error(request, f"{field}: {problem}")
    else:
        messages.success(request, _("Template activated."))
    return redirect(_template_url(template))
