"""Where webhooks may go (server-side request forgery): https to public addresses
only, checked when a subscription is saved and again at every delivery, unless
WEBHOOK_ALLOWED_HOSTS names the host."""

import datetime as dt
import socket
from decimal import Decimal

import pytest
from django.utils import timezone

from cases import services as case_services
from core.errors import ApplicationError
from integrations.services import subscription_create, subscription_update
from messaging import services as outbox
from messaging import sms
from messaging.models import OutboundMessage
from tests.api import client_for
from tests.cases.factories import CaseFactory, loan_with_schedule
from tests.integrations.receiver import WebhookReceiver

pytestmark = pytest.mark.django_db

PUBLIC = "93.184.215.14"  # a public address: no DNS needed for a literal


def create(url: str):
    return subscription_create(
        name="bank", url=url, events=["promise.made"], secret="s" * 32
    )


@pytest.fixture
def dns(monkeypatch):
    """The outside world's DNS, scripted: {name: [addresses]}; other names resolve
    as usual (the receiver's 127.0.0.1, literals)."""
    answers: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in answers:
            return [
                (
                    socket.AF_INET6 if ":" in a else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (a, port or 443),
                )
                for a in answers[host]
            ]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",  # loopback
        "https://localhost:8443/hook",  # a name for loopback
        "https://2130706433/hook",  # loopback written as one number
        "https://[::1]/hook",  # IPv6 loopback
        "https://[::ffff:127.0.0.1]/hook",  # loopback mapped into IPv6
        "https://169.254.169.254/latest/meta-data/",  # link-local: cloud metadata
        "https://10.1.2.3/hook",  # private
        "https://172.16.0.9/hook",
        "https://192.168.1.10/hook",
        "https://[fd00::1]/hook",  # unique local (private IPv6)
        "https://100.64.0.1/hook",  # shared address space (carrier NAT)
        "https://0.0.0.0/hook",  # unspecified
        "https://224.0.0.1/hook",  # multicast
        "https://240.0.0.1/hook",  # reserved
    ],
)
def test_a_subscription_to_a_non_public_address_is_refused_naming_the_url(url):
    with pytest.raises(ApplicationError) as refused:
        create(url)

    assert "url" in refused.value.errors
    assert "public" in refused.value.errors["url"][0]


def test_plain_http_is_refused_even_to_a_public_address():
    with pytest.raises(ApplicationError) as refused:
        create(f"http://{PUBLIC}/hook")

    assert "https" in refused.value.errors["url"][0]


def test_https_to_a_public_address_is_accepted():
    assert create(f"https://{PUBLIC}/hook").url == f"https://{PUBLIC}/hook"


def test_a_name_is_refused_when_any_of_its_addresses_is_private(dns):
    dns["hooks.bank.example"] = [PUBLIC, "10.0.0.7"]

    with pytest.raises(ApplicationError) as refused:
        create("https://hooks.bank.example/hook")

    assert "10.0.0.7" in refused.value.errors["url"][0]


def test_a_name_with_only_public_addresses_is_accepted(dns):
    dns["hooks.bank.example"] = [PUBLIC]

    assert create("https://hooks.bank.example/hook").reference


def test_changing_the_url_to_a_private_address_is_refused():
    subscription = create(f"https://{PUBLIC}/hook")

    with pytest.raises(ApplicationError) as refused:
        subscription_update(subscription=subscription, url="https://10.0.0.1/")

    assert "url" in refused.value.errors
    subscription.refresh_from_db()
    assert subscription.url == f"https://{PUBLIC}/hook"


def test_the_api_refuses_a_private_address_with_400_naming_the_url(admin_user):
    client = client_for(admin_user)

    response = client.post(
        "/api/v1/webhook-subscriptions/",
        {"name": "x", "url": "https://169.254.169.254/", "events": ["promise.made"]},
        format="json",
    )

    assert response.status_code == 400
    assert "url" in response.json()["errors"], response.json()


def test_the_api_refuses_changing_the_url_to_loopback(admin_user):
    subscription = create(f"https://{PUBLIC}/hook")

    response = client_for(admin_user).patch(
        f"/api/v1/webhook-subscriptions/{subscription.reference}/",
        {"url": "https://127.0.0.1:8443/"},
        format="json",
    )

    assert response.status_code == 400
    assert "url" in response.json()["errors"], response.json()


def test_the_django_admin_refuses_a_private_address_on_the_form(client, admin_user):
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)

    response = client.post(
        "/admin/integrations/webhooksubscription/add/",
        {
            "name": "Core",
            "url": "https://192.168.0.10/hooks",
            "events": ["promise.made"],
            "active": "on",
        },
    )

    assert response.status_code == 200
    assert "public" in str(response.context["adminform"].form.errors["url"])


def test_an_allow_listed_host_may_be_private_and_plain_http(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1:8080", "receiver.internal"]

    assert create("http://127.0.0.1:8080/hook").reference
    assert create("http://receiver.internal/hook").reference
    with pytest.raises(ApplicationError):  # another port of the same host
        create("http://127.0.0.1:8081/hook")


# --------------------------------------------------------------------------------------
# Checked again at delivery: DNS can change after the subscription was saved
# --------------------------------------------------------------------------------------


@pytest.fixture
def case():
    loan = loan_with_schedule(dues=[(-10, "1000"), (20, "1000")])
    return CaseFactory(customer=loan.customer, overdue_amount=Decimal("1000"))


def _promise_and_dispatch(case):
    case_services.promise_record(
        case=case,
        amount=Decimal("300"),
        due_date=timezone.localdate() + dt.timedelta(days=3),
    )
    return outbox.outbox_dispatch(now=timezone.now(), backend=sms.LocmemBackend())


def test_a_name_that_now_resolves_to_loopback_is_not_delivered_to(dns, case):
    with WebhookReceiver() as receiver:
        port = receiver.server.server_address[1]
        dns["hooks.bank.example"] = [PUBLIC]
        create(f"https://hooks.bank.example:{port}/hooks/collections")
        dns["hooks.bank.example"] = ["127.0.0.1"]  # rebound to the receiver

        report = _promise_and_dispatch(case)

        assert receiver.state.requests == []
    assert report.failed == 1
    row = OutboundMessage.objects.get(channel=OutboundMessage.Channel.WEBHOOK)
    assert row.status == OutboundMessage.Status.FAILED
    assert "refused" in row.last_error and "127.0.0.1" in row.last_error


def test_a_host_taken_off_the_allow_list_is_no_longer_delivered_to(settings, case):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    with WebhookReceiver() as receiver:
        create(receiver.url)
        settings.WEBHOOK_ALLOWED_HOSTS = []

        report = _promise_and_dispatch(case)

        assert receiver.state.requests == []
    assert report.failed == 1
    row = OutboundMessage.objects.get(channel=OutboundMessage.Channel.WEBHOOK)
    assert "refused" in row.last_error and "https" in row.last_error


def test_an_allow_listed_receiver_is_delivered_to(settings, case):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    with WebhookReceiver() as receiver:
        create(receiver.url)

        report = _promise_and_dispatch(case)

        assert len(receiver.state.requests) == 1
    assert report.sent == 1


def test_the_allow_list_setting_refuses_a_bad_port(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from collections_app.settings import env_host_ports

    monkeypatch.setenv("WEBHOOK_ALLOWED_HOSTS", "127.0.0.1:8080, [::1]:9000,hooks")
    assert env_host_ports("WEBHOOK_ALLOWED_HOSTS") == [
        "127.0.0.1:8080",
        "[::1]:9000",
        "hooks",
    ]
    monkeypatch.setenv("WEBHOOK_ALLOWED_HOSTS", "127.0.0.1:http")
    with pytest.raises(ImproperlyConfigured, match="WEBHOOK_ALLOWED_HOSTS"):
        env_host_ports("WEBHOOK_ALLOWED_HOSTS")
