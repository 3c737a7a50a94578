"""Rule-pack drafts, the configuration app's own data: proposed parameters saved
against a pack's version, activated through compliance.services.rule_pack_update or
discarded.

The other writes of the configuration pages and API are their own apps' services:
policies in escalation.services, templates in messaging.services, queues and teams
in cases.services, rule packs and holiday overrides in compliance.services."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.floors import floor_breaches
from compliance.models import RulePack
from compliance.services import LegalOverride, rule_pack_update, rule_pack_validate
from core.errors import ApplicationError, ConflictError
from core.history import change_reason, history_save

from .models import RulePackDraft


def rule_pack_draft_create(
    *, code: str, parameters: dict, user=None, reason: str, override_reason: str = ""
) -> RulePackDraft:
    """Save proposed parameters (merged over the pack's current ones, validated by
    `rule_pack_validate` as `rule_pack_update` validates them) as a draft against
    the current version. The live pack does not change.

    Parameters beyond the pack's legal floors are refused, naming each one, unless
    `override_reason` says why a legal review allows them; the draft then waits for
    a second admin's approval (`rule_pack_draft_approve_override`)."""
    if not reason or not reason.strip():
        raise ApplicationError(
            _("Say why the rule pack changes."), errors={"reason": [_("Required.")]}
        )
    override_reason = (override_reason or "").strip()
    with transaction.atomic():
        row = RulePack.objects.filter(code=code).first()
        merged = rule_pack_validate(
            code=code,
            parameters=parameters,
            current=row.parameters if row is not None else None,
        )
        breaches = floor_breaches(code, merged)
        if breaches and not override_reason:
            raise ApplicationError(
                _(
                    "Beyond the legal floor: %(path)s: %(message)s (%(citation)s). "
                    "Bring it within the law, or give the legal review's reason "
                    "for an override, which a second admin must approve."
                )
                % {
                    "path": breaches[0].path,
                    "message": breaches[0].message,
                    "citation": breaches[0].citation,
                },
                code="below_legal_floor",
                errors={
                    **{
                        f"parameters.{b.path}": [f"{b.message} ({b.citation})"]
                        for b in breaches
                    },
                    "override_reason": [
                        _("Required for parameters beyond the legal floor.")
                    ],
                },
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
            floor_breaches=[b.as_dict() for b in breaches],
            # An override of nothing would read as if the law had been set aside.
            override_reason=override_reason if breaches else "",
        )
        history_save(draft, reason=change_reason("draft created", reason), user=user)
    return draft


def _open_draft(draft: RulePackDraft) -> RulePackDraft:
    """The draft re-read under a row lock; refused unless it is still a draft."""
    current = RulePackDraft.objects.select_for_update().get(pk=draft.pk)
    if current.status != RulePackDraft.Status.DRAFT:
        status = current.get_status_display().lower()
        raise ConflictError(
            _("Draft %(n)s is %(status)s: make a new draft.")
            % {"n": current.number, "status": status},
            errors={"status": [_("Already %(result)s.") % {"result": status}]},
        )
    return current


def rule_pack_draft_approve_override(*, draft: RulePackDraft, user) -> RulePackDraft:
    """A second admin approves the draft's legal-review override. Its author may not:
    four eyes, as for plans and exception requests."""
    with transaction.atomic():
        draft = _open_draft(draft)
        if not draft.floor_breaches:
            message = _(
                "This draft stays within the legal floors: there is no override "
                "to approve."
            )
            raise ConflictError(
                message, code="no_override", errors={"override_reason": [message]}
            )
        if draft.override_approved_by_id is not None:
            message = _("The override is already approved.")
            raise ConflictError(
                message,
                code="override_approved",
                errors={"override_approved_by": [message]},
            )
        if user is None or user.pk == draft.created_by_id:
            raise ApplicationError(
                _(
                    "A second admin must approve the legal-review override, not "
                    "its author (four eyes)."
                ),
                code="permission_denied",
                status=403,
            )
        draft.override_approved_by = user
        draft.override_approved_at = timezone.now()
        history_save(draft, reason="legal-review override approved", user=user)
    return draft


def rule_pack_draft_activate(*, draft: RulePackDraft, user=None) -> RulePack:
    """Make the draft's parameters live through `rule_pack_update` (a new version of
    the pack, with the draft's reason in its history). Refused when the pack has
    changed since the draft was made: its parameters were merged over a version that
    is no longer live; and, for a draft beyond the legal floors, until a second admin
    has approved its override (`rule_pack_update` checks the floors again)."""
    with transaction.atomic():
        draft = _open_draft(draft)
        row = RulePack.objects.select_for_update().filter(code=draft.code).first()
        live_version = row.version if row is not None else 0
        if live_version != draft.base_version:
            raise ConflictError(
                _(
                    "The %(code)s pack is at version %(live)s since this draft was "
                    "made on version %(base)s: make a new draft from the live version."
                )
                % {
                    "code": draft.code,
                    "live": live_version,
                    "base": draft.base_version,
                },
                code="stale_draft",
                errors={
                    "base_version": [
                        _("The pack moved from v%(base)s to v%(live)s.")
                        % {"base": draft.base_version, "live": live_version}
                    ]
                },
            )
        if draft.needs_override_approval:
            message = _(
                "Draft %(n)s goes beyond the legal floor: a second admin must "
                "approve its legal-review override before it can be activated."
            ) % {"n": draft.number}
            raise ConflictError(
                message,
                code="override_not_approved",
                errors={"override_approved_by": [message]},
            )
        override = (
            LegalOverride(
                reason=draft.override_reason,
                requested_by=draft.created_by,
                approved_by=draft.override_approved_by,
            )
            if draft.override_reason
            else None
        )
        pack = rule_pack_update(
            code=draft.code,
            parameters=draft.parameters,
            user=user,
            reason=draft.reason,
            legal_override=override,
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
