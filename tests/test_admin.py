"""The Django admin: every registered model's pages work for an admin, on a small
portfolio holding one row of each model; collectors are kept out; PII is masked."""

import contextlib
import datetime as dt
from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from calls.models import CallLog, CallReview, CallTask, PiiReveal
from cases.models import (
    ArrangementTerms,
    EscalationPolicy,
    EscalationStep,
    Payment,
    PaymentAllocation,
    PromiseToPay,
    Recovery,
    RepaymentPlan,
    RepaymentPlanInstalment,
    SettlementOffer,
    WriteOff,
)
from compliance.chain import ledger_anchor
from compliance.models import (
    ContactAttempt,
    ContactPreference,
    ContactRestriction,
    Decision,
    HolidayOverride,
    PriorConsent,
    RulePack,
)
from core.errors import ApplicationError
from messaging.models import (
    DocumentDownload,
    Letter,
    MessageTemplate,
    OutboundMessage,
    PrintBatch,
    WebhookEvent,
)
from tests.cases.factories import (
    CaseFactory,
    ContactPointFactory,
    CustomerFactory,
    InstalmentFactory,
    LoanFactory,
)

APPS = {"cases", "calls", "compliance", "messaging"}


@pytest.fixture
def portfolio(queue, collector, supervisor):
    """One row of every model of the four apps, linked as in real data."""
    now = timezone.now()
    customer = CustomerFactory(national_id="110101199001011234")
    point = ContactPointFactory(customer=customer, value="+8613800138000")
    loan = LoanFactory(customer=customer)
    ArrangementTerms.objects.create(
        product=loan.product,
        promise_max_days=30,
        plan_max_instalments=12,
        plan_max_days=365,
        max_first_payment_days=30,
    )
    instalment = InstalmentFactory(loan=loan, amount_paid=Decimal("100.00"))
    payment = Payment.objects.create(
        reference="PAY-1",
        loan=loan,
        amount=Decimal("100.00"),
        currency="CNY",
        received_at=now,
    )
    PaymentAllocation.objects.create(
        payment=payment, instalment=instalment, amount=Decimal("100.00")
    )
    policy = EscalationPolicy.objects.create(code="admin-test", name="Admin test")
    step = EscalationStep.objects.create(
        policy=policy,
        order=1,
        name="First SMS",
        trigger=EscalationStep.Trigger.DPD,
        trigger_days=1,
        action=EscalationStep.Action.SMS,
        template_code="first-reminder",
    )
    case = CaseFactory(
        customer=customer, queue=queue, assigned_to=collector, policy=policy, stage=step
    )
    PromiseToPay.objects.create(
        case=case, amount=Decimal("500.00"), due_date=now.date(), made_at=now
    )
    plan = RepaymentPlan.objects.create(
        reference="PLAN-1",
        case=case,
        kind=RepaymentPlan.Kind.INSTALMENTS,
        total_amount=Decimal("900.00"),
    )
    RepaymentPlanInstalment.objects.create(
        plan=plan, sequence=1, due_date=now.date(), amount=Decimal("900.00")
    )
    task = CallTask.objects.create(case=case, queue=queue, due_at=now)
    decision = Decision.objects.create(
        customer=customer,
        contact_point=point,
        case=case,
        channel="call",
        proposed_at=now,
        allowed=True,
        outcome="allow",
        rule_pack="cn",
        rule_pack_version=1,
    )
    attempt = ContactAttempt.objects.create(
        customer=customer,
        case=case,
        contact_point=point,
        contact_value=point.value,
        channel="call",
        at=now,
        allowed=True,
        result=ContactAttempt.Result.CONVERSATION,
        decision=decision,
    )
    call = CallLog.objects.create(
        reference="CALL-1",
        case=case,
        task=task,
        collector=collector,
        contact_point=point,
        contact_attempt=attempt,
        started_at=now,
        ended_at=now + dt.timedelta(minutes=3),
        outcome=CallLog.Outcome.PROMISE_TO_PAY,
        identity_confirmed=True,
        disclosure_made=True,
    )
    CallReview.objects.create(call=call, reviewer=supervisor, score=90)
    PiiReveal.objects.create(
        user=collector, case=case, customer=customer, field="national_id"
    )
    ledger_anchor()  # the decision chain's daily anchor
    # The shipped packs come from a migration; make sure one exists either way.
    RulePack.objects.get_or_create(code="cn", defaults={"name": "China"})
    HolidayOverride.objects.create(
        country="CN", date=dt.date(2026, 10, 1), is_holiday=True, name="National Day"
    )
    ContactRestriction.objects.create(
        customer=customer,
        kind=ContactRestriction.Kind.DISPUTE,
        starts_at=now,
        reason="Customer disputes the amount.",
    )
    PriorConsent.objects.create(
        customer=customer,
        case=case,
        given_at=now,
        starts_at=now,
        ends_at=now + dt.timedelta(days=1),
        reason="Call me back tomorrow.",
        source="collector",
    )
    ContactPreference.objects.create(
        customer=customer,
        kind=ContactPreference.Kind.INCONVENIENT_DAY,
        weekday=6,
        starts_at=now,
        reason="Not on Sundays.",
        source="collector",
    )
    template = MessageTemplate.objects.create(
        code="first-reminder", channel="sms", body="您的账户已逾期。"
    )
    OutboundMessage.objects.create(
        customer=customer,
        case=case,
        contact_point=point,
        channel="sms",
        template=template,
        body="您的账户已逾期。",
        idempotency_key="sms:1",
        send_after=now,
    )
    WebhookEvent.objects.create(
        event_id="evt-1",
        kind=WebhookEvent.Kind.INBOUND,
        payload={"from": point.value, "text": "退订"},
    )
    letter_message = OutboundMessage.objects.create(
        customer=customer,
        case=case,
        contact_point=ContactPointFactory(
            customer=customer, channel="address", value="北京市朝阳区建国路 88 号"
        ),
        channel="letter",
        body="Dear customer",
        idempotency_key="letter:1",
        send_after=now,
    )
    batch = PrintBatch.objects.create(
        created_at=now,
        file="batches/PB-1.zip",
        sha256="0" * 64,
        size_bytes=1024,
        letter_count=1,
    )
    letter = Letter.objects.create(
        message=letter_message,
        case=case,
        customer=customer,
        language="zh-hans",
        recipient_name="王小明",
        postal_address="北京市朝阳区建国路 88 号",
        file="letters/L-1.pdf",
        sha256="1" * 64,
        size_bytes=2048,
        page_count=1,
        rendered_at=now,
        batch=batch,
    )
    DocumentDownload.objects.create(user=supervisor, letter=letter)
    SettlementOffer.objects.create(
        case=case,
        balance=Decimal("1000.00"),
        amount=Decimal("800.00"),
        deadline=now.date() + dt.timedelta(days=14),
        proposed_by=collector,
    )
    write_off = WriteOff.objects.create(
        case=case,
        amount=Decimal("900.00"),
        balance=Decimal("900.00"),
        reason="Uncollectable after legal review.",
        approved_by=supervisor,
        written_off_at=now,
    )
    Recovery.objects.create(
        write_off=write_off, payment=payment, amount=Decimal("100.00"), received_at=now
    )
    from cases.services import self_service_check, self_service_link_issue

    self_service_link_issue(customer=customer)
    # One event (a wrong answer) on the link.
    with contextlib.suppress(ApplicationError):
        self_service_check(link=customer.self_service_links.get(), answer="0000")
    return customer


def _domain_model_admins():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in APPS
    ]


def _url(model, page, *args):
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{page}", args=args)


def test_every_model_of_the_four_apps_is_registered_in_the_admin():
    from django.apps import apps

    models = [m for label in APPS for m in apps.get_app_config(label).get_models()]
    # Historical models belong to simple-history's bookkeeping, not to the admin.
    missing = [
        m.__name__
        for m in models
        if m not in admin.site._registry and not m.__name__.startswith("Historical")
    ]
    assert missing == []


@pytest.mark.django_db
def test_every_changelist_add_and_change_page_works_for_an_admin(
    client, admin_user, portfolio
):
    client.force_login(admin_user)
    checked = 0
    for model, model_admin in _domain_model_admins():
        label = model._meta.label
        response = client.get(_url(model, "changelist"))
        assert response.status_code == 200, f"{label} changelist"
        request = response.wsgi_request
        add = client.get(_url(model, "add"))
        expected = 200 if model_admin.has_add_permission(request) else 403
        assert add.status_code == expected, f"{label} add page"
        obj = model.objects.first()
        assert obj is not None, f"the portfolio fixture has no {label}"
        change = client.get(_url(model, "change", obj.pk))
        assert change.status_code == 200, f"{label} change page"
        checked += 1
    assert checked >= 20


@pytest.mark.django_db
def test_admin_search_and_filters_work_on_big_tables(client, admin_user, portfolio):
    client.force_login(admin_user)
    case_list = _url(portfolio.cases.model, "changelist")
    found = client.get(case_list, {"q": portfolio.reference})
    assert found.status_code == 200
    assert portfolio.cases.get().reference in found.text
    current = client.get(_url(portfolio.loans.model, "changelist"), {"bucket": ""})
    assert current.status_code == 200
    assert portfolio.loans.get().reference in current.text
    late = client.get(_url(portfolio.loans.model, "changelist"), {"bucket": "90+"})
    assert portfolio.loans.get().reference not in late.text


@pytest.mark.django_db
def test_customer_list_masks_the_national_id(client, admin_user, portfolio):
    client.force_login(admin_user)
    response = client.get(_url(portfolio._meta.model, "changelist"))
    assert "110***********1234" in response.text
    assert "110101199001011234" not in response.text


@pytest.mark.django_db
def test_a_letter_in_the_admin_shows_neither_the_address_nor_the_file(
    client, admin_user, portfolio
):
    client.force_login(admin_user)
    letter = Letter.objects.get()
    response = client.get(_url(Letter, "change", letter.pk))
    assert response.status_code == 200
    assert "建国路" not in response.text
    assert "王小明" not in response.text
    assert "letters/L-1.pdf" not in response.text
    assert reverse("case-letter", args=[letter.case.reference, letter.reference]) in (
        response.text
    )


@pytest.mark.django_db
def test_settlements_write_offs_and_letters_cannot_be_changed_in_the_admin(
    client, admin_user, portfolio
):
    client.force_login(admin_user)
    for model in (SettlementOffer, WriteOff, Recovery, Letter, PrintBatch):
        obj = model.objects.get()
        assert client.get(_url(model, "add")).status_code == 403
        assert client.get(_url(model, "delete", obj.pk)).status_code == 403
        response = client.post(_url(model, "change", obj.pk), {})
        assert response.status_code == 403


@pytest.mark.django_db
def test_decisions_and_contact_attempts_cannot_be_added_changed_or_deleted(
    client, admin_user, portfolio
):
    client.force_login(admin_user)
    for model in (Decision, ContactAttempt):
        obj = model.objects.get()
        assert client.get(_url(model, "add")).status_code == 403
        assert client.get(_url(model, "delete", obj.pk)).status_code == 403
        # Viewing is allowed, but a POST to the change page must not write.
        response = client.post(_url(model, "change", obj.pk), {"channel": "sms"})
        assert response.status_code == 403
        obj.refresh_from_db()
        assert obj.channel == "call"


@pytest.mark.django_db
def test_case_changelist_query_count_does_not_grow_with_rows(
    client, admin_user, portfolio, queue, django_assert_max_num_queries
):
    for _ in range(15):
        CaseFactory(queue=queue)
    client.force_login(admin_user)
    with django_assert_max_num_queries(10):
        response = client.get(_url(portfolio.cases.model, "changelist"))
    assert response.status_code == 200


@pytest.mark.django_db
def test_a_collector_is_sent_to_the_admin_login(client, collector):
    client.force_login(collector)
    response = client.get(reverse("admin:cases_case_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.django_db
def test_an_admin_edit_of_a_rule_pack_goes_through_the_service_and_bumps_the_version(
    client, admin_user
):
    from compliance.packs import DEFAULT_PACKS

    pack, _ = RulePack.objects.get_or_create(
        code="cn",
        defaults={"name": "China", "parameters": DEFAULT_PACKS["cn"]["parameters"]},
    )
    before = pack.version
    client.force_login(admin_user)
    response = client.post(
        _url(RulePack, "change", pack.pk),
        {
            "parameters": '{"contact_window": {"end": "21:00"}}',
            "change_reason": "Bank policy: stop calling at 21:00.",
        },
    )
    assert response.status_code == 302, response.text[:2000]
    pack.refresh_from_db()
    assert pack.version == before + 1
    assert pack.parameters["contact_window"]["end"] == "21:00"
    # The rest of the pack is kept: the edit merges, it does not replace.
    assert pack.parameters["contact_window"]["start"] == "08:00"
    latest = pack.history.latest()
    assert latest.history_change_reason == "Bank policy: stop calling at 21:00."
    assert latest.history_user == admin_user


@pytest.mark.django_db
def test_an_invalid_rule_pack_edit_is_refused_with_the_field_named(client, admin_user):
    from compliance.packs import DEFAULT_PACKS

    pack, _ = RulePack.objects.get_or_create(
        code="cn",
        defaults={"name": "China", "parameters": DEFAULT_PACKS["cn"]["parameters"]},
    )
    before = pack.version
    client.force_login(admin_user)
    response = client.post(
        _url(RulePack, "change", pack.pk),
        {"parameters": '{"horizon_days": 0}', "change_reason": "typo"},
    )
    assert response.status_code == 200
    assert "horizon_days: must be a whole number of at least 1" in response.text
    pack.refresh_from_db()
    assert pack.version == before


@pytest.mark.django_db
def test_role_groups_hold_the_permissions_of_every_model_even_ones_added_later():
    # The roles migration ran before later models existed; the post_migrate hook in
    # cases/apps.py grants theirs, so admins see every model in the Django admin.
    from django.apps import apps
    from django.contrib.auth.models import Group

    admin_perms = set(
        Group.objects.get(name="admin").permissions.values_list(
            "content_type__app_label", "codename"
        )
    )
    collector_perms = set(
        Group.objects.get(name="collector").permissions.values_list(
            "content_type__app_label", "codename"
        )
    )
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            name = model._meta.model_name
            for action in ("view", "add", "change", "delete"):
                assert (label, f"{action}_{name}") in admin_perms, (label, name)
            assert (label, f"view_{name}") in collector_perms, (label, name)
    assert ("messaging", "view_webhookevent") in admin_perms
    assert ("compliance", "change_rulepack") not in collector_perms
