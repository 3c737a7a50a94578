"""Escalation policies as versioned configuration: drafts are edited, one version per
code is active, and activating a draft retires the version it replaces (kept for
audit and rollback). Every change goes through here, with history: the
configuration pages and the API (`escalation.apis`) both call these."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, EscalationPolicy, EscalationStep, WorkQueue
from core.errors import ApplicationError, ConflictError
from core.history import change_reason, history_save
from messaging.models import MessageTemplate

Action = EscalationStep.Action
Trigger = EscalationStep.Trigger
MESSAGE_ACTIONS = {Action.SMS, Action.EMAIL, Action.LETTER}
CONTACT_ACTIONS = {*MESSAGE_ACTIONS, Action.CALL_TASK}
OnUnusable = EscalationStep.OnUnusable


@dataclass(frozen=True)
class StepInput:
    order: int
    name: str
    trigger: str
    trigger_days: int
    action: str
    template: str = ""
    queue: str = ""
    priority: int = 0
    skip_while_promise: bool = True
    skip_while_plan: bool = True
    on_unusable: str = "skip"
    substitute_action: str = ""
    substitute_template: str = ""


def _validate_steps(steps: list[StepInput]) -> dict[str, WorkQueue]:
    """Field errors as steps[i].field; returns the queues the steps name."""
    errors: dict[str, list[str]] = {}

    def add(i: int, field: str, message: str) -> None:
        errors.setdefault(f"steps[{i}].{field}", []).append(message)

    if not steps:
        raise ApplicationError(
            _("A policy needs at least one step."),
            errors={"steps": [_("Add a step.")]},
        )
    queues = {
        q.code: q for q in WorkQueue.objects.filter(code__in={s.queue for s in steps})
    }
    templates = set(
        MessageTemplate.objects.filter(
            code__in={s.template for s in steps}
            | {s.substitute_template for s in steps}
        ).values_list("code", "channel")
    )
    seen_orders: set[int] = set()
    last_dpd = -1
    for i, step in enumerate(sorted(steps, key=lambda s: s.order)):
        if step.order < 1 or step.order in seen_orders:
            add(i, "order", _("Orders are positive and unique."))
        seen_orders.add(step.order)
        if step.trigger not in Trigger.values:
            add(
                i,
                "trigger",
                _("Use one of %(choices)s.") % {"choices": ", ".join(Trigger.values)},
            )
        if step.action not in Action.values:
            add(
                i,
                "action",
                _("Use one of %(choices)s.") % {"choices": ", ".join(Action.values)},
            )
        if step.trigger == Trigger.AFTER_PREVIOUS and i == 0:
            add(i, "trigger", _("The first step must be triggered by days past due."))
        if step.trigger == Trigger.AFTER_PREVIOUS and step.trigger_days < 1:
            add(i, "trigger_days", _("Wait at least one day after the previous step."))
        if step.trigger_days < 0:
            add(i, "trigger_days", _("Cannot be negative."))
        if step.trigger == Trigger.DPD:
            if step.trigger_days <= last_dpd:
                add(
                    i, "trigger_days", _("Days-past-due triggers must rise with order.")
                )
            last_dpd = step.trigger_days
        if step.action in MESSAGE_ACTIONS:
            if not step.template:
                add(i, "template", _("A message step needs a template."))
            elif (step.template, step.action) not in templates:
                add(
                    i,
                    "template",
                    _("No %(channel)s template %(code)r.")
                    % {"channel": step.action, "code": step.template},
                )
        if step.queue and step.queue not in queues:
            add(i, "queue", _("No work queue %(code)r.") % {"code": step.queue})
        _validate_fallback(step, templates, lambda f, m, i=i: add(i, f, m))
    if errors:
        raise ApplicationError(_("The policy's steps are not valid."), errors=errors)
    return queues


def _validate_fallback(step: StepInput, templates: set, add) -> None:
    """What a rung does when its channel is unusable for the customer (record 40)."""
    if step.on_unusable not in OnUnusable.values:
        add(
            "on_unusable",
            _("Use one of %(choices)s.") % {"choices": ", ".join(OnUnusable.values)},
        )
        return
    if step.on_unusable != OnUnusable.SUBSTITUTE:
        if step.substitute_action or step.substitute_template:
            add("substitute_action", _("Only a rung set to substitute names one."))
        return
    if step.action not in CONTACT_ACTIONS:
        add("on_unusable", _("Only a contacting rung can substitute a channel."))
        return
    if step.substitute_action not in CONTACT_ACTIONS:
        add(
            "substitute_action",
            _("Use one of %(choices)s.")
            % {"choices": ", ".join(sorted(CONTACT_ACTIONS))},
        )
    elif step.substitute_action == step.action:
        add("substitute_action", _("Substitute a different channel."))
    elif step.substitute_action in MESSAGE_ACTIONS:
        if not step.substitute_template:
            add("substitute_template", _("A substitute message needs a template."))
        elif (step.substitute_template, step.substitute_action) not in templates:
            add(
                "substitute_template",
                _("No %(channel)s template %(code)r.")
                % {"channel": step.substitute_action, "code": step.substitute_template},
            )
    elif step.substitute_template:
        add("substitute_template", _("A substitute call needs no template."))


def _write_steps(policy: EscalationPolicy, steps: list[StepInput], queues) -> None:
    policy.steps.all().delete()
    for step in sorted(steps, key=lambda s: s.order):
        EscalationStep.objects.create(
            policy=policy,
            order=step.order,
            name=step.name,
            trigger=step.trigger,
            trigger_days=step.trigger_days,
            action=step.action,
            template_code=step.template,
            queue=queues.get(step.queue),
            priority=step.priority,
            skip_while_promise=step.skip_while_promise,
            skip_while_plan=step.skip_while_plan,
            on_unusable=step.on_unusable,
            substitute_action=step.substitute_action,
            substitute_template_code=step.substitute_template,
        )


def _require_draft(policy: EscalationPolicy) -> None:
    if policy.status != EscalationPolicy.Status.DRAFT:
        raise ConflictError(
            _("Version %(version)s is %(status)s: create a new version to change it.")
            % {
                "version": policy.version,
                "status": policy.get_status_display().lower(),
            },
            errors={
                "status": [
                    _("Only drafts change; this one is %(status)s.")
                    % {"status": policy.get_status_display().lower()}
                ]
            },
        )


def policy_create(
    *,
    code: str,
    name: str,
    steps: list[StepInput],
    description: str = "",
    user=None,
    reason: str = "",
) -> EscalationPolicy:
    """A new draft version of the policy `code` (version 1 for a new code)."""
    with transaction.atomic():
        queues = _validate_steps(steps)
        latest = EscalationPolicy.objects.filter(code=code).aggregate(v=Max("version"))
        policy = EscalationPolicy(
            code=code,
            name=name,
            description=description,
            version=(latest["v"] or 0) + 1,
            status=EscalationPolicy.Status.DRAFT,
        )
        history_save(policy, reason=change_reason("draft created", reason), user=user)
        _write_steps(policy, steps, queues)
    return policy


def policy_update(
    *,
    policy: EscalationPolicy,
    name: str,
    steps: list[StepInput],
    description: str = "",
    user=None,
    reason: str = "",
) -> EscalationPolicy:
    with transaction.atomic():
        policy = EscalationPolicy.objects.select_for_update().get(pk=policy.pk)
        _require_draft(policy)
        queues = _validate_steps(steps)
        policy.name, policy.description = name, description
        # An edited draft is a different draft: any approval request starts over.
        policy.activation_requested_by = None
        policy.activation_requested_at = None
        history_save(policy, reason=change_reason("draft edited", reason), user=user)
        _write_steps(policy, steps, queues)
    return policy


def approval_required() -> bool:
    return bool(getattr(settings, "CONFIGURATION_ACTIVATION_APPROVAL", False))


def policy_activation_request(*, policy: EscalationPolicy, user) -> EscalationPolicy:
    """Ask a second admin to activate this draft (when approval is required)."""
    with transaction.atomic():
        policy = EscalationPolicy.objects.select_for_update().get(pk=policy.pk)
        _require_draft(policy)
        policy.activation_requested_by = user
        policy.activation_requested_at = timezone.now()
        history_save(policy, reason="activation requested", user=user)
    return policy


def policy_activate(
    *,
    policy: EscalationPolicy,
    user=None,
    approval_checked: bool = False,
    reason: str = "",
) -> EscalationPolicy:
    """Make a draft live; the version it replaces is retired (and stays, for audit
    and rollback: activate a copy of it to roll back). The default flag moves with
    the code.

    With settings.CONFIGURATION_ACTIVATION_APPROVAL, a draft goes live only when an
    admin other than the one who asked activates it. A rollback (`policy_rollback`)
    restores a version that was approved before and skips that step."""
    with transaction.atomic():
        policy = EscalationPolicy.objects.select_for_update().get(pk=policy.pk)
        _require_draft(policy)
        if approval_required() and not approval_checked:
            if policy.activation_requested_by_id is None:
                raise ConflictError(
                    _("A second admin must approve this activation: request it first."),
                    errors={"status": [_("Activation has not been requested.")]},
                )
            if user is not None and policy.activation_requested_by_id == user.pk:
                raise ConflictError(
                    _("You asked for this activation; another admin must approve it."),
                    errors={"status": [_("Approval must come from a second admin.")]},
                )
        current = (
            EscalationPolicy.objects.select_for_update()
            .filter(code=policy.code, status=EscalationPolicy.Status.ACTIVE)
            .first()
        )
        if current is not None:
            current.status = EscalationPolicy.Status.RETIRED
            policy.is_default = current.is_default
            current.is_default = False
            history_save(current, reason=f"retired by v{policy.version}", user=user)
            # Open cases move to the new version at the same rung (by order).
            _cases_move(old=current, new=policy)
        policy.status = EscalationPolicy.Status.ACTIVE
        history_save(policy, reason=change_reason("activated", reason), user=user)
    return policy


def stage_successors(
    *, old: Iterable[EscalationStep], new: Iterable[EscalationStep]
) -> dict[EscalationStep, EscalationStep | None]:
    """Where a case standing on each old rung stands on the new version: the new
    step with the highest order not above the old one's (None: before the first).
    Shared by activation and by the simulation of a draft."""
    new_steps = sorted(new, key=lambda s: s.order)
    successors = {}
    for step in old:
        below = [s for s in new_steps if s.order <= step.order]
        successors[step] = below[-1] if below else None
    return successors


def _cases_move(*, old: EscalationPolicy, new: EscalationPolicy) -> None:
    """Open cases on the old version continue on the new one from the same rung:
    the new step with the highest order not above the old one's, so nothing a case
    already received is sent again under a new step."""
    successors = stage_successors(old=old.steps.all(), new=new.steps.all())
    for step, target in successors.items():
        Case.objects.filter(stage=step).update(stage=target)
    Case.objects.filter(policy=old).update(policy=new)


def policy_delete(*, policy: EscalationPolicy) -> None:
    with transaction.atomic():
        _require_draft(policy)
        policy.delete()


def policy_inputs(policy: EscalationPolicy) -> list[StepInput]:
    """The steps of `policy` as inputs for a new version (copy, or edit and save)."""
    return [
        StepInput(
            order=s.order,
            name=s.name,
            trigger=s.trigger,
            trigger_days=s.trigger_days,
            action=s.action,
            template=s.template_code,
            queue=s.queue.code if s.queue_id else "",
            priority=s.priority,
            skip_while_promise=s.skip_while_promise,
            skip_while_plan=s.skip_while_plan,
            on_unusable=s.on_unusable,
            substitute_action=s.substitute_action,
            substitute_template=s.substitute_template_code,
        )
        for s in policy.steps.select_related("queue").order_by("order")
    ]


def policy_copy(*, policy: EscalationPolicy, user=None) -> EscalationPolicy:
    """A new draft with the content of `policy` (any version): how an admin starts
    changing the live version, or prepares a rollback."""
    draft = policy_create(
        code=policy.code,
        name=policy.name,
        description=policy.description,
        steps=policy_inputs(policy),
        user=user,
    )
    return draft


def policy_rollback(*, code: str, user=None, reason: str = "") -> EscalationPolicy:
    """Bring back the version that was live before the current one: a copy of the
    latest retired version is activated (a new version number, so the ledger's
    references and the retired rows stay as they were). `reason`, why, goes into
    the history with it."""
    previous = (
        EscalationPolicy.objects.filter(
            code=code, status=EscalationPolicy.Status.RETIRED
        )
        .order_by("-version")
        .first()
    )
    if previous is None:
        raise ConflictError(
            _("There is no earlier version to roll back to."),
            errors={"code": [_("%(code)r has no retired version.") % {"code": code}]},
        )
    with transaction.atomic():
        draft = policy_copy(policy=previous, user=user)
        return policy_activate(
            policy=draft,
            user=user,
            approval_checked=True,
            reason=f"rollback to v{previous.version}"
            + (f": {reason.strip()}" if reason and reason.strip() else ""),
        )
