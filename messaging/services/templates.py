"""Message templates: drafts (a new version per change, variables checked), and
activation, which runs the content check and retires the version it replaces.
The configuration pages and API call these; the Django admin checks and activates
through them too."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from compliance.content import content_check
from core.errors import ApplicationError, ConflictError
from core.history import change_reason, history_save

from ..models import MessageTemplate
from ..rendering import template_validate


def template_draft_create(
    *,
    code: str,
    channel: str,
    language: str,
    subject: str,
    body: str,
    html_body: str = "",
    user=None,
    reason: str = "",
) -> MessageTemplate:
    """A new draft version of the template (code, channel, language). Variables are
    checked now (an unknown one is refused, naming the field); the content lint runs
    again at activation (`template_check`)."""
    if channel not in MessageTemplate.Channel.values:
        raise ApplicationError(
            _("Unknown channel."),
            errors={
                "channel": [
                    _("Use one of %(choices)s.") % {"choices": "sms, email, letter"}
                ]
            },
        )
    if not body.strip():
        raise ApplicationError(
            _("A body is required."), errors={"body": [_("Required.")]}
        )
    if channel == MessageTemplate.Channel.EMAIL and not subject.strip():
        raise ApplicationError(
            _("An email needs a subject."),
            errors={"subject": [_("Required for email.")]},
        )
    template_validate(subject=subject, body=body, html_body=html_body)
    with transaction.atomic():
        latest = (
            MessageTemplate.objects.select_for_update()
            .filter(code=code, channel=channel, language=language)
            .aggregate(v=Max("version"))["v"]
        )
        template = MessageTemplate(
            code=code,
            channel=channel,
            language=language,
            version=(latest or 0) + 1,
            status=MessageTemplate.Status.DRAFT,
            subject=subject,
            body=body,
            html_body=html_body,
        )
        history_save(template, reason=change_reason("draft created", reason), user=user)
    return template


def template_draft_update(
    *,
    template: MessageTemplate,
    subject: str,
    body: str,
    html_body: str,
    user=None,
    reason: str = "",
) -> MessageTemplate:
    if template.status != MessageTemplate.Status.DRAFT:
        raise ConflictError(
            _("Version %(version)s is %(status)s: save a new version.")
            % {
                "version": template.version,
                "status": template.get_status_display().lower(),
            },
            errors={"status": [_("Only drafts change.")]},
        )
    if not body.strip():
        raise ApplicationError(
            _("A body is required."), errors={"body": [_("Required.")]}
        )
    template_validate(subject=subject, body=body, html_body=html_body)
    with transaction.atomic():
        template = MessageTemplate.objects.select_for_update().get(pk=template.pk)
        template.subject, template.body, template.html_body = subject, body, html_body
        history_save(template, reason=change_reason("draft edited", reason), user=user)
    return template


def template_check(*, subject: str, body: str, html_body: str, language: str) -> None:
    """A template may go live only with known variables and clean content: no threats,
    false consequences, impersonation or third-party exposure (compliance.content).
    Raises ApplicationError naming the field and quoting what was found."""
    template_validate(subject=subject, body=body, html_body=html_body)
    errors: dict[str, list[str]] = {}
    for field_name, text in (
        ("subject", subject),
        ("body", body),
        ("html_body", strip_tags(html_body)),
    ):
        for finding in content_check(text, language).findings:
            errors.setdefault(field_name, []).append(
                f"{finding.message(language)} “{finding.text}” ({finding.citation})"
            )
    if errors:
        raise ApplicationError(
            _("The template fails the content check."),
            code="content_prohibited",
            errors=errors,
        )


def template_activate(*, template: MessageTemplate, user=None) -> MessageTemplate:
    """Make `template` the live version for its code, channel and language; the one it
    replaces is retired (kept for audit). Refused when the content check fails."""
    template_check(
        subject=template.subject,
        body=template.body,
        html_body=template.html_body,
        language=template.language,
    )
    with transaction.atomic():
        live = MessageTemplate.objects.select_for_update().filter(
            code=template.code,
            channel=template.channel,
            language=template.language,
            status=MessageTemplate.Status.ACTIVE,
        )
        for old in live.exclude(pk=template.pk):
            old.status = MessageTemplate.Status.RETIRED
            history_save(
                old,
                reason=f"replaced by v{template.version}",
                user=user,
                update_fields=["status"],
            )
        template.status = MessageTemplate.Status.ACTIVE
        history_save(template, reason="activated", user=user)
    return template
