"""Simulating a policy version: the same selection and gate as the sweep, no writes,
and exactly what the sweep then does once the version is activated."""

import dataclasses

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from calls.models import CallTask
from escalation import services as policies
from escalation.models import WorkItem
from escalation.simulation import policy_simulation
from escalation.sweep import escalation_simulate, escalation_sweep
from messaging.models import OutboundMessage

from .conftest import AT, day

pytestmark = pytest.mark.django_db
DOMAIN_APPS = ("cases", "calls", "compliance", "messaging", "supervision")


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for app in DOMAIN_APPS
        if apps.is_installed(app)
        for model in apps.get_app_config(app).get_models()
    }


def step_counts(report) -> dict:
    return {
        label: (dict(report.steps.get(label, {})), dict(report.step_reasons[label]))
        for label in report.step_meta
    }


def test_a_simulation_writes_nothing(portfolio, draft):
    before = row_counts()
    with CaptureQueriesContext(connection) as queries:
        simulation = policy_simulation(policy=draft, at=AT)
    assert sum(simulation.totals[i][1] for i in range(len(simulation.totals))) > 0
    assert row_counts() == before
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    # Not even the cases' schedule moves.
    assert all(c.stage_id == portfolio[k].stage_id
               for k, c in ((k, type(v).objects.get(pk=v.pk))
                            for k, v in portfolio.items()))  # fmt: skip


def test_the_draft_simulation_is_what_the_sweep_does_after_activation(
    portfolio, draft, admin_user
):
    simulated = escalation_simulate(policy=draft, at=AT)
    policies.policy_activate(policy=draft, user=admin_user)
    swept = escalation_sweep(at=AT)

    assert step_counts(simulated) == step_counts(swept)
    assert simulated.reasons == swept.reasons
    # And the counts are the rows the sweep wrote.
    for step in draft.steps.all():
        label = f"standard v{draft.version} #{step.order} {step.name}"
        created = swept.steps[label]["created"]
        if step.action in ("sms", "email"):
            assert OutboundMessage.objects.filter(step=step).count() == created
        elif step.action in ("supervisor_review", "legal_referral"):
            assert WorkItem.objects.filter(step=step).count() == created
        else:
            assert CallTask.objects.filter(step=step).count() == created


def test_the_simulation_of_the_live_version_is_the_sweep_s_dry_run(portfolio, live):
    simulated = escalation_simulate(policy=live, at=AT)
    dry = escalation_sweep(at=AT, dry_run=True)
    assert step_counts(simulated) == step_counts(dry)
    real = escalation_sweep(at=AT)
    assert step_counts(simulated) == step_counts(real)


def test_the_simulation_names_what_changes_against_the_live_version(portfolio, draft):
    simulation = policy_simulation(policy=draft, at=AT)
    totals = {
        kind: (ours, theirs, diff) for kind, ours, theirs, diff in simulation.totals
    }
    # Live v1 texts every case at 1+ DPD on no rung; the draft waits for 3 DPD, so
    # the 1-DPD case gets nothing: one SMS fewer.
    sms_ours, sms_theirs, sms_diff = totals["sms"]
    assert sms_diff == sms_ours - sms_theirs == -1
    # The email waits 1 day instead of 2: the case texted on day 4 is emailed too.
    assert totals["email"][2] == 1
    assert simulation.active.version == 1
    reasons = {r: (ours, theirs) for r, ours, theirs, _ in simulation.reasons}
    assert reasons["cease_communication"] == (1, 1)
    first = simulation.steps[0]
    assert first[0].order == first[1].order == 1
    assert first[2] == first[0].created - first[1].created


def test_a_sweep_after_a_simulation_sends_each_action_once(
    portfolio, draft, admin_user
):
    policy_simulation(policy=draft, at=AT)
    policies.policy_activate(policy=draft, user=admin_user)
    first = escalation_sweep(at=AT)
    second = escalation_sweep(at=day(5, 11))
    assert first.created > 0
    assert second.created == 0


def test_the_comparison_reuses_unchanged_rungs_without_changing_the_figures(
    portfolio, live, admin_user
):
    # Only the SMS rung changes; the others are defined alike in both versions.
    steps = policies.policy_inputs(live)
    steps[0] = dataclasses.replace(steps[0], trigger_days=3, name="Later SMS")
    draft = policies.policy_create(
        code="standard", name="x", steps=steps, user=admin_user
    )
    simulation = policy_simulation(policy=draft, at=AT)
    full = escalation_simulate(policy=live, at=AT)
    live_figures = {
        order: (full.steps[label]["created"], dict(full.step_reasons[label]))
        for label, (order, _) in full.step_meta.items()
    }
    compared = {
        theirs.order: (theirs.created, theirs.reasons)
        for _, theirs, _ in simulation.steps
    }
    assert compared == live_figures
    assert simulation.steps[0][2] == -1


def test_a_simulation_reports_rungs_it_would_skip(portfolio, live):
    """The case with no phone cannot get the SMS rung: skipped, not blocked."""
    from escalation.simulation import step_outcomes

    outcomes = step_outcomes(escalation_simulate(policy=live, at=AT))
    assert outcomes[1].skipped == 1
    assert "invalid_contact_point" in outcomes[1].reasons
