"""Outbound webhook events: written with the domain change, delivered by the outbox
dispatcher to a real HTTP receiver on 127.0.0.1, signed, retried, dead-lettered."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from cases import services as case_services
from cases.models import Case, PromiseToPay
from compliance.restrictions import restriction_create
from integrations import delivery, events
from integrations.models import WebhookSubscription
from integrations.services import subscription_create
from messaging import services as outbox
from messaging import sms
from messaging.models import OutboundMessage
from tests.api import client_for
from tests.cases.factories import CaseFactory, PromiseToPayFactory, loan_with_schedule
from tests.integrations.receiver import WebhookReceiver

pytestmark = pytest.mark.django_db
Status = OutboundMessage.Status
WEBHOOK = OutboundMessage.Channel.WEBHOOK


@pytest.fixture(autouse=True)
def _receiver_allowed(settings):
    """The receiver runs on 127.0.0.1 over plain http: an operator's allow-list entry
    (integrations.destinations refuses both otherwise)."""
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]


@pytest.fixture
def receiver():
    with WebhookReceiver() as r:
        yield r


@pytest.fixture
def case():
    loan = loan_with_schedule(dues=[(-10, "1000"), (20, "1000")])
    return CaseFactory(customer=loan.customer, overdue_amount=Decimal("1000"))


def subscribe(receiver, *events_, secret="s" * 32, **kwargs) -> WebhookSubscription:
    return subscription_create(
        name="core banking",
        url=receiver.url,
        events=list(events_),
        secret=secret,
        **kwargs,
    )


def dispatch(now=None):
    return outbox.outbox_dispatch(
        now=now or timezone.now(), backend=sms.LocmemBackend()
    )


def promise(case, amount="300"):
    return case_services.promise_record(
        case=case,
        amount=Decimal(amount),
        due_date=timezone.localdate() + dt.timedelta(days=3),
    )


def verified(request, secret: str) -> dict:
    """What a receiver does: check the signature and the timestamp, then parse."""
    headers = request["headers"]
    assert delivery.signature_verify(
        secret=secret,
        body=request["body"],
        timestamp=headers["X-Collections-Timestamp"],
        header=headers["X-Collections-Signature"],
    ), headers
    return json.loads(request["body"])


# --------------------------------------------------------------------------------------
# Subscriptions through the API
# --------------------------------------------------------------------------------------


def test_an_admin_subscribes_and_sees_the_generated_secret_once(admin_user, receiver):
    client = client_for(admin_user)

    response = client.post(
        "/api/v1/webhook-subscriptions/",
        {"name": "Core", "url": receiver.url, "events": ["promise.made"]},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["secret"].startswith("whsec_")
    listed = client.get("/api/v1/webhook-subscriptions/").json()["results"]
    assert listed[0]["reference"] == body["reference"]
    assert "secret" not in listed[0]
    assert listed[0]["secret_hint"] == "…" + body["secret"][-4:]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "url": "ftp://x", "events": ["promise.made"]}, "url"),
        ({"name": "x", "url": "http://127.0.0.1/", "events": []}, "events"),
        ({"name": "x", "url": "http://127.0.0.1/", "events": ["x.y"]}, "events[0]"),
        (
            {
                "name": "x",
                "url": "http://127.0.0.1/",
                "events": ["case.closed"],
                "secret": "short",
            },
            "secret",
        ),
    ],
)
def test_a_bad_subscription_is_refused_naming_the_field(admin_user, body, field):
    response = client_for(admin_user).post(
        "/api/v1/webhook-subscriptions/", body, format="json"
    )

    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()


def test_collectors_may_not_manage_subscriptions(collector):
    response = client_for(collector).get("/api/v1/webhook-subscriptions/")

    assert response.status_code == 403
    assert set(response.json()) == {"code", "message", "errors"}


def test_a_subscription_is_switched_off_not_deleted(admin_user, receiver):
    subscription = subscribe(receiver, "promise.made")
    client = client_for(admin_user)

    response = client.delete(f"/api/v1/webhook-subscriptions/{subscription.reference}/")

    assert response.status_code == 204
    subscription.refresh_from_db()
    assert subscription.active is False
    patched = client.patch(
        f"/api/v1/webhook-subscriptions/{subscription.reference}/",
        {"active": True, "events": ["case.closed"]},
        format="json",
    )
    assert patched.json()["active"] is True
    assert patched.json()["events"] == ["case.closed"]


# --------------------------------------------------------------------------------------
# Events written with the change, delivered signed
# --------------------------------------------------------------------------------------


def test_a_promise_is_announced_signed_to_its_subscriber(receiver, case):
    subscription = subscribe(receiver, "promise.made")

    made = promise(case)
    report = dispatch()

    assert report.sent == 1
    [request] = receiver.state.requests
    body = verified(request, subscription.secret)
    assert body["type"] == "promise.made"
    assert body["id"].startswith("evt_")
    assert body["data"]["case"] == case.reference
    assert body["data"]["customer"] == case.customer.reference
    assert body["data"]["promise"]["amount"] == "300.00"
    assert body["data"]["promise"]["id"] == made.pk
    assert request["path"] == "/hooks/collections"
    assert request["headers"]["X-Collections-Event"] == "promise.made"
    assert request["headers"]["X-Collections-Event-Id"] == body["id"]
    row = OutboundMessage.objects.get(channel=WEBHOOK)
    assert row.status == Status.SENT and row.contact_point is None


def test_a_tampered_body_or_wrong_secret_fails_verification(receiver, case):
    subscription = subscribe(receiver, "promise.made")
    promise(case)
    dispatch()
    [request] = receiver.state.requests
    headers = request["headers"]

    for secret, body in [
        ("wrong-secret-wrong-secret", request["body"]),
        (subscription.secret, request["body"].replace(b"300.00", b"3.00")),
    ]:
        assert not delivery.signature_verify(
            secret=secret,
            body=body,
            timestamp=headers["X-Collections-Timestamp"],
            header=headers["X-Collections-Signature"],
        )
    old = str(int(headers["X-Collections-Timestamp"]) - 3600)
    assert not delivery.signature_verify(
        secret=subscription.secret,
        body=request["body"],
        timestamp=old,
        header=delivery.signature(subscription.secret, old, request["body"]),
    )


def test_an_event_nobody_subscribed_to_is_not_delivered(receiver, case):
    subscribe(receiver, "plan.approved")

    promise(case)
    report = dispatch()

    assert report.claimed == 0
    assert not OutboundMessage.objects.filter(channel=WEBHOOK).exists()
    assert receiver.state.requests == []


def test_an_inactive_subscription_gets_nothing(receiver, case):
    subscribe(receiver, "promise.made", active=False)

    promise(case)
    dispatch()

    assert receiver.state.requests == []


def test_each_subscriber_gets_its_own_signed_copy(case):
    with WebhookReceiver() as first, WebhookReceiver() as second:
        one = subscribe(first, "promise.made", secret="a" * 32)
        two = subscribe(second, "promise.made", secret="b" * 32)

        promise(case)
        dispatch()

        body_one = verified(first.state.requests[0], one.secret)
        body_two = verified(second.state.requests[0], two.secret)
    assert body_one == body_two  # the same event, the same id


def test_no_event_leaves_when_the_change_rolls_back(receiver, case):
    subscribe(receiver, "promise.made")

    with pytest.raises(RuntimeError), transaction.atomic():
        promise(case)
        raise RuntimeError("the caller's transaction fails after the service")

    assert not OutboundMessage.objects.filter(channel=WEBHOOK).exists()
    assert not PromiseToPay.objects.exists()


def test_a_refused_change_emits_nothing(receiver, case):
    subscribe(receiver, "promise.made")

    with pytest.raises(Exception):  # noqa: B017 - the amount is above the balance
        promise(case, amount="999999")

    assert not OutboundMessage.objects.filter(channel=WEBHOOK).exists()


def test_a_subscription_switched_off_after_the_event_cancels_the_delivery(
    receiver, case
):
    subscription = subscribe(receiver, "promise.made")
    promise(case)
    subscription.active = False
    subscription.save()

    report = dispatch()

    assert report.cancelled == 1
    assert receiver.state.requests == []
    row = OutboundMessage.objects.get(channel=WEBHOOK)
    assert row.status == Status.CANCELLED


# --------------------------------------------------------------------------------------
# Retries, backoff, dead letter, lease recovery
# --------------------------------------------------------------------------------------


def test_a_5xx_is_retried_with_backoff_then_delivered(receiver, case):
    subscription = subscribe(receiver, "promise.made")
    receiver.state.script = [503]
    promise(case)
    start = timezone.now()

    first = dispatch(start)
    row = OutboundMessage.objects.get(channel=WEBHOOK)
    too_early = dispatch(start + dt.timedelta(seconds=30))
    second = dispatch(start + dt.timedelta(minutes=2))

    assert (first.failed, too_early.claimed, second.sent) == (1, 0, 1)
    assert row.status == Status.FAILED
    assert "503" in row.last_error
    assert row.send_after >= start + dt.timedelta(minutes=1)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 2)
    first_try, retry = receiver.state.requests
    assert first_try["body"] == retry["body"]  # the same event, re-signed
    verified(retry, subscription.secret)


def test_a_webhook_that_keeps_failing_is_dead_lettered(receiver, case, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    subscribe(receiver, "promise.made")
    receiver.state.script = [500, 502, 500, 200]
    promise(case)
    now = timezone.now()

    for hour in range(4):
        dispatch(now + dt.timedelta(hours=hour * 5))

    row = OutboundMessage.objects.get(channel=WEBHOOK)
    assert (row.status, row.attempts) == (Status.DEAD, 3)
    assert len(receiver.state.requests) == 3


def test_a_4xx_is_not_retried(receiver, case):
    subscribe(receiver, "promise.made")
    receiver.state.script = [410]
    promise(case)

    report = dispatch()

    assert report.dead == 1
    assert OutboundMessage.objects.get(channel=WEBHOOK).status == Status.DEAD


def test_an_unreachable_receiver_is_retried(case):
    with WebhookReceiver() as gone:
        url = gone.url
    subscription_create(name="down", url=url, events=["promise.made"], secret="s" * 32)
    promise(case)

    report = dispatch()

    assert report.failed == 1
    row = OutboundMessage.objects.get(channel=WEBHOOK)
    assert row.status == Status.FAILED and "not delivered" in row.last_error


def test_a_webhook_stranded_by_a_dead_worker_is_resent_by_the_lease_recovery(
    receiver, case, settings
):
    subscribe(receiver, "promise.made")
    promise(case)
    now = timezone.now()
    outbox.outbox_claim(limit=10, now=now)  # claimed, then the worker died

    result = outbox.outbox_recover_stale(
        now=now + dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1)
    )
    dispatch(now + dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 2))

    assert result == {"retried": 1, "unknown": 0}
    assert len(receiver.state.requests) == 1


def test_emitting_the_same_event_twice_writes_one_delivery(receiver, case):
    subscribe(receiver, "promise.made")
    made = promise(case)

    events.promise_made(made)

    assert OutboundMessage.objects.filter(channel=WEBHOOK).count() == 1


# --------------------------------------------------------------------------------------
# Every event type, from the service that makes the change
# --------------------------------------------------------------------------------------


def delivered_types(receiver, secret):
    return [verified(r, secret)["type"] for r in receiver.state.requests]


def test_a_broken_promise_is_announced_by_the_nightly_refresh(receiver, case):
    subscription = subscribe(receiver, "promise.broken")
    broken = PromiseToPayFactory(
        case=case, due_date=timezone.localdate() - dt.timedelta(days=2)
    )
    PromiseToPayFactory(case=case)  # still in time

    case_services.promise_refresh()
    dispatch()

    [request] = receiver.state.requests
    body = verified(request, subscription.secret)
    assert body["type"] == "promise.broken"
    assert body["data"]["promise"]["id"] == broken.pk
    assert body["data"]["promise"]["status"] == "broken"


def test_an_approved_plan_is_announced(receiver, case, supervisor, queue):
    case.queue = queue
    case.save()
    subscription = subscribe(receiver, "plan.approved")
    plan = case_services.plan_propose(
        case=case,
        kind="instalments",
        instalments=[
            {"due_date": timezone.localdate() + dt.timedelta(days=30), "amount": "500"}
        ],
        reason="hardship",
    )
    dispatch()
    assert receiver.state.requests == []  # proposed is not approved

    case_services.plan_approve(plan=plan, user=supervisor)
    dispatch()

    [request] = receiver.state.requests
    body = verified(request, subscription.secret)
    assert body["data"]["plan"]["reference"] == plan.reference
    assert body["data"]["plan"]["instalments"][0]["amount"] == "500.00"


def test_a_case_closed_by_a_payment_is_announced(receiver, case):
    subscription = subscribe(receiver, "case.closed")
    loan = case.customer.loans.get()

    case_services.payment_record(
        reference="PAY-WH-1",
        loan=loan,
        amount=Decimal("2000"),
        currency="CNY",
        received_at=timezone.now(),
    )
    dispatch()

    assert Case.objects.get(pk=case.pk).status == Case.Status.CLOSED
    [request] = receiver.state.requests
    body = verified(request, subscription.secret)
    assert body["data"]["case"]["reference"] == case.reference
    assert body["data"]["case"]["close_reason"] == "paid"


def test_cases_closed_by_the_delinquency_refresh_are_announced(receiver):
    subscription = subscribe(receiver, "case.closed")
    loan = loan_with_schedule(dues=[(20, "1000")])  # nothing overdue any more
    cured = CaseFactory(customer=loan.customer)

    case_services.delinquency_refresh()
    dispatch()

    assert Case.objects.get(pk=cured.pk).status == Case.Status.CLOSED
    bodies = [verified(r, subscription.secret) for r in receiver.state.requests]
    assert [b["data"]["case"]["reference"] for b in bodies] == [cured.reference]
    assert bodies[0]["data"]["case"]["close_reason"] == "cured"


def test_a_restriction_is_announced(receiver, case, admin_user):
    subscription = subscribe(receiver, "restriction.recorded")

    restriction = restriction_create(
        customer=case.customer, kind="dispute", reason="disputes the amount"
    )
    dispatch()

    [request] = receiver.state.requests
    body = verified(request, subscription.secret)
    assert body["data"]["restriction"] == {
        **body["data"]["restriction"],
        "id": restriction.pk,
        "kind": "dispute",
    }
    assert "disputes the amount" not in request["body"].decode()  # no free text


def test_webhook_rows_stay_out_of_the_reminder_list_and_show_as_deliveries(
    receiver, case, admin_user
):
    subscription = subscribe(receiver, "promise.made")
    promise(case)
    client = client_for(admin_user)

    reminders = client.get("/api/v1/outbound-messages/").json()
    deliveries = client.get(
        f"/api/v1/webhook-subscriptions/{subscription.reference}/deliveries/"
    ).json()

    assert reminders["count"] == 0
    assert [d["event"] for d in deliveries["results"]] == ["promise.made"]
    assert deliveries["results"][0]["status"] == "pending"


def test_dead_deliveries_are_queued_again_after_the_receiver_is_fixed(
    receiver, case, admin_user
):
    subscription = subscribe(receiver, "promise.made")
    receiver.state.script = [410]
    promise(case)
    dispatch()
    row = OutboundMessage.objects.get(channel=WEBHOOK)
    assert row.status == Status.DEAD
    url = f"/api/v1/webhook-subscriptions/{subscription.reference}/redeliver/"

    response = client_for(admin_user).post(url, {}, format="json")
    report = dispatch()

    assert response.json() == {"requeued": 1}
    assert report.sent == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 1)
    assert client_for(admin_user).post(url, {}, format="json").json() == {"requeued": 0}
