"""/metrics: Prometheus text for a scraper on an allowed network or with the token;
request, database and product counters, and state read at scrape time."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from core.tasks import heartbeat
from messaging.models import OutboundMessage
from messaging.tasks import dispatch_outbox
from tests.messaging.factories import OutboundMessageFactory

pytestmark = pytest.mark.django_db


def scrape(client, **headers) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def value(samples, metric, **labels) -> float:
    return samples.get((metric, tuple(sorted(labels.items()))), 0.0)


def total(samples, name) -> float:
    return sum(v for (n, _labels), v in samples.items() if n == name)


def test_only_allowed_networks_may_scrape(client):
    assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403


def test_a_token_replaces_the_network_rule(client, settings):
    settings.METRICS_TOKEN = "scrape-secret"
    assert client.get("/metrics").status_code == 403
    wrong = {"HTTP_AUTHORIZATION": "Bearer nope"}
    assert client.get("/metrics", **wrong).status_code == 403
    scrape(client, HTTP_AUTHORIZATION="Bearer scrape-secret")


def test_requests_latency_and_queries_are_counted_by_view(client, admin_user):
    client.force_login(admin_user)
    client.get("/readyz")
    samples = scrape(client)
    by_view = "django_http_requests_total_by_view_transport_method_total"
    assert value(samples, by_view, view="readyz", transport="http", method="GET") >= 1
    assert total(samples, "django_http_requests_latency_seconds_by_view_method_count")
    assert total(samples, "django_db_execute_total") > 0


def test_the_outbox_backlog_and_the_oldest_due_message_are_read_at_scrape(client):
    now = timezone.now()
    OutboundMessageFactory(send_after=now - dt.timedelta(minutes=10))
    OutboundMessageFactory(send_after=now + dt.timedelta(hours=1))
    OutboundMessageFactory(status=OutboundMessage.Status.UNKNOWN)

    samples = scrape(client)
    assert value(samples, "collections_outbox_backlog", status="pending") == 2
    assert value(samples, "collections_outbox_backlog", status="unknown") == 1
    assert value(samples, "collections_outbox_backlog", status="sending") == 0
    assert 600 <= value(samples, "collections_outbox_oldest_due_seconds") < 700


def test_the_heartbeat_age_is_exported(client):
    heartbeat()
    samples = scrape(client)
    assert (
        0 <= value(samples, "collections_heartbeat_age_seconds", name="beat+worker") < 5
    )


def test_dispatch_results_are_counted(client, any_hour):
    OutboundMessageFactory(send_after=timezone.now() - dt.timedelta(minutes=1))
    before = total(scrape(client), "collections_outbox_dispatched_total")

    dispatch_outbox(max_seconds=5)

    after = total(scrape(client), "collections_outbox_dispatched_total")
    assert after == before + 1


def test_login_lockouts_are_counted(client, collector):
    before = total(scrape(client), "collections_login_lockouts_total")
    for _ in range(5):
        client.post("/accounts/login/", {"username": "collector", "password": "wrong"})
    after = total(scrape(client), "collections_login_lockouts_total")
    assert after == before + 1


def test_every_metric_the_alert_rules_name_is_exported(client):
    rules = (Path(settings.BASE_DIR) / "deploy/prometheus/alerts.yml").read_text()
    named = set(re.findall(r"\b((?:collections|django)_\w+)", rules))
    response = client.get("/metrics")
    families = {
        family.name
        for family in text_string_to_metric_families(response.content.decode())
    }
    missing = {
        name
        for name in named
        if re.sub(r"_(total|bucket|count|sum)$", "", name) not in families
    }
    assert named and missing == set()


def test_pii_reveals_are_counted_by_field(client, collector, queue):
    from calls.services import pii_reveal
    from tests.cases.factories import CaseFactory, ContactPointFactory

    case = CaseFactory(queue=queue)
    phone = ContactPointFactory(customer=case.customer)
    before = value(
        scrape(client), "collections_pii_reveals_total", field="contact_point"
    )

    pii_reveal(
        user=collector,
        case=case,
        field="contact_point",
        contact_point=phone,
        reason="confirming the number",
    )

    after = value(
        scrape(client), "collections_pii_reveals_total", field="contact_point"
    )
    assert after == before + 1
