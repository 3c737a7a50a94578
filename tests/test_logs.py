"""Structured logs: JSON lines with a request id that follows the request into the
Celery tasks it starts, and no PII on any line (core.logs, settings.LOGGING)."""

import io
import json
import logging
import subprocess
import sys

import pytest
from django.conf import settings

from core.logs import log_formatter, scrub
from tests.api import client_for
from tests.cases.factories import CaseFactory, ContactPointFactory, CustomerFactory
from tests.celery_harness import wait_for, worker

PHONE = "+8613900139000"
NATIONAL_ID = "11010519491231002X"
EMAIL = "li.lei@example.cn"


@pytest.fixture
def log_lines():
    """Every log line, as settings.LOGGING's formatter writes it in production."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(log_formatter("json"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def test_production_settings_log_json_lines():
    code = (
        "import django, logging; django.setup();"
        "logging.getLogger('probe').warning('hello %s', 'world')"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "example.org",
        "DEBUG": "0",
        "TESTING": "0",
        "DJANGO_SETTINGS_MODULE": "collections_app.settings",
    }
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = [json.loads(line) for line in done.stderr.splitlines()]
    probe = next(line for line in lines if line["logger"] == "probe")
    assert probe["event"] == "hello world"
    assert probe["level"] == "warning"
    assert probe["timestamp"].endswith("Z")


@pytest.mark.django_db
def test_every_line_of_a_request_carries_the_same_request_id(log_lines, admin_user):
    client_for(admin_user).get("/api/v1/customers/")

    lines = [line for line in log_lines() if "request_id" in line]
    events = {line["event"] for line in lines}
    assert {"request_started", "request_finished"} <= events
    assert len({line["request_id"] for line in lines}) == 1


@pytest.mark.django_db
def test_a_workflow_leaves_no_phone_name_or_national_id_in_the_logs(
    log_lines, client, collector, queue
):
    customer = CustomerFactory(
        full_name="韩梅梅", national_id=NATIONAL_ID, address="上海市黄浦区南京东路100号"
    )
    ContactPointFactory(customer=customer, value=PHONE)
    ContactPointFactory(customer=customer, channel="email", value=EMAIL)
    case = CaseFactory(customer=customer, queue=queue)
    api = client_for(collector)
    # Reads, a search by phone in the query string, a reveal, a bad request that
    # echoes its input, and a failing one.
    api.get(f"/api/v1/cases/{case.reference}/")
    api.get("/api/v1/customers/", {"search": PHONE})
    client.force_login(collector)
    client.get(f"/cases/{case.reference}/")
    api.post(
        "/api/v1/restrictions/",
        {"customer": case.customer.reference, "kind": "dispute", "reason": PHONE},
        format="json",
    )
    api.post("/api/v1/compliance/check/", {"contact_point": PHONE}, format="json")
    logging.getLogger("probe").error(
        "lookup %s %s %s failed", PHONE, EMAIL, NATIONAL_ID
    )

    text = json.dumps(log_lines(), ensure_ascii=False)
    assert "request_finished" in text
    for secret in (PHONE, PHONE[3:], NATIONAL_ID, EMAIL, "韩梅梅"):
        assert secret not in text


def test_the_scrubber_masks_phones_emails_and_ids_but_not_counts_or_dates():
    assert scrub(f"sms to {PHONE}") == "sms to •••••••••9000"
    assert scrub("call 13900139000") == "call •••••••9000"
    assert scrub(EMAIL) == "l•••@example.cn"
    assert scrub(NATIONAL_ID) == "••••••••••••••002X"
    kept = "333333 loans, 10000000 rows on 2026-12-03 at 08:30, ip 127.0.0.1"
    assert scrub(kept) == kept


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_task_started_by_a_request_logs_the_request_id(
    log_lines, admin_user, gateway, settings
):
    """A restriction recorded through the API announces a webhook event, which wakes
    the outbox dispatcher after commit: the worker's lines carry the request's id."""
    from integrations.services import subscription_create

    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]  # a plain-http local receiver
    subscription_create(
        name="core banking",
        url="http://127.0.0.1:9/hook",
        events=["restriction.recorded"],
        secret="s" * 32,
    )
    customer = CaseFactory().customer
    # The worker consumes the broker this test process publishes to (REDIS_URL).
    with worker(
        broker=settings.REDIS_URL,
        gateway=gateway.url,
        LOG_FORMAT="json",
        WEBHOOK_ALLOWED_HOSTS="127.0.0.1",
    ) as w:
        response = client_for(admin_user).post(
            "/api/v1/restrictions/",
            {"customer": customer.reference, "kind": "dispute", "reason": "x"},
            format="json",
        )
        assert response.status_code == 201, response.json()
        [request_id] = {
            line["request_id"]
            for line in log_lines()
            if line.get("request") == "POST /api/v1/restrictions/"
        }

        def worker_lines():
            for line in w.log.read_text().splitlines():
                try:
                    yield json.loads(line)
                except ValueError:
                    continue

        wait_for(
            lambda: any(
                line.get("request_id") == request_id
                and "dispatch_outbox" in json.dumps(line)
                for line in worker_lines()
            ),
            timeout=30,
            what="the request id on the dispatcher's lines in the worker log",
        )
