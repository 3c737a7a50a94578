"""The gate's services against the database: evaluate, request, complete, record
external attempts, choose and edit rule packs."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from compliance.models import ContactAttempt, Decision, RulePack
from compliance.packs import default_parameters
from compliance.services import (
    contact_attempt_complete,
    contact_attempt_record_external,
    contact_evaluate,
    contact_request,
    rule_pack_for,
    rule_pack_update,
)
from core.errors import ApplicationError, ConflictError
from tests.cases.factories import ContactPointFactory, CustomerFactory, LoanFactory
from tests.compliance.factories import (
    ContactRestrictionFactory,
    UkCustomerFactory,
    UsCustomerFactory,
)

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
MORNING = dt.datetime(2026, 3, 10, 10, 0, tzinfo=SH)

pytestmark = pytest.mark.django_db


@pytest.fixture
def debtor():
    customer = CustomerFactory()
    ContactPointFactory(customer=customer, value="+8613800138000")
    return customer


# --- rule packs ---------------------------------------------------------------------


def test_shipped_packs_are_installed_by_migration():
    packs = {p.code: p for p in RulePack.objects.all()}
    assert set(packs) >= {"cn", "us", "uk"}
    assert packs["cn"].parameters["contact_window"]["end"] == "22:00"
    assert packs["us"].parameters["post_conversation_cooldown"]["days"] == 7


@pytest.mark.parametrize(
    ("country", "code"), [("CN", "cn"), ("US", "us"), ("GB", "uk")]
)
def test_pack_is_chosen_by_the_customers_country(country, code):
    assert rule_pack_for(CustomerFactory(country=country)).code == code


def test_other_countries_fall_back_to_the_default_pack(settings):
    settings.DEFAULT_RULE_PACK = "us"
    assert rule_pack_for(CustomerFactory(country="DE")).code == "us"
    settings.DEFAULT_RULE_PACK = "cn"
    assert rule_pack_for(CustomerFactory(country="DE")).code == "cn"


def test_pack_update_bumps_the_version_keeps_history_and_reaches_decisions(
    debtor, admin_user
):
    before = RulePack.objects.get(code="cn")
    updated = rule_pack_update(
        code="cn",
        parameters={"contact_window": {"end": "21:00"}},
        user=admin_user,
        reason="Bank policy: stop at 21:00",
    )
    assert updated.version == before.version + 1
    assert updated.parameters["contact_window"]["start"] == "08:00"  # merged
    latest = updated.history.first()
    assert latest.history_user == admin_user
    assert latest.history_change_reason == "Bank policy: stop at 21:00"
    decision = contact_evaluate(
        customer=debtor, channel="call", at=dt.datetime(2026, 3, 10, 21, 30, tzinfo=SH)
    )
    assert decision.outcome == "defer"
    assert decision.rule_pack_version == updated.version


@pytest.mark.parametrize(
    ("parameters", "field"),
    [
        ({"contact_window": {"start": "21:00", "end": "08:00"}}, "contact_window.end"),
        ({"contact_window": {"start": "9am"}}, "contact_window.start"),
        ({"contact_window": {"days": []}}, "contact_window.days"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        (
            {
                "frequency_caps": [
                    {
                        "id": "x",
                        "channels": ["call"],
                        "max": 0,
                        "window": "calendar_day",
                        "scope": "debtor",
                        "counted": ["no_answer"],
                    }
                ]
            },
            "frequency_caps.0.max",
        ),
        ({"horizon_days": 0}, "horizon_days"),
        ({"third_party": {"roles": ["neighbour"]}}, "third_party.roles"),
    ],
)
def test_pack_update_rejects_unusable_parameters_naming_the_field(
    admin_user, parameters, field
):
    with pytest.raises(ApplicationError) as excinfo:
        rule_pack_update(code="cn", parameters=parameters, user=admin_user, reason="x")
    assert f"parameters.{field}" in excinfo.value.errors
    assert RulePack.objects.get(code="cn").version == 1


def test_pack_update_needs_a_reason(admin_user):
    with pytest.raises(ApplicationError) as excinfo:
        rule_pack_update(code="cn", parameters={}, user=admin_user, reason=" ")
    assert "reason" in excinfo.value.errors


# --- evaluate -----------------------------------------------------------------------


def test_evaluate_writes_nothing(debtor):
    decision = contact_evaluate(customer=debtor, channel="call", at=MORNING)
    assert decision.allowed
    assert Decision.objects.count() == 0
    assert ContactAttempt.objects.count() == 0


def test_evaluate_reads_in_a_constant_number_of_queries(
    debtor, django_assert_max_num_queries
):
    for i in range(10):
        contact_attempt_record_external(
            customer=debtor,
            channel="call",
            contact_value="+8613800138000",
            at=MORNING - dt.timedelta(hours=i + 1),
            result="no_answer",
            source="agency",
        )
    ContactRestrictionFactory(customer=debtor, kind="dispute", ends_at=None)
    with django_assert_max_num_queries(1):
        contact_evaluate(customer=debtor, channel="call", at=MORNING)


def test_default_contact_point_is_the_primary_own_point_for_the_channel():
    customer = CustomerFactory()
    ContactPointFactory(customer=customer, value="+8613800138001", is_primary=False)
    primary = ContactPointFactory(customer=customer, value="+8613800138002")
    ContactPointFactory(
        customer=customer,
        value="+8613900139000",
        relationship="spouse",
        is_primary=True,
    )
    email = ContactPointFactory(
        customer=customer, channel="email", value="a@example.com"
    )
    assert contact_evaluate(
        customer=customer, channel="call", at=MORNING
    ).contact_point_id == (primary.pk)
    assert contact_evaluate(
        customer=customer, channel="email", at=MORNING
    ).contact_point_id == (email.pk)


def test_customer_without_an_address_cannot_be_sent_a_letter(debtor):
    decision = contact_evaluate(customer=debtor, channel="letter", at=MORNING)
    assert decision.outcome == "deny"
    assert decision.codes == ["invalid_contact_point"]


def test_contact_point_can_be_given_by_value(debtor):
    decision = contact_evaluate(
        customer=debtor, channel="sms", contact_point="+86 138 0013 8000", at=MORNING
    )
    assert decision.allowed


def test_unknown_contact_point_value_is_refused_naming_the_field(debtor):
    with pytest.raises(ApplicationError) as excinfo:
        contact_evaluate(
            customer=debtor, channel="call", contact_point="+8613700000000"
        )
    assert "contact_point" in excinfo.value.errors


def test_someone_elses_contact_point_is_refused(debtor):
    stranger = ContactPointFactory()
    with pytest.raises(ApplicationError) as excinfo:
        contact_evaluate(customer=debtor, channel="call", contact_point=stranger)
    assert "contact_point" in excinfo.value.errors


def test_unknown_channel_is_refused(debtor):
    with pytest.raises(ApplicationError) as excinfo:
        contact_evaluate(customer=debtor, channel="fax")
    assert "channel" in excinfo.value.errors


def test_naive_time_is_refused(debtor):
    with pytest.raises(ApplicationError) as excinfo:
        contact_evaluate(
            customer=debtor, channel="call", at=dt.datetime(2026, 3, 10, 10)
        )
    assert "at" in excinfo.value.errors


def test_restriction_recorded_in_the_database_blocks_and_ended_one_does_not(debtor):
    ContactRestrictionFactory(
        customer=debtor,
        kind="legal_hold",
        starts_at=MORNING - dt.timedelta(days=10),
        ends_at=MORNING - dt.timedelta(days=1),
    )
    assert contact_evaluate(customer=debtor, channel="call", at=MORNING).allowed
    ContactRestrictionFactory(
        customer=debtor,
        kind="cease_communication",
        starts_at=MORNING - dt.timedelta(hours=1),
    )
    decision = contact_evaluate(customer=debtor, channel="call", at=MORNING)
    assert decision.codes == ["cease_communication"]


def test_us_customer_with_new_york_number_and_california_address(db):
    customer = UsCustomerFactory(region="CA")
    ContactPointFactory(customer=customer, value="+12125550100")
    early = contact_evaluate(
        customer=customer,
        channel="call",
        at=dt.datetime(2026, 3, 10, 10, 30, tzinfo=NY),
    )
    assert early.next_permitted_at == dt.datetime(2026, 3, 10, 11, 0, tzinfo=NY)
    assert early.rule_pack == "us"


def test_uk_customer_on_a_bank_holiday_with_an_override(db):
    from compliance.models import HolidayOverride

    customer = UkCustomerFactory()
    ContactPointFactory(customer=customer, value="+442071234567")
    lon = ZoneInfo("Europe/London")
    tuesday = dt.datetime(2026, 3, 10, 10, tzinfo=lon)
    assert contact_evaluate(customer=customer, channel="call", at=tuesday).allowed
    HolidayOverride.objects.create(
        country="GB", date=dt.date(2026, 3, 10), is_holiday=True
    )
    decision = contact_evaluate(customer=customer, channel="call", at=tuesday)
    assert decision.codes == ["holiday_blackout", "contact_window"]
    assert decision.next_permitted_at == dt.datetime(2026, 3, 11, 8, tzinfo=lon)


# --- request, complete, external ----------------------------------------------------


def test_allowed_request_writes_a_pending_attempt_and_its_decision(debtor, collector):
    decision, attempt = contact_request(
        customer=debtor, channel="call", at=MORNING, actor=collector, source="ui"
    )
    assert decision.allowed
    assert attempt.result == ContactAttempt.Result.PENDING
    assert attempt.allowed and attempt.contact_value == "+8613800138000"
    row = attempt.decision
    assert row.outcome == "allow_with_conditions"
    assert row.conditions == decision.conditions
    assert row.rule_pack == "cn" and row.rule_pack_version == 1
    assert row.actor == collector
    assert attempt.history.first().history_user == collector


def test_blocked_request_writes_a_blocked_attempt_with_reasons(debtor):
    late = dt.datetime(2026, 3, 10, 22, 30, tzinfo=SH)
    decision, attempt = contact_request(customer=debtor, channel="call", at=late)
    assert not decision.allowed
    assert attempt.result == ContactAttempt.Result.BLOCKED
    row = attempt.decision
    assert row.reasons == decision.to_dict()["reasons"]
    assert row.next_permitted_at == dt.datetime(2026, 3, 11, 8, 0, tzinfo=SH)


def test_decisions_are_append_only(debtor):
    _, attempt = contact_request(customer=debtor, channel="call", at=MORNING)
    with pytest.raises(ValueError):
        attempt.decision.save()


def test_pending_attempts_count_so_the_seventh_request_in_a_day_is_blocked(debtor):
    for i in range(6):
        decision, attempt = contact_request(
            customer=debtor, channel="call", at=MORNING + dt.timedelta(minutes=i)
        )
        assert decision.allowed
        if i < 3:
            contact_attempt_complete(attempt=attempt, result="no_answer")
    decision, attempt = contact_request(
        customer=debtor, channel="call", at=MORNING + dt.timedelta(minutes=10)
    )
    assert not decision.allowed
    assert decision.reasons[0]["rule"] == "cn.frequency_cap.unanswered_per_point"


def test_completing_with_a_conversation_starts_the_us_cooldown(db):
    customer = UsCustomerFactory(region="NY")
    ContactPointFactory(customer=customer, value="+12125550100")
    monday = dt.datetime(2026, 3, 2, 10, tzinfo=NY)
    _, attempt = contact_request(customer=customer, channel="call", at=monday)
    contact_attempt_complete(
        attempt=attempt,
        result="conversation",
        completed_at=monday + dt.timedelta(minutes=5),
    )
    decision = contact_evaluate(
        customer=customer, channel="call", at=dt.datetime(2026, 3, 5, 10, tzinfo=NY)
    )
    assert decision.codes == ["post_conversation_cooldown", "contact_window"]
    assert decision.next_permitted_at == dt.datetime(2026, 3, 9, 8, tzinfo=NY)


def test_an_attempt_cannot_be_completed_twice(debtor):
    _, attempt = contact_request(customer=debtor, channel="call", at=MORNING)
    contact_attempt_complete(attempt=attempt, result="no_answer")
    with pytest.raises(ConflictError):
        contact_attempt_complete(attempt=attempt, result="conversation")


def test_a_message_cannot_end_in_a_call_result(debtor):
    _, attempt = contact_request(customer=debtor, channel="sms", at=MORNING)
    with pytest.raises(ApplicationError) as excinfo:
        contact_attempt_complete(attempt=attempt, result="voicemail")
    assert "result" in excinfo.value.errors
    assert contact_attempt_complete(attempt=attempt, result="sent").result == "sent"


def test_agency_conversations_count_toward_the_cn_daily_conversation_cap(debtor):
    for hour in (9, 10):
        _, attempt = contact_request(
            customer=debtor, channel="call", at=MORNING.replace(hour=hour)
        )
        contact_attempt_complete(attempt=attempt, result="conversation")
    assert contact_evaluate(
        customer=debtor, channel="call", at=MORNING.replace(hour=15)
    ).allowed
    external = contact_attempt_record_external(
        customer=debtor,
        channel="call",
        contact_value="138 0013 8000",
        at=MORNING.replace(hour=11),
        result="conversation",
        source="agency:acme",
    )
    assert external.allowed and external.decision is None
    assert external.contact_point.value == "+8613800138000"
    decision = contact_evaluate(
        customer=debtor, channel="call", at=MORNING.replace(hour=15)
    )
    assert decision.reasons[0]["rule"] == "cn.frequency_cap.conversations_per_debtor"


def test_external_not_connected_calls_do_not_count_toward_us_seven_in_seven(db):
    customer = UsCustomerFactory(region="NY")
    ContactPointFactory(customer=customer, value="+12125550100")
    loan = LoanFactory(customer=customer, currency="USD")
    for day in range(3, 10):
        contact_attempt_record_external(
            customer=customer,
            channel="call",
            contact_value="+12125550100",
            at=dt.datetime(2026, 3, day, 12, tzinfo=NY),
            result="not_connected",
            loan=loan,
            source="dialer",
        )
    at = dt.datetime(2026, 3, 10, 12, tzinfo=NY)
    assert contact_evaluate(customer=customer, channel="call", at=at, loan=loan).allowed


def test_external_attempt_with_a_bad_number_is_refused(debtor):
    with pytest.raises(ApplicationError) as excinfo:
        contact_attempt_record_external(
            customer=debtor,
            channel="call",
            contact_value="not a number",
            at=MORNING,
            result="no_answer",
            source="agency",
        )
    assert "contact_point" in excinfo.value.errors


def in_thread(fn):
    """Run fn on its own connection, outside the test's transaction (so it commits)."""
    box = {}

    def run():
        try:
            box["value"] = fn()
        except Exception as exc:  # re-raised in the test's thread
            box["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box.get("value")


@pytest.mark.postgres
def test_two_concurrent_requests_cannot_both_take_the_last_slot():
    # The rows must be committed for other connections to see them; they are made and
    # removed on side connections, so the test database is left as it was found.
    def setup():
        customer = CustomerFactory()
        ContactPointFactory(customer=customer, value="+8613800138000")
        for i in range(5):
            contact_attempt_record_external(
                customer=customer,
                channel="call",
                contact_value="+8613800138000",
                at=MORNING - dt.timedelta(minutes=i + 1),
                result="no_answer",
                source="dialer",
            )
        return customer

    customer = in_thread(setup)
    barrier = threading.Barrier(2)
    results = []

    def request():
        try:
            barrier.wait()
            decision, _ = contact_request(customer=customer, channel="call", at=MORNING)
            results.append(decision.allowed)
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(results) == [False, True]
    finally:

        def cleanup():
            import pgtrigger

            from cases.models import ContactPoint, Customer
            from compliance.models import LedgerChainHead

            attempts = ContactAttempt.objects.filter(customer=customer)
            decision_ids = list(attempts.values_list("decision_id", flat=True))
            ContactAttempt.history.filter(customer_id=customer.pk).delete()
            # The ledger refuses deletes (issue 15): the test lifts the triggers to
            # remove its own committed rows, and resets the chains it wrote to.
            with pgtrigger.ignore(
                "compliance.ContactAttempt:attempt_no_delete",
                "compliance.Decision:decision_append_only",
            ):
                attempts.delete()
                Decision.objects.filter(pk__in=[d for d in decision_ids if d]).delete()
            LedgerChainHead.objects.all().delete()
            # Deleting a row writes its "deleted" history record: histories last.
            ContactPoint.objects.filter(customer=customer).delete()
            ContactPoint.history.filter(customer_id=customer.pk).delete()
            Customer.objects.filter(pk=customer.pk).delete()
            Customer.history.filter(id=customer.pk).delete()

        in_thread(cleanup)


def test_lengthening_a_counting_window_reads_the_older_ledger_too(debtor, admin_user):
    # The gate reads as far back as the packs counted last time; a pack edited to
    # count further back must make it read again, not decide on a short ledger.
    for days_ago in (12, 13, 14):
        contact_attempt_record_external(
            customer=debtor,
            channel="call",
            contact_value="+8613800138000",
            at=MORNING - dt.timedelta(days=days_ago),
            result="conversation",
            source="agency",
        )
    assert contact_evaluate(customer=debtor, channel="call", at=MORNING).allowed
    rule_pack_update(
        code="cn",
        parameters={
            # The legally required caps stay (compliance.floors); one is added.
            "frequency_caps": default_parameters("cn")["frequency_caps"]
            + [
                {
                    "id": "conversations_per_fortnight",
                    "channels": ["call"],
                    "max": 3,
                    "window": "rolling_days",
                    "days": 20,
                    "scope": "debtor",
                    "counted": ["conversation"],
                    "citation": "test policy",
                }
            ]
        },
        user=admin_user,
        reason="Test a long window",
    )
    decision = contact_evaluate(customer=debtor, channel="call", at=MORNING)
    assert decision.reasons[0]["rule"] == "cn.frequency_cap.conversations_per_fortnight"
