"""Rule-pack drafts: saved without touching the live pack, simulated against the
portfolio through the sweep's own dry run with the draft pack in the gate (writing
nothing, and equal to what the sweep does once the draft is activated), activated
through rule_pack_update (a new version with history), refused when stale, and
admins only."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calls.models import CallTask
from compliance.models import HolidayOverride, RulePack
from compliance.services import contact_attempt_record_external, rule_pack_update
from configuration import selectors, services
from configuration.models import RulePackDraft
from core.errors import ApplicationError, ConflictError
from escalation.models import WorkItem
from escalation.sweep import _sweep_batch, escalation_simulate, escalation_sweep
from messaging.models import OutboundMessage
from tests.api import client_for
from tests.escalation.test_simulation import row_counts, step_counts

from .conftest import AT

pytestmark = pytest.mark.django_db

# The portfolio is swept at 10:00 in Shanghai: a window opening at 11:00 defers
# every SMS and call.
LATER_WINDOW = {"contact_window": {"start": "11:00"}}


def live_pack() -> RulePack:
    return RulePack.objects.get(code="cn")


def make_draft(user, parameters=None, reason="later mornings"):
    return services.rule_pack_draft_create(
        code="cn",
        parameters=LATER_WINDOW if parameters is None else parameters,
        user=user,
        reason=reason,
    )


def outcomes(simulation, side: int) -> dict:
    """label -> (created, deferred, blocked, no_template, reasons) of one side."""
    return {
        o.label: (o.created, o.deferred, o.blocked, o.no_template, o.reasons)
        for row in simulation.steps
        if (o := row[side]) is not None
    }


def report_outcomes(report) -> dict:
    return {
        label: (
            report.steps[label]["created"],
            report.steps[label]["deferred"],
            report.steps[label]["blocked"],
            report.steps[label]["no_template"],
            dict(report.step_reasons[label]),
        )
        for label in report.step_meta
    }


# --- drafts ---


def test_a_draft_is_saved_without_changing_the_live_pack(admin_user):
    before = live_pack()
    draft = make_draft(admin_user)
    after = live_pack()
    assert (after.version, after.parameters) == (before.version, before.parameters)
    assert draft.status == RulePackDraft.Status.DRAFT
    assert (draft.number, draft.base_version) == (1, before.version)
    # Complete parameters: the change merged over the live ones.
    assert draft.parameters["contact_window"]["start"] == "11:00"
    assert draft.parameters["contact_window"]["end"] == "22:00"
    assert draft.parameters["frequency_caps"] == before.parameters["frequency_caps"]
    assert draft.history.first().history_user == admin_user
    assert make_draft(admin_user).number == 2


@pytest.mark.parametrize(
    "parameters,field",
    [
        (
            {"contact_window": {"start": "21:00", "end": "08:00"}},
            "parameters.contact_window.end",
        ),
        (
            {"post_conversation_cooldown": {"days": 0}},
            "parameters.post_conversation_cooldown.days",
        ),
        ([], "parameters"),
    ],
)
def test_a_draft_is_validated_as_a_rule_pack_change_is(admin_user, parameters, field):
    """The same checks as rule_pack_update (rule_pack_validate): each refused the
    same way by both, and no draft is left."""
    errors = []
    for save in (
        lambda: make_draft(admin_user, parameters),
        lambda: rule_pack_update(
            code="cn", parameters=parameters, user=admin_user, reason="x"
        ),
    ):
        with pytest.raises(ApplicationError) as exc:
            save()
        errors.append(exc.value.errors)
    assert errors[0] == errors[1]
    assert field in errors[0]
    assert not RulePackDraft.objects.exists()


def test_a_draft_needs_a_reason(admin_user):
    with pytest.raises(ApplicationError) as exc:
        make_draft(admin_user, reason=" ")
    assert "reason" in exc.value.errors


# --- simulation ---


def test_a_narrower_window_blocks_more_contacts_and_writes_nothing(
    portfolio, admin_user
):
    draft = make_draft(admin_user)
    before = row_counts()
    with CaptureQueriesContext(connection) as queries:
        simulation = selectors.rule_pack_simulation(draft=draft, at=AT)
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert row_counts() == before
    assert live_pack().version == draft.base_version

    totals = {
        kind: (ours, theirs, diff) for kind, ours, theirs, diff in simulation.totals
    }
    # Live: the SMS rung texts the due cases; the draft defers every SMS to 11:00.
    assert totals["sms"][1] > 0
    assert totals["sms"][0] == 0
    assert totals["sms"][2] == -totals["sms"][1]
    # Email is not a windowed channel in the cn pack: unchanged.
    assert totals["email"][0] == totals["email"][1] > 0
    reasons = {r: (ours, theirs) for r, ours, theirs, _ in simulation.reasons}
    assert reasons["contact_window"][0] > reasons.get("contact_window", (0, 0))[1]
    # The cease-communication block does not depend on the window.
    assert reasons["cease_communication"][0] == reasons["cease_communication"][1]


def test_the_live_side_of_a_simulation_is_the_sweep_s_dry_run(portfolio, admin_user):
    draft = make_draft(admin_user)
    simulation = selectors.rule_pack_simulation(draft=draft, at=AT)
    dry = escalation_sweep(at=AT, dry_run=True)
    assert outcomes(simulation, 1) == report_outcomes(dry)


def test_the_simulation_is_what_the_sweep_does_after_activation(
    portfolio, live, admin_user
):
    draft = make_draft(admin_user)
    simulation = selectors.rule_pack_simulation(draft=draft, at=AT)
    services.rule_pack_draft_activate(draft=draft, user=admin_user)
    swept = escalation_sweep(at=AT)

    assert outcomes(simulation, 0) == report_outcomes(swept)
    assert sum(o.reasons.get("contact_window", 0) for o, _, _ in simulation.steps) > 0
    # And the figures are the rows the sweep wrote.
    for step in live.steps.all():
        label = f"standard v{live.version} #{step.order} {step.name}"
        created = swept.steps[label]["created"]
        if step.action in ("sms", "email"):
            assert OutboundMessage.objects.filter(step=step).count() == created
        elif step.action in ("supervisor_review", "legal_referral"):
            assert WorkItem.objects.filter(step=step).count() == created
        else:
            assert CallTask.objects.filter(step=step).count() == created


def test_a_draft_turning_the_holiday_blackout_on_is_simulated_as_swept(
    portfolio, live, admin_user
):
    """The live pack reads no holiday calendar (blackout off); the draft's calendar
    is read for the simulation, with the same overrides the gate applies."""
    HolidayOverride.objects.create(
        country="CN", date=AT.date(), is_holiday=True, name="test holiday"
    )
    draft = make_draft(admin_user, {"holiday_blackout": {"enabled": True}})
    simulation = selectors.rule_pack_simulation(draft=draft, at=AT)
    reasons = {r: (ours, theirs) for r, ours, theirs, _ in simulation.reasons}
    assert reasons["holiday_blackout"][0] > 0
    assert reasons["holiday_blackout"][1] == 0

    services.rule_pack_draft_activate(draft=draft, user=admin_user)
    swept = escalation_sweep(at=AT)
    assert outcomes(simulation, 0) == report_outcomes(swept)


def test_a_lower_cap_is_simulated_as_swept(portfolio, live, admin_user):
    # The case due for its call was already called, unanswered, an hour ago.
    case = portfolio["after_email"]
    phone = case.customer.contact_points.get(channel="phone")
    contact_attempt_record_external(
        customer=case.customer,
        channel="call",
        contact_value=phone.value,
        at=AT - dt.timedelta(hours=1),
        result="no_answer",
        source="test dialer",
    )
    caps = live_pack().parameters["frequency_caps"]
    draft = make_draft(admin_user, {"frequency_caps": [{**c, "max": 1} for c in caps]})
    overrides = {"cn": selectors.rule_pack_draft_pack(draft=draft)}
    simulated = escalation_simulate(policy=live, at=AT, pack_overrides=overrides)
    unchanged = escalation_simulate(policy=live, at=AT)
    assert (simulated.reasons["frequency_cap"], unchanged.reasons["frequency_cap"]) == (
        1,
        0,
    )

    services.rule_pack_draft_activate(draft=draft, user=admin_user)
    assert step_counts(simulated) == step_counts(escalation_sweep(at=AT))


def test_without_overrides_the_simulation_is_unchanged(portfolio, live, admin_user):
    """A draft equal to the live pack gives the live figures."""
    draft = make_draft(admin_user, {})
    same = escalation_simulate(
        policy=live,
        at=AT,
        pack_overrides={"cn": selectors.rule_pack_draft_pack(draft=draft)},
    )
    assert step_counts(same) == step_counts(escalation_simulate(policy=live, at=AT))


def test_a_draft_pack_never_reaches_a_writing_sweep(live, admin_user):
    draft = make_draft(admin_user)
    with pytest.raises(ValueError):
        _sweep_batch(
            step=live.steps.first(),
            previous=None,
            case_ids=[],
            at=AT,
            dry_run=False,
            report=None,
            pack_overrides={"cn": selectors.rule_pack_draft_pack(draft=draft)},
        )


# --- activation ---


def test_activation_bumps_the_version_and_keeps_history(admin_user):
    before = live_pack()
    draft = make_draft(admin_user)
    pack = services.rule_pack_draft_activate(draft=draft, user=admin_user)
    assert pack.version == before.version + 1
    assert pack.parameters == draft.parameters
    latest = pack.history.first()
    assert (latest.version, latest.history_user, latest.history_change_reason) == (
        pack.version,
        admin_user,
        "later mornings",
    )
    # The previous version stays, with its parameters, for audit.
    old = pack.history.filter(version=before.version).first() or before
    assert old.parameters["contact_window"]["start"] == "08:00"
    draft.refresh_from_db()
    assert (draft.status, draft.activated_version) == ("activated", pack.version)
    assert (
        draft.history.first().history_change_reason == f"activated as v{pack.version}"
    )
    with pytest.raises(ConflictError):
        services.rule_pack_draft_activate(draft=draft, user=admin_user)


def test_a_stale_draft_is_refused(admin_user):
    old = make_draft(admin_user)
    other = make_draft(admin_user, {"contact_window": {"end": "21:00"}})
    services.rule_pack_draft_activate(draft=other, user=admin_user)
    with pytest.raises(ConflictError) as exc:
        services.rule_pack_draft_activate(draft=old, user=admin_user)
    assert "make a new draft" in exc.value.message
    assert "base_version" in exc.value.errors
    assert live_pack().parameters["contact_window"]["start"] == "08:00"
    old.refresh_from_db()
    assert old.status == "draft"


def test_a_discarded_draft_stays_and_cannot_be_activated(admin_user):
    draft = make_draft(admin_user)
    services.rule_pack_draft_discard(draft=draft, user=admin_user)
    with pytest.raises(ConflictError):
        services.rule_pack_draft_activate(draft=draft, user=admin_user)
    assert RulePackDraft.objects.get(pk=draft.pk).status == "discarded"


# --- pages ---


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_the_rule_pack_page_saves_a_draft_and_links_to_it(admin_client):
    from .test_views import rule_pack_post

    pack = live_pack()
    response = admin_client.post(
        reverse("configuration:rule-pack", args=["cn"]),
        rule_pack_post(pack, window_start="09:00", reason="later mornings"),
    )
    draft = RulePackDraft.objects.get()
    assert response.url == reverse("configuration:rule-pack-draft", args=["cn", 1])
    assert live_pack().version == pack.version
    assert draft.parameters["contact_window"]["start"] == "09:00"
    page = admin_client.get(response.url).content.decode()
    assert "Contact window · Starts" in page and "09:00" in page
    listing = admin_client.get(reverse("configuration:rule-pack", args=["cn"]))
    assert "rule-pack-drafts" in listing.content.decode()
    packs = admin_client.get(reverse("configuration:rule-packs")).context["packs"]
    assert [(p.code, n) for p, n in packs if p.code == "cn"] == [("cn", 1)]


def test_the_simulation_partial_compares_the_draft_with_the_live_pack(
    admin_client, portfolio, admin_user
):
    draft = make_draft(admin_user)
    url = reverse("configuration:rule-pack-draft-simulate", args=["cn", draft.number])
    response = admin_client.get(
        url, {"at": AT.strftime("%Y-%m-%dT%H:%M")}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="simulation-result"' in html and "<html" not in html
    assert "With the draft" in html and "Outside the contact window" in html
    page = admin_client.get(url, {"at": AT.strftime("%Y-%m-%dT%H:%M")})
    assert "<html" in page.content.decode()


def test_activating_from_the_page_and_the_stale_message(admin_client, admin_user):
    first = make_draft(admin_user)
    second = make_draft(admin_user, {"contact_window": {"end": "21:00"}})
    response = admin_client.post(
        reverse("configuration:rule-pack-draft-activate", args=["cn", second.number]),
        follow=True,
    )
    assert "Activated as version" in response.content.decode()
    assert live_pack().version == second.base_version + 1
    page = admin_client.get(
        reverse("configuration:rule-pack-draft", args=["cn", first.number])
    ).content.decode()
    assert 'id="stale-draft"' in page
    response = admin_client.post(
        reverse("configuration:rule-pack-draft-activate", args=["cn", first.number]),
        follow=True,
    )
    assert "make a new draft from the live version" in response.content.decode()
    assert live_pack().parameters["contact_window"]["start"] == "08:00"


@pytest.mark.parametrize("role", ["collector", "supervisor"])
def test_collectors_and_supervisors_cannot_see_or_activate_drafts(
    client, request, admin_user, role
):
    user = request.getfixturevalue(role)
    draft = make_draft(admin_user)
    client.force_login(user)
    args = ["cn", draft.number]
    for name in ("rule-pack-draft", "rule-pack-draft-simulate"):
        assert (
            client.get(reverse(f"configuration:{name}", args=args)).status_code == 403
        )
    for name in ("rule-pack-draft-activate", "rule-pack-draft-discard"):
        assert (
            client.post(reverse(f"configuration:{name}", args=args)).status_code == 403
        )
    assert (
        client.post(reverse("configuration:rule-pack", args=["cn"])).status_code == 403
    )
    api = client_for(user)
    base = "/api/v1/rule-packs/cn/drafts/"
    assert api.get(base).status_code == 403
    assert (
        api.post(base, {"parameters": {}, "reason": "x"}, format="json").status_code
        == 403
    )
    assert api.get(f"{base}1/simulate/").status_code == 403
    assert api.post(f"{base}1/activate/").status_code == 403
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert RulePackDraft.objects.count() == 1


# --- API ---


def test_drafts_over_the_api(admin_user, portfolio):
    api = client_for(admin_user)
    before = live_pack().version
    response = api.post(
        "/api/v1/rule-packs/cn/drafts/",
        {"parameters": LATER_WINDOW, "reason": "later mornings"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["number"], body["base_version"], body["status"]) == (
        1,
        before,
        "draft",
    )
    assert live_pack().version == before

    listing = api.get("/api/v1/rule-packs/cn/drafts/").json()
    assert [d["number"] for d in listing["results"]] == [1]

    counts = row_counts()
    simulated = api.get(
        "/api/v1/rule-packs/cn/drafts/1/simulate/", {"at": AT.isoformat()}
    )
    assert simulated.status_code == 200
    assert row_counts() == counts
    totals = {t["kind"]: t for t in simulated.json()["totals"]}
    assert totals["sms"]["simulated"] == 0 < totals["sms"]["active"]
    assert simulated.json()["live_version"] == before

    activated = api.post("/api/v1/rule-packs/cn/drafts/1/activate/")
    assert activated.status_code == 200
    assert activated.json()["version"] == before + 1
    assert api.get("/api/v1/rule-packs/cn/drafts/1/").json()["status"] == "activated"
    assert api.post("/api/v1/rule-packs/cn/drafts/1/activate/").status_code == 409


def test_an_invalid_draft_over_the_api_is_400_naming_the_parameter(admin_user):
    caps = [{**live_pack().parameters["frequency_caps"][0], "max": 0}]
    response = client_for(admin_user).post(
        "/api/v1/rule-packs/cn/drafts/",
        {"parameters": {"frequency_caps": caps}, "reason": "tighter"},
        format="json",
    )
    assert response.status_code == 400
    assert "parameters.frequency_caps.0.max" in response.json()["errors"]
    assert not RulePackDraft.objects.exists()


def test_a_stale_draft_over_the_api_is_409(admin_user):
    api = client_for(admin_user)
    make_draft(admin_user)
    rule_pack_update(
        code="cn",
        parameters={"contact_window": {"end": "21:00"}},
        user=admin_user,
        reason="direct",
    )
    response = api.post("/api/v1/rule-packs/cn/drafts/1/activate/")
    assert response.status_code == 409
    assert "base_version" in response.json()["errors"]
