"""Writes of the configuration pages and API that have no home service yet: message
template drafts, rule-pack drafts, queues, teams and holiday overrides. Policies are
changed through cases.policies, rule packs through compliance.services.rule_pack_update
(which activating a rule-pack draft calls) and template activation through
messaging.services.template_activate."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from cases.models import Team, WorkQueue
from cases.services import queue_criteria_q
from compliance.models import HolidayOverride, RulePack
from compliance.services import rule_pack_update, rule_pack_validate
from core.errors import ApplicationError, ConflictError
from core.history import history_save
from messaging.models import MessageTemplate
from messaging.rendering import template_validate

from .models import RulePackDraft


def _reason(what: str, why: str) -> str:
    why = (why or "").strip()
    return f"{what}: {why}"[:100] if why else what


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
    again at activation (messaging.services.template_check)."""
    if channel not in MessageTemplate.Channel.values:
        raise ApplicationError(
            "Unknown channel.", errors={"channel": ["Use one of sms, email, letter."]}
        )
    if not body.strip():
        raise ApplicationError("A body is required.", errors={"body": ["Required."]})
    if channel == MessageTemplate.Channel.EMAIL and not subject.strip():
        raise ApplicationError(
            "An email needs a subject.", errors={"subject": ["Required for email."]}
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
        history_save(template, reason=_reason("draft created", reason), user=user)
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
            f"Version {template.version} is {template.status}: save a new version.",
            errors={"status": ["Only drafts change."]},
        )
    if not body.strip():
        raise ApplicationError("A body is required.", errors={"body": ["Required."]})
    template_validate(subject=subject, body=body, html_body=html_body)
    with transaction.atomic():
        template = MessageTemplate.objects.select_for_update().get(pk=template.pk)
        template.subject, template.body, template.html_body = subject, body, html_body
        history_save(template, reason=_reason("draft edited", reason), user=user)
    return template


def queue_save(
    *, queue: WorkQueue | None = None, user=None, reason: str = "", **fields
) -> WorkQueue:
    """Create or change a work queue; criteria are checked with the same parser the
    delinquency refresh uses to route cases."""
    queue_criteria_q(fields.get("criteria") or {})
    with transaction.atomic():
        if queue is None:
            if WorkQueue.objects.filter(code=fields.get("code")).exists():
                raise ConflictError(
                    "That code is taken.", errors={"code": ["Already used."]}
                )
            queue = WorkQueue()
        for name, value in fields.items():
            setattr(queue, name, value)
        history_save(queue, reason=reason or "edited in configuration", user=user)
    return queue


def team_save(
    *,
    team: Team | None = None,
    name: str,
    supervisors,
    members,
    user=None,
) -> Team:
    with transaction.atomic():
        team = team or Team()
        team.name = name
        history_save(team, reason="edited in configuration", user=user)
        team.supervisors.set(supervisors)
        team.members.set(members)
    return team


def holiday_save(
    *, country: str, date, is_holiday: bool, name: str = "", user=None
) -> HolidayOverride:
    with transaction.atomic():
        row = HolidayOverride.objects.filter(country=country, date=date).first()
        row = row or HolidayOverride(country=country, date=date)
        row.is_holiday, row.name = is_holiday, name
        history_save(row, reason="edited in configuration", user=user)
    return row


# --- rule-pack drafts ---


def rule_pack_draft_create(
    *, code: str, parameters: dict, user=None, reason: str
) -> RulePackDraft:
    """Save proposed parameters (merged over the pack's current ones, validated by
    `rule_pack_validate` as `rule_pack_update` validates them) as a draft against
    the current version. The live pack does not change."""
    if not reason or not reason.strip():
        raise ApplicationError(
            "Say why the rule pack changes.", errors={"reason": ["Required."]}
        )
    with transaction.atomic():
        row = RulePack.objects.filter(code=code).first()
        merged = rule_pack_validate(
            code=code,
            parameters=parameters,
            current=row.parameters if row is not None else None,
        )
        # Lock the pack's drafts so two saves at once do not take the same number.
        latest = (
            RulePackDraft.objects.select_for_update()
            .filter(code=code)
            .aggregate(n=Max("number"))["n"]
        )
        draft = RulePackDraft(
            code=code,
            number=(latest or 0) + 1,
            base_version=row.version if row is not None else 0,
            parameters=merged,
            reason=reason.strip()[:100],
            created_by=user,
        )
        history_save(draft, reason=_reason("draft created", reason), user=user)
    return draft


def _open_draft(draft: RulePackDraft) -> RulePackDraft:
    """The draft re-read under a row lock; refused unless it is still a draft."""
    current = RulePackDraft.objects.select_for_update().get(pk=draft.pk)
    if current.status != RulePackDraft.Status.DRAFT:
        raise ConflictError(
            f"Draft {current.number} is {current.status}: make a new draft.",
            errors={"status": [f"Already {current.status}."]},
        )
    return current


def rule_pack_draft_activate(*, draft: RulePackDraft, user=None) -> RulePack:
    """Make the draft's parameters live through `rule_pack_update` (a new version of
    the pack, with the draft's reason in its history). Refused when the pack has
    changed since the draft was made: its parameters were merged over a version that
    is no longer live."""
    with transaction.atomic():
        draft = _open_draft(draft)
        row = RulePack.objects.select_for_update().filter(code=draft.code).first()
        live_version = row.version if row is not None else 0
        if live_version != draft.base_version:
            raise ConflictError(
                f"The {draft.code} pack is at version {live_version} since this draft "
                f"was made on version {draft.base_version}: make a new draft from "
                "the live version.",
                code="stale_draft",
                errors={
                    "base_version": [
                        f"The pack moved from v{draft.base_version} to v{live_version}."
                    ]
                },
            )
        pack = rule_pack_update(
            code=draft.code, parameters=draft.parameters, user=user, reason=draft.reason
        )
        draft.status = RulePackDraft.Status.ACTIVATED
        draft.activated_version = pack.version
        history_save(draft, reason=f"activated as v{pack.version}", user=user)
    return pack


def rule_pack_draft_discard(
    *, draft: RulePackDraft, user=None, reason: str = ""
) -> RulePackDraft:
    """Set a draft aside; it stays, with who discarded it, for the record."""
    with transaction.atomic():
        draft = _open_draft(draft)
        draft.status = RulePackDraft.Status.DISCARDED
        history_save(draft, reason=_reason("discarded", reason), user=user)
    return draft
