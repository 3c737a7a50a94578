"""The configuration pages: admins only, drafts with clear validation messages,
simulation, activation, rollback, templates with preview and lint, rule packs,
queues, teams and the configuration as of a past date."""

import datetime as dt
import re

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from cases.models import EscalationPolicy, Team, WorkQueue
from compliance.models import RulePack
from escalation import services as policies
from messaging.models import MessageTemplate
from tests.cases.factories import UserFactory

from .conftest import AT

pytestmark = pytest.mark.django_db


def step_post(rows, **policy):
    data = {
        "code": "standard",
        "name": "Standard",
        "description": "",
        "steps-TOTAL_FORMS": str(len(rows)),
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
        **policy,
    }
    for i, row in enumerate(rows):
        defaults = {"priority": "0", "skip_while_promise": "on", "template": "",
                    "queue": ""}  # fmt: skip
        for key, value in {**defaults, **row}.items():
            data[f"steps-{i}-{key}"] = value
    return data


SMS = {"order": "1", "name": "SMS", "trigger": "dpd", "trigger_days": "3",
       "action": "sms", "template": "overdue-sms"}  # fmt: skip
CALL = {"order": "2", "name": "Call", "trigger": "dpd", "trigger_days": "10",
        "action": "call_task"}  # fmt: skip


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


PAGES = [
    ("configuration:policies", []),
    ("configuration:policy-create", []),
    ("configuration:templates", []),
    ("configuration:template-create", []),
    ("configuration:rule-packs", []),
    ("configuration:rule-pack", ["cn"]),
    ("configuration:holidays", []),
    ("configuration:queues", []),
    ("configuration:queue-create", []),
    ("configuration:teams", []),
    ("configuration:team-create", []),
    ("configuration:as-of", []),
    ("configuration:arrangement-terms", []),
]


@pytest.mark.parametrize("name,args", PAGES)
def test_collectors_and_supervisors_cannot_open_configuration_pages(
    client, collector, supervisor, name, args
):
    for user in (collector, supervisor):
        client.force_login(user)
        assert client.get(reverse(name, args=args)).status_code == 403


def test_a_supervisor_cannot_activate_a_draft(client, supervisor, draft):
    client.force_login(supervisor)
    url = reverse("configuration:policy-activate", args=["standard", draft.version])
    assert client.post(url).status_code == 403
    draft.refresh_from_db()
    assert draft.status == "draft"


@pytest.mark.parametrize("name,args", PAGES)
def test_every_page_opens_for_an_admin(admin_client, live, name, args):
    assert admin_client.get(reverse(name, args=args)).status_code == 200


def test_the_admin_home_links_to_every_section(admin_client):
    page = admin_client.get(reverse("home-admin")).content.decode()
    for name, args in PAGES[:1] + PAGES[2:3] + PAGES[6:8]:
        assert reverse(name, args=args) in page


def test_a_new_policy_is_saved_as_a_draft(admin_client, live):
    response = admin_client.post(
        reverse("configuration:policy-create"), step_post([SMS, CALL])
    )
    assert response.status_code == 302
    draft = EscalationPolicy.objects.get(code="standard", version=2)
    assert draft.status == "draft"
    assert [s.action for s in draft.steps.all()] == ["sms", "call_task"]
    assert draft.history.first().history_user.username == "admin"


def test_overlapping_dpd_triggers_are_refused_on_the_step(admin_client, live):
    overlapping = {**CALL, "trigger_days": "3"}
    response = admin_client.post(
        reverse("configuration:policy-create"), step_post([SMS, overlapping])
    )
    assert response.status_code == 200
    assert "Days-past-due triggers must rise with order." in response.content.decode()
    assert not EscalationPolicy.objects.filter(version=2).exists()


def test_a_message_step_without_a_template_is_refused(admin_client, live):
    response = admin_client.post(
        reverse("configuration:policy-create"),
        step_post([{**SMS, "template": ""}]),
    )
    assert "A message step needs a template." in response.content.decode()


def test_only_drafts_can_be_edited(admin_client, live):
    url = reverse("configuration:policy-edit", args=["standard", live.version])
    response = admin_client.get(url)
    assert response.status_code == 302


def test_a_draft_is_edited_in_place(admin_client, draft):
    url = reverse("configuration:policy-edit", args=["standard", draft.version])
    response = admin_client.post(
        url, step_post([SMS], name="Renamed", **{"code": "ignored"})
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.name == "Renamed"
    assert [s.trigger_days for s in draft.steps.all()] == [3]


def test_untouched_steps_of_a_draft_are_kept_when_another_changes(admin_client, draft):
    url = reverse("configuration:policy-edit", args=["standard", draft.version])
    form = admin_client.get(url).context["formset"]
    data = step_post(
        [
            {**f.initial, "skip_while_promise": "on", "skip_while_plan": "on"}
            for f in form.forms
            if f.initial
        ]  # fmt: skip
        + [{}]
    )
    data["steps-INITIAL_FORMS"] = str(draft.steps.count())
    data["steps-0-trigger_days"] = "5"
    for key in [k for k in data if k.startswith("steps-4-")]:
        del data[key]
    data["steps-4-priority"] = "0"
    data["steps-4-skip_while_promise"] = "on"
    data["steps-4-skip_while_plan"] = "on"
    data["steps-4-trigger"] = "dpd"
    data["steps-4-action"] = "sms"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["formset"].errors
    draft.refresh_from_db()
    assert [(s.order, s.trigger_days) for s in draft.steps.all()] == [
        (1, 5), (2, 1), (3, 3), (4, 60)
    ]  # fmt: skip


def test_the_simulation_partial_compares_with_the_live_version(
    admin_client, portfolio, draft
):
    url = reverse("configuration:policy-simulate", args=["standard", draft.version])
    response = admin_client.get(
        url, {"at": AT.strftime("%Y-%m-%dT%H:%M")}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert "Compared with the live v1" in body
    assert "Cease-communication request" in body


def test_activation_then_rollback_keeps_every_version(admin_client, live, draft):
    url = reverse("configuration:policy-activate", args=["standard", draft.version])
    admin_client.post(url, {"reason": "SMS later, per complaint review"})
    live.refresh_from_db()
    draft.refresh_from_db()
    assert (live.status, draft.status) == ("retired", "active")
    assert draft.is_default
    latest = draft.history.first()
    assert (latest.history_user.username, latest.history_change_reason) == (
        "admin",
        "activated: SMS later, per complaint review",
    )
    assert live.history.first().history_change_reason == "retired by v2"

    # Without a reason nothing rolls back.
    admin_client.post(reverse("configuration:policy-rollback", args=["standard"]))
    assert EscalationPolicy.objects.filter(code="standard").count() == 2
    admin_client.post(
        reverse("configuration:policy-rollback", args=["standard"]),
        {"reason": "complaints about late SMS"},
    )
    versions = dict(
        EscalationPolicy.objects.filter(code="standard").values_list(
            "version", "status"
        )
    )
    assert versions == {1: "retired", 2: "retired", 3: "active"}
    restored = EscalationPolicy.objects.get(code="standard", version=3)
    assert restored.history.first().history_change_reason == (
        "activated: rollback to v1: complaints about late SMS"
    )
    assert [(s.order, s.trigger_days) for s in restored.steps.all()] == [
        (s.order, s.trigger_days) for s in live.steps.all()
    ]


def test_a_new_draft_starts_from_the_live_version(admin_client, live):
    admin_client.post(
        reverse("configuration:policy-copy", args=["standard", live.version])
    )
    copy = EscalationPolicy.objects.get(code="standard", version=2)
    assert copy.status == "draft"
    assert copy.steps.count() == live.steps.count()


@override_settings(CONFIGURATION_ACTIVATION_APPROVAL=True)
def test_with_approval_on_a_second_admin_must_activate(client, admin_user, draft):
    client.force_login(admin_user)
    activate = reverse("configuration:policy-activate", args=["standard", 2])
    client.post(activate)
    draft.refresh_from_db()
    assert draft.status == "draft"  # not requested yet
    client.post(reverse("configuration:policy-request", args=["standard", 2]))
    client.post(activate)
    draft.refresh_from_db()
    assert draft.status == "draft"  # the same admin cannot approve
    second = UserFactory(username="admin2", roles=["admin"])
    client.force_login(second)
    client.post(activate)
    draft.refresh_from_db()
    assert draft.status == "active"


def test_the_template_preview_renders_a_sample_case_and_shows_the_lint(
    admin_client, portfolio
):
    url = reverse("configuration:template-preview")
    case = portfolio["dpd3"]
    response = admin_client.post(
        url,
        {
            "body": "{{ name }}: we will come to your home.",
            "language": "en",
            "sample_case": case.reference,
        },
    )
    body = response.content.decode()
    assert case.customer.full_name in body
    assert "Threat of violence" in body
    response = admin_client.post(url, {"body": "{{ balance }}", "language": "en"})
    assert "Unknown variable(s): balance" in response.content.decode()


def test_saving_an_active_template_makes_a_new_draft_version(admin_client, db):
    live = MessageTemplate.objects.get(
        code="overdue-sms", language="en", status="active"
    )
    url = reverse("configuration:template", args=["overdue-sms", "sms", "en", 1])
    response = admin_client.post(url, {"body": "Hello {{ name }} {{ opt_out }}"})
    assert response.status_code == 302
    draft = MessageTemplate.objects.get(code="overdue-sms", language="en", version=2)
    assert draft.status == "draft"
    live.refresh_from_db()
    assert live.status == "active"
    admin_client.post(
        reverse("configuration:template-activate", args=["overdue-sms", "sms", "en", 2])
    )
    live.refresh_from_db()
    draft.refresh_from_db()
    assert (live.status, draft.status) == ("retired", "active")


def test_a_template_with_an_unknown_variable_is_not_saved(admin_client, db):
    response = admin_client.post(
        reverse("configuration:template-create"),
        {"code": "x", "channel": "sms", "language": "en", "body": "{{ secret }}"},
    )
    assert "Unknown variable(s): secret" in response.content.decode()
    assert not MessageTemplate.objects.filter(code="x").exists()


def test_a_template_failing_the_lint_does_not_activate(admin_client, db):
    admin_client.post(
        reverse("configuration:template-create"),
        {"code": "x", "channel": "sms", "language": "en",
         "body": "We know where you live."},
    )  # fmt: skip
    response = admin_client.post(
        reverse("configuration:template-activate", args=["x", "sms", "en", 1]),
        follow=True,
    )
    assert "fails the content check" in response.content.decode()
    assert MessageTemplate.objects.get(code="x").status == "draft"


def rule_pack_post(pack: RulePack, **changes):
    window = pack.parameters["contact_window"]
    data = {
        "window_enabled": "on",
        "window_start": window["start"],
        "window_end": window["end"],
        "window_days": [str(d) for d in window["days"]],
        "window_channels": window["channels"],
        "cooldown_days": "7",
        "reason": "test",
    }
    for i, cap in enumerate(pack.parameters["frequency_caps"]):
        data[f"cap_{i}_max"] = str(cap["max"])
        data[f"cap_{i}_days"] = str(cap.get("days", 1))
    data.update(changes)
    return data


def test_a_window_ending_before_it_starts_is_refused(admin_client, db):
    pack = RulePack.objects.get(code="cn")
    url = reverse("configuration:rule-pack", args=["cn"])
    response = admin_client.post(
        url, rule_pack_post(pack, window_start="21:00", window_end="08:00")
    )
    html = response.content.decode()
    # Once, on the field, and nothing about a buffer the form does not show.
    assert html.count("the window must end after it starts") == 1
    assert "buffer" not in html
    assert RulePack.objects.get(code="cn").version == pack.version


def test_a_cap_of_zero_is_refused(admin_client, db):
    pack = RulePack.objects.get(code="cn")
    url = reverse("configuration:rule-pack", args=["cn"])
    response = admin_client.post(url, rule_pack_post(pack, cap_0_max="0"))
    assert "must be a whole number of at least 1" in response.content.decode()
    assert RulePack.objects.get(code="cn").version == pack.version


def test_a_rule_pack_change_is_a_draft_then_a_new_version_with_who_and_why(
    admin_client, db
):
    pack = RulePack.objects.get(code="cn")
    url = reverse("configuration:rule-pack", args=["cn"])
    admin_client.post(
        url, rule_pack_post(pack, window_end="21:00", reason="earlier evenings")
    )
    # Saved as a draft: the live pack is unchanged until activation.
    assert RulePack.objects.get(code="cn").version == pack.version
    admin_client.post(reverse("configuration:rule-pack-draft-activate", args=["cn", 1]))
    saved = RulePack.objects.get(code="cn")
    assert saved.version == pack.version + 1
    assert saved.parameters["contact_window"]["end"] == "21:00"
    latest = saved.history.first()
    assert (latest.history_user.username, latest.history_change_reason) == (
        "admin",
        "earlier evenings",
    )


def test_queues_and_teams_are_edited(admin_client, team, collector):
    admin_client.post(
        reverse("configuration:queue-create"),
        {"code": "late", "name": "Late", "team": team.pk, "priority": "50",
         "buckets": ["31-60", "61-90"], "min_overdue": "1000",
         "products": "auto_loan， credit_card", "regions": "", "is_active": "on"},
    )  # fmt: skip
    queue = WorkQueue.objects.get(code="late")
    assert queue.criteria == {
        "buckets": ["31-60", "61-90"],
        "min_overdue": "1000",
        "products": ["auto_loan", "credit_card"],
    }
    page = admin_client.get(reverse("configuration:queue", args=["late"]))
    html = page.content.decode()
    # The criteria are fields filled from the stored document, never a Python repr.
    assert re.search(r'value="31-60"[^>]*checked', html)
    assert not re.search(r'value="1-30"[^>]*checked', html)
    assert "auto_loan, credit_card" in html and "{&#x27;" not in html
    response = admin_client.post(
        reverse("configuration:queue", args=["late"]),
        {"name": "Late", "team": team.pk, "priority": "50",
         "buckets": ["31-60", "400+"], "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Select a valid choice. 400+" in response.content.decode()
    listing = admin_client.get(reverse("configuration:queues")).content.decode()
    assert "Buckets 31-60, 61-90 · overdue from 1000" in listing


def test_a_queue_for_a_bucket_no_case_can_be_in_is_refused():
    from cases.services import queue_criteria_q
    from core.errors import ApplicationError

    with pytest.raises(ApplicationError, match="No such bucket 400"):
        queue_criteria_q({"buckets": ["400"]})
    with pytest.raises(ApplicationError, match="Unknown criteria bucket"):
        queue_criteria_q({"bucket": ["1-30"]})


def test_teams_are_edited(admin_client, collector):
    admin_client.post(
        reverse("configuration:team-create"),
        {"name": "Night shift", "members": [collector.pk]},
    )
    assert list(Team.objects.get(name="Night shift").members.all()) == [collector]


def test_the_configuration_as_of_a_past_date_shows_what_was_live(
    admin_client, admin_user, live, draft, time_machine
):
    now = timezone.now()
    time_machine.move_to(now + dt.timedelta(hours=2))
    admin_client.force_login(admin_user)  # two idle hours signed the admin out
    policies.policy_activate(policy=draft)
    then = timezone.localtime(now + dt.timedelta(hours=1))
    page = admin_client.get(
        reverse("configuration:as-of"), {"at": then.strftime("%Y-%m-%dT%H:%M:%S")}
    ).content.decode()
    assert "standard v1" in page
    assert "standard v2" not in page


def test_a_decision_shows_the_rule_pack_version_it_applied(
    admin_client, admin_user, portfolio
):
    from compliance.models import Decision
    from compliance.services import rule_pack_update
    from escalation.sweep import escalation_sweep

    escalation_sweep(at=AT)
    decision = Decision.objects.filter(rule_pack="cn").first()
    applied = decision.rule_pack_version
    rule_pack_update(
        code="cn",
        parameters={"contact_window": {"end": "21:00"}},
        user=admin_user,
        reason="earlier",
    )
    page = admin_client.get(
        reverse("configuration:as-of"), {"decision": decision.pk}
    ).content.decode()
    assert f"It applied rule pack cn version {applied}" in page
    rules = page.split('id="decision-rules"')[1].split("</article>")[0]
    assert '<th scope="row">Ends</th><td>22:00</td>' in rules
    assert "21:00" not in rules


def test_the_as_of_page_asks_for_a_date_or_a_decision(admin_client, db):
    page = admin_client.get(reverse("configuration:as-of"), {"at": ""})
    assert "Give a date and time, or a decision." in page.content.decode()


def test_an_admin_sets_what_a_step_does_when_its_channel_is_unusable(
    admin_client, live
):
    email = {"order": "1", "name": "Email", "trigger": "dpd", "trigger_days": "3",
             "action": "email", "template": "overdue-email",
             "on_unusable": "substitute", "substitute_action": "sms",
             "substitute_template": "overdue-sms"}  # fmt: skip
    call = {**CALL, "on_unusable": "wait"}
    response = admin_client.post(
        reverse("configuration:policy-create"), step_post([email, call])
    )
    assert response.status_code == 302
    draft = EscalationPolicy.objects.get(code="standard", version=2)
    first, second = draft.steps.all()
    assert (first.on_unusable, first.substitute_action) == ("substitute", "sms")
    assert second.on_unusable == "wait"
    page = admin_client.get(response.url).content.decode()
    assert "Use the substitute channel" in page


def test_a_substitute_without_its_template_is_refused_on_the_step(admin_client, live):
    email = {**SMS, "on_unusable": "substitute", "substitute_action": "email"}
    response = admin_client.post(
        reverse("configuration:policy-create"), step_post([email])
    )
    assert response.status_code == 200
    assert "A substitute message needs a template." in response.content.decode()
