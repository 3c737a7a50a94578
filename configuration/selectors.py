"""Reads of the configuration pages: versions, simulations compared with the live
version, template previews, and the configuration as it stood at a past time."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db.models import Prefetch
from django.http import Http404
from django.utils.html import strip_tags

from cases.escalation import SweepReport, escalation_simulate
from cases.models import Case, EscalationPolicy, EscalationStep, Team, WorkQueue
from compliance.content import content_check
from compliance.models import HolidayOverride, RulePack
from compliance.packs import Pack, pack_from_row
from core.errors import ApplicationError
from messaging.models import MessageTemplate
from messaging.rendering import message_contexts, template_render, template_validate

from .models import RulePackDraft

# What a step's action creates, as the simulation reports it.
ACTION_KIND = {
    "sms": "sms",
    "email": "email",
    "letter": "letter",
    "call_task": "call",
    "supervisor_review": "review",
    "legal_referral": "legal",
}
KINDS = ["sms", "email", "letter", "call", "review", "legal"]


# --- policies ---


def policy_versions() -> dict[str, list[EscalationPolicy]]:
    rows = EscalationPolicy.objects.prefetch_related(
        Prefetch("steps", queryset=EscalationStep.objects.select_related("queue"))
    ).order_by("code", "-version")
    grouped: dict[str, list[EscalationPolicy]] = {}
    for row in rows:
        grouped.setdefault(row.code, []).append(row)
    return grouped


def policy_get(*, code: str, version: int) -> EscalationPolicy:
    policy = (
        EscalationPolicy.objects.select_related("activation_requested_by")
        .prefetch_related(
            Prefetch("steps", queryset=EscalationStep.objects.select_related("queue"))
        )
        .filter(code=code, version=version)
        .first()
    )
    if policy is None:
        raise Http404("No such policy version.")
    return policy


def policy_active(*, code: str) -> EscalationPolicy | None:
    return EscalationPolicy.objects.filter(
        code=code, status=EscalationPolicy.Status.ACTIVE
    ).first()


def policy_history(*, code: str):
    return (
        EscalationPolicy.history.filter(code=code)
        .select_related("history_user")
        .order_by("-history_date")[:50]
    )


@dataclass
class StepOutcome:
    order: int
    label: str
    action: str
    kind: str
    created: int = 0
    deferred: int = 0
    blocked: int = 0
    no_template: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


def _outcomes(report: SweepReport) -> dict[int, StepOutcome]:
    outcomes = {}
    for label, (order, action) in report.step_meta.items():
        counts = report.steps.get(label, Counter())
        outcomes[order] = StepOutcome(
            order=order,
            label=label,
            action=action,
            kind=ACTION_KIND.get(action, action),
            created=counts["created"],
            deferred=counts["deferred"],
            blocked=counts["blocked"],
            no_template=counts["no_template"],
            reasons=dict(report.step_reasons.get(label, {})),
        )
    return outcomes


def _totals(outcomes: dict[int, StepOutcome]) -> Counter:
    totals = Counter()
    for outcome in outcomes.values():
        totals[outcome.kind] += outcome.created
    return totals


@dataclass
class Simulation:
    policy: EscalationPolicy
    active: EscalationPolicy | None
    at: dt.datetime
    seconds: float
    steps: list[tuple[StepOutcome | None, StepOutcome | None, int]]
    totals: list[tuple[str, int, int, int]]  # kind, draft, active, difference
    reasons: list[tuple[str, int, int, int]]

    def as_dict(self) -> dict:
        def step(o: StepOutcome | None):
            return None if o is None else o.__dict__

        return {
            "policy": self.policy.code,
            "version": self.policy.version,
            "active_version": self.active.version if self.active else None,
            "at": self.at.isoformat(),
            "seconds": round(self.seconds, 3),
            "steps": [
                {"simulated": step(a), "active": step(b), "difference": d}
                for a, b, d in self.steps
            ],
            "totals": [
                {"kind": k, "simulated": a, "active": b, "difference": d}
                for k, a, b, d in self.totals
            ],
            "blocked_by_reason": [
                {"reason": r, "simulated": a, "active": b, "difference": d}
                for r, a, b, d in self.reasons
            ],
        }


def _signature(step: EscalationStep) -> tuple:
    """What decides a rung's figures (not its name, queue or priority)."""
    return (
        step.trigger,
        step.trigger_days,
        step.action,
        step.template_code,
        step.skip_while_promise,
        step.skip_while_plan,
    )


def policy_simulation(*, policy: EscalationPolicy, at: dt.datetime) -> Simulation:
    """Simulate `policy` at `at` and, when another version is live, the live one at
    the same time, step by step (matched by order). Writes nothing."""
    import time

    started = time.perf_counter()
    simulated = _outcomes(escalation_simulate(policy=policy, at=at))
    active = policy_active(code=policy.code)
    live = {}
    if active is not None and active.pk != policy.pk:
        ours = {s.order: s for s in policy.steps.all()}
        theirs = {s.order: s for s in active.steps.all()}
        known = set()
        if set(ours) == set(theirs):
            # Same rungs: cases stand on the same rung under either version, so a
            # rung defined alike gives the same figures; only the others are run.
            known = {o for o in ours if _signature(ours[o]) == _signature(theirs[o])}
        live = _outcomes(
            escalation_simulate(policy=active, at=at, orders=set(theirs) - known)
        )
        for order in known:
            live[order] = dataclasses.replace(
                simulated[order],
                label=f"{active.code} v{active.version} #{order} {theirs[order].name}",
            )
    seconds = time.perf_counter() - started
    orders = sorted(set(simulated) | set(live))
    ours, theirs = _totals(simulated), _totals(live)
    totals = [(k, ours[k], theirs[k], ours[k] - theirs[k]) for k in KINDS]
    reasons_ours, reasons_theirs = Counter(), Counter()
    for o in simulated.values():
        reasons_ours.update(o.reasons)
    for o in live.values():
        reasons_theirs.update(o.reasons)
    reasons = [
        (r, reasons_ours[r], reasons_theirs[r], reasons_ours[r] - reasons_theirs[r])
        for r in sorted(set(reasons_ours) | set(reasons_theirs))
    ]
    return Simulation(
        policy=policy,
        active=active if live else None,
        at=at,
        seconds=seconds,
        steps=[
            (
                simulated.get(o),
                live.get(o),
                (simulated[o].created if o in simulated else 0)
                - (live[o].created if o in live else 0),
            )
            for o in orders
        ],
        totals=totals,
        reasons=reasons,
    )


# --- templates ---


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


# --- rule packs, queues, teams ---


def rule_pack_get(*, code: str) -> RulePack:
    pack = RulePack.objects.filter(code=code).first()
    if pack is None:
        raise Http404("No such rule pack.")
    return pack


def rule_pack_history(*, code: str):
    return (
        RulePack.history.filter(code=code)
        .select_related("history_user")
        .order_by("-history_date")[:50]
    )


def rule_pack_list() -> list[tuple[RulePack, int]]:
    """Every pack with its number of open drafts (one query each)."""
    open_drafts = Counter(
        RulePackDraft.objects.filter(status=RulePackDraft.Status.DRAFT).values_list(
            "code", flat=True
        )
    )
    return [(p, open_drafts[p.code]) for p in RulePack.objects.order_by("code")]


def rule_pack_drafts(*, code: str):
    return (
        RulePackDraft.objects.filter(code=code)
        .select_related("created_by")
        .order_by("-number")
    )


def rule_pack_draft_get(*, code: str, number: int) -> RulePackDraft:
    draft = (
        RulePackDraft.objects.select_related("created_by")
        .filter(code=code, number=number)
        .first()
    )
    if draft is None:
        raise Http404("No such rule-pack draft.")
    return draft


def rule_pack_draft_history(*, draft: RulePackDraft):
    return draft.history.select_related("history_user").order_by("-history_date")


def rule_pack_draft_changes(
    *, draft: RulePackDraft, current: dict
) -> list[tuple[str, object, object]]:
    """(parameter path, live value, draft value) for each parameter that differs,
    lists shown as text."""
    changes: list[tuple[str, object, object]] = []

    def walk(path: str, live, ours) -> None:
        if isinstance(live, dict) and isinstance(ours, dict):
            for key in sorted(set(live) | set(ours)):
                walk(f"{path}.{key}" if path else key, live.get(key), ours.get(key))
        elif (
            isinstance(live, list) and isinstance(ours, list) and len(live) == len(ours)
        ):
            for i, (a, b) in enumerate(zip(live, ours, strict=True)):
                walk(f"{path}.{i}", a, b)
        elif live != ours:
            changes.append((path, _shown(live), _shown(ours)))

    walk("", current, draft.parameters)
    return changes


def _shown(value) -> object:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    return "—" if value is None else value


def rule_pack_draft_pack(*, draft: RulePackDraft) -> Pack:
    """The draft compiled as the version activation would make it."""
    return pack_from_row(
        code=draft.code, version=draft.base_version + 1, parameters=draft.parameters
    )


@dataclass
class RulePackSimulation:
    """The live escalation policies at `at` with the draft pack and with the live
    one; `steps`, `totals` and `reasons` in the shape of `Simulation` (draft first),
    so the page reuses the policy simulation's table."""

    draft: RulePackDraft
    live_version: int
    at: dt.datetime
    seconds: float
    steps: list[tuple[StepOutcome | None, StepOutcome | None, int]]
    totals: list[tuple[str, int, int, int]]
    reasons: list[tuple[str, int, int, int]]

    @property
    def active(self) -> bool:
        # The partial shows the comparison columns when there is a live side.
        return True

    def as_dict(self) -> dict:
        def step(o: StepOutcome | None):
            return None if o is None else o.__dict__

        return {
            "rule_pack": self.draft.code,
            "draft": self.draft.number,
            "base_version": self.draft.base_version,
            "live_version": self.live_version,
            "at": self.at.isoformat(),
            "seconds": round(self.seconds, 3),
            "steps": [
                {"simulated": step(a), "active": step(b), "difference": d}
                for a, b, d in self.steps
            ],
            "totals": [
                {"kind": k, "simulated": a, "active": b, "difference": d}
                for k, a, b, d in self.totals
            ],
            "blocked_by_reason": [
                {"reason": r, "simulated": a, "active": b, "difference": d}
                for r, a, b, d in self.reasons
            ],
        }


def rule_pack_simulation(
    *, draft: RulePackDraft, at: dt.datetime
) -> RulePackSimulation:
    """What the live escalation policies' sweep at `at` would create and block with
    the draft's parameters in place of the live pack, next to what it does with the
    live pack. Both are the sweep's own dry run (`escalation_simulate` of each live
    policy, the gate given the draft through `pack_overrides`); writes nothing."""
    import time

    started = time.perf_counter()
    overrides = {draft.code: rule_pack_draft_pack(draft=draft)}
    live_row = RulePack.objects.filter(code=draft.code).first()
    ours: dict[tuple[str, int], StepOutcome] = {}
    theirs: dict[tuple[str, int], StepOutcome] = {}
    policies = EscalationPolicy.objects.filter(
        status=EscalationPolicy.Status.ACTIVE
    ).order_by("code")
    for policy in policies:
        with_draft = escalation_simulate(policy=policy, at=at, pack_overrides=overrides)
        live = escalation_simulate(policy=policy, at=at)
        for order, outcome in _outcomes(with_draft).items():
            ours[(policy.code, order)] = outcome
        for order, outcome in _outcomes(live).items():
            theirs[(policy.code, order)] = outcome
    seconds = time.perf_counter() - started
    keys = sorted(set(ours) | set(theirs))
    totals_ours, totals_theirs = _totals(ours), _totals(theirs)
    reasons_ours, reasons_theirs = Counter(), Counter()
    for o in ours.values():
        reasons_ours.update(o.reasons)
    for o in theirs.values():
        reasons_theirs.update(o.reasons)
    return RulePackSimulation(
        draft=draft,
        live_version=live_row.version if live_row is not None else 0,
        at=at,
        seconds=seconds,
        steps=[
            (
                ours.get(k),
                theirs.get(k),
                (ours[k].created if k in ours else 0)
                - (theirs[k].created if k in theirs else 0),
            )
            for k in keys
        ],
        totals=[
            (k, totals_ours[k], totals_theirs[k], totals_ours[k] - totals_theirs[k])
            for k in KINDS
        ],
        reasons=[
            (r, reasons_ours[r], reasons_theirs[r], reasons_ours[r] - reasons_theirs[r])
            for r in sorted(set(reasons_ours) | set(reasons_theirs))
        ],
    )


def queue_list():
    return WorkQueue.objects.select_related("team").order_by("code")


def queue_get(*, code: str) -> WorkQueue:
    queue = WorkQueue.objects.filter(code=code).first()
    if queue is None:
        raise Http404("No such queue.")
    return queue


def team_list():
    return Team.objects.prefetch_related("supervisors", "members", "queues")


def team_get(*, name: str) -> Team:
    team = Team.objects.filter(name=name).first()
    if team is None:
        raise Http404("No such team.")
    return team


# --- as of a date ---


@dataclass
class ConfigurationAsOf:
    at: dt.datetime
    policies: list  # (historical policy, [historical steps])
    templates: list
    rule_packs: list
    queues: list
    holidays: list


def configuration_as_of(*, at: dt.datetime) -> ConfigurationAsOf:
    """What was live at `at`, from the history tables: the active policy versions
    with their steps, active templates, rule-pack versions (the parameters a decision
    citing that version applied), queues and holiday overrides."""
    policies = [
        p
        for p in EscalationPolicy.history.as_of(at)
        if p.status == EscalationPolicy.Status.ACTIVE
    ]
    steps: dict[int, list] = {}
    for step in EscalationStep.history.as_of(at):
        steps.setdefault(step.policy_id, []).append(step)
    return ConfigurationAsOf(
        at=at,
        policies=[
            (p, sorted(steps.get(p.pk, []), key=lambda s: s.order)) for p in policies
        ],
        templates=[
            t
            for t in MessageTemplate.history.as_of(at)
            if t.status == MessageTemplate.Status.ACTIVE
        ],
        rule_packs=list(RulePack.history.as_of(at)),
        queues=list(WorkQueue.history.as_of(at)),
        holidays=list(HolidayOverride.history.as_of(at)),
    )


def team_get_or_error(*, name: str) -> Team:
    """For API input: an unknown team is a 400 naming the field, not a 404."""
    team = Team.objects.filter(name=name).first()
    if team is None:
        raise ApplicationError("No such team.", errors={"team": [f"No team {name!r}."]})
    return team


@dataclass
class DecisionRules:
    decision: object
    rule_pack: object  # the pack version the decision cites (its `parameters`)
    shipped: bool = False  # no saved version: the shipped defaults are shown


def decision_rules(*, decision_id: int) -> DecisionRules:
    """A decision with the exact rule-pack version it applied (its parameters)."""
    from compliance.models import Decision

    decision = Decision.objects.filter(pk=decision_id).first()
    if decision is None:
        raise Http404("No such decision.")
    pack = (
        RulePack.history.filter(
            code=decision.rule_pack, version=decision.rule_pack_version
        )
        .order_by("-history_date")
        .first()
    )
    shipped = False
    if pack is None:
        # Installed by the data migration (which writes no history) and not changed
        # since, or changed later: the row itself, else the shipped defaults.
        row = RulePack.objects.filter(code=decision.rule_pack).first()
        if row is not None and row.version == decision.rule_pack_version:
            pack = row
        else:
            from compliance.packs import default_parameters

            pack = SimpleNamespace(parameters=default_parameters(decision.rule_pack))
            shipped = True
    return DecisionRules(decision=decision, rule_pack=pack, shipped=shipped)
