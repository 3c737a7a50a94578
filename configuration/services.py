"""Rule-pack drafts, the configuration app's own data: proposed parameters saved
against a pack's version, activated through compliance.services.rule_pack_update or
discarded.

The other writes of the configuration pages and API are their own apps' services:
policies in escalation.services, templates in messaging.services, queues and teams
in cases.services, rule packs and holiday overrides in compliance.services."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from compliance.models import RulePack
from compliance.services import rule_pack_update, rule_pack_validate
from core.errors import ApplicationError, ConflictError
from core.history import change_reason, history_save

from .models import RulePackDraft


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
        history_save(draft, reason=change_reason("draft created", reason), user=user)
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
        history_save(draft, reason=change_reason("discarded", reason), user=user)
    return draft
