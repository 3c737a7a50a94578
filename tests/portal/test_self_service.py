"""Issue 21: the debtor's self-service link. A reminder carries a short link of its
own; the link opens an identity check that reveals nothing, locks after repeated
failures, and then shows the customer their own account and lets them promise,
dispute and say when they may be contacted, each reaching the gate and the case."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.utils import timezone

from cases.models import PromiseToPay, SelfServiceEvent, SelfServiceLink
from cases.services import self_service_link_issue, self_service_link_revoke
from cases.services.self_service import token_hash
from compliance import services as compliance
from compliance.models import ContactAttempt, ContactPreference, ContactRestriction
from core.logs import scrub
from escalation.models import WorkItem
from messaging import services, sms
from tests.calls.conftest import make_case
from tests.cases.factories import PaymentFactory
from tests.messaging.factories import MessageTemplateFactory, OutboundMessageFactory

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
MORNING = dt.datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)  # a Monday
NATIONAL_ID = "11010119900101123X"


@pytest.fixture
def case(queue, time_machine):
    time_machine.move_to(MORNING, tick=True)
    case = make_case(queue, reference="CASE-SELF", name="王小明")
    case.customer.national_id = NATIONAL_ID
    case.customer.save()
    return case


@pytest.fixture
def link(case):
    url = self_service_link_issue(customer=case.customer, case=case)
    return url.split("127.0.0.1:8000")[1]


def verified(client, link):
    response = client.post(link, {"answer": "123x"})
    assert response.status_code == 302
    return client


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_a_reminder_that_names_the_link_carries_a_short_link_of_its_own(case):
    template = MessageTemplateFactory(
        body="【示例银行】{{ name }}您好，请查看：{{ self_service_link }}"
    )
    point = case.customer.contact_points.get()
    _, attempt = compliance.contact_request(
        customer=case.customer, channel="sms", contact_point=point, case=case
    )
    OutboundMessageFactory(
        case=case,
        contact_point=point,
        contact_attempt=attempt,
        body="",
        template=template,
    )
    sms.outbox.clear()
    services.outbox_dispatch(now=timezone.now(), backend=sms.LocmemBackend())
    sent = sms.outbox[-1].body
    url = re.search(r"http\S+/s/([A-Za-z0-9_-]+)/", sent)
    assert url, sent
    token = url.group(1)
    assert len(url.group(0)) <= 45  # short enough for an SMS
    row = SelfServiceLink.objects.get(customer=case.customer)
    assert row.token_hash == token_hash(token) and token not in row.token_hash


def test_a_forged_expired_or_revoked_link_gets_the_same_page(client, case, link):
    forged = client.get("/s/AAAAAAAAAAAA/")
    assert forged.status_code == 404
    row = SelfServiceLink.objects.get()
    SelfServiceLink.objects.filter(pk=row.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    expired = client.get(link)
    assert expired.status_code == 404 and text(expired) == text(forged)
    fresh = self_service_link_issue(customer=case.customer).split(":8000")[1]
    assert client.get(fresh).status_code == 200
    self_service_link_revoke(
        link=SelfServiceLink.objects.latest("pk"), reason="customer asked"
    )
    revoked = client.get(fresh)
    assert revoked.status_code == 404 and text(revoked) == text(forged)


def test_nothing_before_the_check_says_that_a_debt_exists(client, case, link):
    for language in ("zh-hans", "en"):
        page = text(client.get(link, HTTP_ACCEPT_LANGUAGE=language))
        for secret in (
            "王小明",
            "1,000",
            "1000",
            "逾期",
            "overdue",
            "loan",
            "贷款",
            "CASE-SELF",
            "debt",
            "欠款",
        ):
            assert secret.lower() not in page.lower(), (language, secret)
    assert client.get(link)["Referrer-Policy"] == "same-origin"
    assert "no-store" in client.get(link)["Cache-Control"]


def test_wrong_answers_lock_the_link_even_for_the_right_one(client, case, link):
    for _ in range(5):
        wrong = client.post(link, {"answer": "9999"})
        assert wrong.status_code == 400
        assert "1,000" not in text(wrong)
    locked = client.post(link, {"answer": "123X"})
    assert locked.status_code == 423
    assert "1,000" not in text(locked)
    kinds = list(
        SelfServiceEvent.objects.order_by("at", "pk").values_list("kind", flat=True)
    )
    assert kinds.count("check_failed") == 5 and "locked" in kinds


def test_after_the_check_the_customer_sees_their_account(client, case, link):
    PaymentFactory(loan=case.customer.loans.get(), amount="12.34")
    page = text(verified(client, link).get(link))
    assert "1,000.00 CNY" in page
    assert "12.34" in page  # payments received
    assert "逾期" in page  # in the customer's language (zh-hans)
    english = text(client.get(link + "?lang=en"))
    assert "What is overdue" in english and "1,000.00 CNY" in english


def test_a_promise_from_the_page_is_recorded_and_on_the_case_timeline(
    client, case, link, collector
):
    verified(client, link)
    due = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    response = client.post(link + "promise/", {"amount": "300", "due_date": due})
    assert response.status_code == 302
    promise = PromiseToPay.objects.get(case=case)
    assert str(promise.amount) == "300.00" and promise.created_by is None
    client.force_login(collector)
    timeline = text(client.get(f"/cases/{case.reference}/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "Promised to pay (self-service)" in timeline
    assert "Identity confirmed on the self-service page" in timeline


def test_a_promise_beyond_the_terms_is_refused_on_its_field(client, case, link):
    verified(client, link)
    far = (timezone.localdate() + dt.timedelta(days=400)).isoformat()
    response = client.post(link + "promise/", {"amount": "300", "due_date": far})
    assert response.status_code == 400
    assert response.context["promise_form"].errors["due_date"]
    assert not PromiseToPay.objects.exists()


def test_a_dispute_holds_collection_on_the_loan_and_asks_a_supervisor(
    client, case, link
):
    verified(client, link)
    loan = case.customer.loans.get()
    response = client.post(
        link + "dispute/", {"loan": loan.reference, "reason": "I paid this in May"}
    )
    assert response.status_code == 302
    restriction = ContactRestriction.objects.get(customer=case.customer)
    assert (restriction.kind, restriction.loan, restriction.source) == (
        "dispute",
        loan,
        "customer_self_service",
    )
    item = WorkItem.objects.get(case=case)
    assert item.kind == "dispute_review"
    decision, _attempt = compliance.contact_request(
        customer=case.customer,
        channel="call",
        contact_point=case.customer.contact_points.get(),
        case=case,
    )
    assert not decision.allowed


def test_a_stated_inconvenient_day_changes_the_gates_answer(client, case, link):
    verified(client, link)
    point = case.customer.contact_points.get()
    before = compliance.contact_evaluate(
        customer=case.customer, channel="call", contact_point=point
    )
    assert before.allowed
    response = client.post(
        link + "preference/", {"kind": "inconvenient_day", "weekday": "0"}
    )
    assert response.status_code == 302
    preference = ContactPreference.objects.get(customer=case.customer)
    assert preference.source == "customer_self_service"
    after = compliance.contact_evaluate(
        customer=case.customer, channel="call", contact_point=point
    )
    assert not after.allowed
    assert "customer_inconvenient_time" in {r["code"] for r in after.reasons}


def test_hours_and_a_channel_that_suit_the_customer_reach_the_gate_and_the_case(
    client, case, link, collector
):
    verified(client, link)
    point = case.customer.contact_points.get()
    response = client.post(
        link + "preference/",
        {"kind": "preferred_hours", "start_time": "18:00", "end_time": "20:00"},
    )
    assert response.status_code == 302
    # 10:00 Monday: the customer's hours are 18:00-20:00, so the call waits for them.
    decision = compliance.contact_evaluate(
        customer=case.customer, channel="call", contact_point=point
    )
    assert not decision.allowed
    assert decision.next_permitted_at == MORNING.replace(hour=18)
    response = client.post(
        link + "preference/", {"kind": "preferred_channel", "channel": "email"}
    )
    assert response.status_code == 302
    stated = ContactPreference.objects.filter(customer=case.customer)
    assert {(p.kind, p.channel, p.source) for p in stated} == {
        ("preferred_hours", "", "customer_self_service"),
        ("preferred_channel", "email", "customer_self_service"),
    }
    # The collector sees both on the case page, in both languages.
    client.force_login(collector)
    page = text(client.get(f"/cases/{case.reference}/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "Contact only: every day 18:00-20:00" in page
    assert "Prefers contact by email" in page
    page = text(client.get(f"/cases/{case.reference}/", HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert "仅在此时联系：每天18:00-20:00" in page
    assert "希望通过邮件联系" in page


def test_the_customer_sees_what_they_told_us_and_withdraws_a_statement(
    client, case, link, queue
):
    verified(client, link)
    client.post(link + "preference/", {"kind": "inconvenient_day", "weekday": "0"})
    client.post(link + "preference/", {"kind": "opt_out_sms"})
    page = text(client.get(link + "?lang=en"))
    assert "What you told us" in page
    assert "Inconvenient: Mondays" in page
    assert "No text message (SMS)" in page
    # Another customer's statement cannot be withdrawn through this link.
    other = make_case(queue, reference="CASE-OTHER", name="李四")
    theirs = compliance.contact_preference_record(
        customer=other.customer, kind="not_at_work", reason="x", source="collector"
    )
    response = client.post(link + f"preference/{theirs.pk}/withdraw/")
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.revoked_at is None

    mine = ContactPreference.objects.get(customer=case.customer)
    response = client.post(link + f"preference/{mine.pk}/withdraw/")
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.revoked_at is not None
    assert mine.revoke_reason == "Withdrawn on the self-service page"  # chose en
    point = case.customer.contact_points.get()
    assert compliance.contact_evaluate(
        customer=case.customer, channel="call", contact_point=point
    ).allowed
    page = text(client.get(link + "?lang=en"))
    assert "Inconvenient: Mondays" not in page
    # Withdrawing twice changes nothing and says so.
    response = client.post(link + f"preference/{mine.pk}/withdraw/", follow=True)
    assert "That is no longer in force." in text(response)
    # Each withdrawal is a contact in the ledger, as every action on the page.
    assert (
        ContactAttempt.objects.filter(
            customer=case.customer, source="customer_self_service:preference"
        ).count()
        == 3
    )


def test_a_preferred_channel_needs_a_channel(client, case, link):
    verified(client, link)
    # In the customer's language, or the one they chose on the page.
    response = client.post(link + "preference/", {"kind": "preferred_channel"})
    assert response.status_code == 400
    assert "请选择联系方式。" in text(response)
    response = client.post(link + "preference/?lang=en", {"kind": "preferred_channel"})
    assert "Choose a channel." in text(response)
    assert not ContactPreference.objects.exists()


def test_the_actions_need_the_check_first(client, case, link):
    due = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    response = client.post(link + "promise/", {"amount": "300", "due_date": due})
    assert response.status_code == 302 and response["Location"] == link
    assert not PromiseToPay.objects.exists()


def test_the_logs_never_carry_a_working_token(link):
    assert "/s/••••" in scrub(f"GET {link}")
    assert link.split("/")[2] not in scrub(f"GET {link}")


def test_a_small_plan_is_agreed_at_once_and_holds_the_ladder(
    client, case, link, settings
):
    from cases.models import RepaymentPlan

    settings.PLAN_AUTO_APPROVE_MAX_INSTALMENTS = 3
    settings.PLAN_AUTO_APPROVE_MAX_DAYS = 120
    verified(client, link)
    first = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    response = client.post(
        link + "plan/",
        {"count": "3", "first_due_date": first, "reason": "工资下周才发"},
    )
    assert response.status_code == 302
    plan = RepaymentPlan.objects.get(case=case)
    assert plan.status == "active" and plan.requested_by_customer
    assert plan.instalments.count() == 3 and plan.total_amount == case.overdue_amount
    case.refresh_from_db()
    assert case.next_call_at is not None and case.next_call_at > timezone.now()
    assert SelfServiceEvent.objects.filter(kind="plan").exists()


def test_a_longer_plan_waits_for_a_supervisor_with_the_customers_reason(
    client, case, link, supervisor
):
    from cases.models import RepaymentPlan

    verified(client, link)
    first = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    response = client.post(
        link + "plan/",
        {"count": "12", "first_due_date": first, "reason": "I lost my job"},
    )
    assert response.status_code == 302
    plan = RepaymentPlan.objects.get(case=case)
    assert plan.status == "proposed" and plan.reason == "I lost my job"
    client.force_login(supervisor)
    approvals = text(client.get("/supervisor/approvals/", HTTP_ACCEPT_LANGUAGE="en"))
    assert plan.reference in approvals


def test_a_plan_beyond_the_limits_is_refused_on_its_field(client, case, link):
    from cases.models import RepaymentPlan

    verified(client, link)
    response = client.post(
        link + "plan/",
        {"count": "61", "first_due_date": "2026-12-10", "reason": "x"},
    )
    assert response.status_code == 400
    assert response.context["plan_form"].errors["count"]
    assert not RepaymentPlan.objects.exists()


def test_an_sms_opt_out_from_the_page_blocks_the_next_sms(client, case, link):
    verified(client, link)
    response = client.post(link + "preference/", {"kind": "opt_out_sms"})
    assert response.status_code == 302
    restriction = ContactRestriction.objects.get(customer=case.customer)
    assert (restriction.kind, restriction.channel, restriction.source) == (
        "channel_opt_out",
        "sms",
        "customer_self_service",
    )
    decision = compliance.contact_evaluate(customer=case.customer, channel="sms")
    assert not decision.allowed
    assert compliance.contact_evaluate(customer=case.customer, channel="call").allowed


def test_the_visit_and_each_action_are_contacts_in_the_ledger(client, case, link):
    """Item 7: the customer's own contacts are in the ledger beside ours (the visit
    once the identity is confirmed, then each action), settled, with no decision of
    ours; opening the link and a failed check are not, since that may be anyone."""
    client.get(link)
    client.post(link, {"answer": "0000"})
    assert not ContactAttempt.objects.filter(channel="web").exists()
    verified(client, link)
    loan = case.customer.loans.get()
    due = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    client.post(link + "promise/", {"amount": "300", "due_date": due})
    client.post(link + "dispute/", {"loan": loan.reference, "reason": "Paid in May"})
    rows = list(
        ContactAttempt.objects.filter(customer=case.customer, channel="web")
        .order_by("pk")
        .values_list("source", "result", "allowed", "decision", "case", "loan")
    )
    assert rows == [
        ("customer_self_service:visit", "inbound", True, None, case.pk, None),
        ("customer_self_service:promise", "inbound", True, None, case.pk, None),
        ("customer_self_service:dispute", "inbound", True, None, case.pk, loan.pk),
    ]
    row = ContactAttempt.objects.filter(channel="web").first()
    assert row.history.get().history_change_reason.startswith("customer contact")


def test_the_customers_own_contacts_count_against_no_cap(case):
    """A day of self-service is not a day of calls: caps and cooldowns read only the
    contacts the gate proposes, however often the customer comes."""
    point = case.customer.contact_points.get()
    before = compliance.contact_evaluate(
        customer=case.customer, channel="call", contact_point=point, case=case
    )
    for minutes in range(10):
        compliance.contact_attempt_record_inbound(
            customer_id=case.customer_id,
            case_id=case.pk,
            at=timezone.now() - dt.timedelta(minutes=minutes),
            source="customer_self_service:visit",
        )
    after = compliance.contact_evaluate(
        customer=case.customer, channel="call", contact_point=point, case=case
    )
    assert before.allowed
    assert (after.allowed, after.reasons) == (before.allowed, before.reasons)


def test_the_ledger_api_lists_the_customers_contacts_and_the_timeline_once(
    client, case, link, collector
):
    verified(client, link)
    client.force_login(collector)
    listed = client.get(
        "/api/v1/contact-attempts/",
        {"customer": case.customer.reference, "channel": "web"},
    )
    assert listed.status_code == 200, listed.content
    body = listed.json()
    rows = body["results"] if isinstance(body, dict) else body
    assert [(r["channel"], r["outcome"], r["decision"]) for r in rows] == [
        ("web", "inbound", None)
    ]
    page = text(client.get(f"/cases/{case.reference}/", HTTP_ACCEPT_LANGUAGE="en"))
    assert page.count("Identity confirmed on the self-service page") == 1
    assert "Made by the customer" not in page


def test_a_bank_that_asks_the_date_of_birth_gets_it_asked(client, case, link, settings):
    """Item 2: the question is the bank's choice. The date of birth is the one the
    PRC resident id carries (11010119900101123X: 1990-01-01); the last four
    characters are not a date, and a wrong date counts as a failure like any."""
    settings.SELF_SERVICE_IDENTITY_QUESTION = "date_of_birth"
    page = text(client.get(link + "?lang=en"))
    assert "Your date of birth" in page and 'type="date"' in page
    not_a_date = client.post(link, {"answer": "123X"})
    assert not_a_date.status_code == 400
    assert not_a_date.context["form"].errors["answer"]  # not a try: nothing counted
    assert client.post(link, {"answer": "1990-01-02"}).status_code == 400
    assert SelfServiceLink.objects.get().failed_checks == 1
    assert client.post(link, {"answer": "1990-01-01"}).status_code == 302
    assert "1,000.00 CNY" in text(client.get(link))
    assert SelfServiceEvent.objects.filter(kind="check_passed").count() == 1


def test_without_a_birth_date_on_record_the_last_four_are_asked(
    client, case, link, settings
):
    settings.SELF_SERVICE_IDENTITY_QUESTION = "date_of_birth"
    case.customer.national_id = "E12345678"  # a passport: no date of birth in it
    case.customer.save()
    page = text(client.get(link + "?lang=en"))
    assert "The last 4 characters of your ID number" in page
    assert client.post(link, {"answer": "5678"}).status_code == 302


@pytest.mark.parametrize(
    "national_id,born",
    [
        ("11010119900101123X", dt.date(1990, 1, 1)),
        ("110101199002301234", None),  # 30 February
        ("11010119900101123", None),  # 17 characters
        ("E12345678", None),
        ("", None),
    ],
)
def test_the_birth_date_is_read_only_from_a_valid_resident_id(national_id, born):
    from cases.services.self_service import birth_date_from_national_id

    assert birth_date_from_national_id(national_id) == born
