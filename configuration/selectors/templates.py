"""Reads of the template pages: versions, one version, its history, and the live
preview (a sample case rendered, variable errors and the content lint)."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

from django.http import Http404
from django.utils.html import strip_tags

from cases.models import Case
from cases.services.self_service import self_service_url
from compliance.content import content_check
from core.errors import ApplicationError
from messaging.models import MessageTemplate
from messaging.rendering import message_contexts, template_render, template_validate


def template_versions():
    return MessageTemplate.objects.order_by("code", "channel", "language", "-version")


def template_get(*, code: str, channel: str, language: str, version: int):
    template = MessageTemplate.objects.filter(
        code=code, channel=channel, language=language, version=version
    ).first()
    if template is None:
        raise Http404("No such template version.")
    return template


def template_history(*, code: str, channel: str, language: str):
    return (
        MessageTemplate.history.filter(code=code, channel=channel, language=language)
        .select_related("history_user")
        .order_by("-history_date")[:50]
    )


@dataclass
class Preview:
    case: Case | None
    subject: str = ""
    body: str = ""
    html_body: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)
    findings: list[tuple[str, str]] = field(default_factory=list)  # field, message

    @property
    def clean(self) -> bool:
        return not self.errors and not self.findings


def _sample_case(reference: str) -> Case | None:
    cases = Case.objects.select_related("customer")
    if reference:
        return cases.filter(reference=reference).first()
    return cases.filter(status=Case.Status.OPEN).order_by("pk").first()


def template_preview(
    *, subject: str, body: str, html_body: str, language: str, case_reference: str = ""
) -> Preview:
    """The template rendered for a sample case, its variable errors, and what the
    content lint finds in each field: what `template_check` would refuse."""
    case = _sample_case(case_reference)
    preview = Preview(case=case)
    try:
        template_validate(subject=subject, body=body, html_body=html_body)
    except ApplicationError as exc:
        preview.errors = exc.errors
    for name, text in (
        ("subject", subject),
        ("body", body),
        ("html_body", strip_tags(html_body)),
    ):
        for finding in content_check(text, language).findings:
            preview.findings.append(
                (
                    name,
                    f"{finding.message(language)} “{finding.text}” "
                    f"({finding.citation})",
                )
            )
    if preview.errors or case is None:
        return preview
    sample = SimpleNamespace(
        customer_id=case.customer_id, case=case, customer=case.customer
    )
    context = message_contexts([sample])[case.customer_id]
    # A preview issues no link: it shows what one looks like.
    context["self_service_link"] = self_service_url("xxxxxxxxxxxx")
    rendered = template_render(
        template=SimpleNamespace(subject=subject, body=body, html_body=html_body),
        context=context,
    )
    preview.subject, preview.body, preview.html_body = (
        rendered.subject,
        rendered.body,
        rendered.html_body,
    )
    return preview
