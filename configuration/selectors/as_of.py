"""The configuration as it stood at a past time, and the rule-pack version a
decision applied."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace

from django.http import Http404

from cases.models import EscalationPolicy, EscalationStep, WorkQueue
from compliance.models import HolidayOverride, RulePack
from messaging.models import MessageTemplate


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
