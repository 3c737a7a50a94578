"""The access matrix (issue 15, item 9): every URL pattern, every identity, against
the explicit table in tests/access_matrix_expected.py.

Every route the resolver knows (pages, fragments, the API, the Django admin) is
requested as each identity: anonymous, a collector, another team's collector, a
supervisor, another team's supervisor and an admin. Detail routes point at team A's
objects, so team B's people must get 404 (or the list page they are sent back to).
Pages and lists are probed with GET; every route also gets an empty POST, and API
views their other unsafe methods with an empty body. An identity the table allows
may answer anything but 401, 403 or 5xx; one it refuses must get exactly the class
the table says. API operations are also called with an integration token acting as
the admin: one holding only the scope the table names must be answered like the
admin, one holding every other scope must get 403. Tokens open no page.

Each unsafe probe runs in a savepoint that is rolled back (and the client's cookies
restored), so an empty POST that does something (sign out, claim a case) changes
nothing for the next probe.

A route without an entry fails with its name. To add one, run
`ACCESS_MATRIX_RECORD=1 pytest tests/test_access_matrix.py`, which writes what the
routes answer now to tests/access_matrix_recorded.py; review it, and copy the
lines into the table only once they are what they should be.
"""

from __future__ import annotations

import copy
import os
import re
import tempfile
from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tests.access_matrix_expected import EXPECTED
from tests.cases.factories import (
    CaseFactory,
    ContactPointFactory,
    UserFactory,
    loan_with_schedule,
)
from tests.compliance.factories import ContactRestrictionFactory
from tests.messaging.factories import MessageTemplateFactory

pytestmark = pytest.mark.django_db

IDENTITIES = ("anon", "collector", "outsider", "supervisor", "other_sup", "admin")
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
# Served by other things than views of this project, or only in DEBUG.
SKIPPED = {"^media/(?P<path>.*)$"}
# Answers 503 by design while no worker has written a heartbeat (core.health).
MAY_BE_UNAVAILABLE = {"readyz"}
# Team A's objects, by reference: nothing answered to team B may name them.
TEAM_A_MARKERS = re.compile(r"\b(CASE-A|CL-A|RP-A|AP-A|FU-A|CUST-A|LOAN-A)\b")


def routes() -> list[tuple[str, str, object]]:
    """(key, pattern, callback) for every URL pattern, recursively."""
    found = []

    def walk(resolver, prefix, namespace):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
                walk(entry, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                pattern = prefix + str(entry.pattern)
                if pattern in SKIPPED:
                    continue
                key = namespace + entry.name if entry.name else pattern
                found.append((key, pattern, entry.callback))

    walk(get_resolver(), "", "")
    return found


def api_methods(callback) -> list[str]:
    view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view is None:
        return ["GET", "POST"]
    methods = [m.upper() for m in view.http_method_names if hasattr(view, m)]
    methods = [m for m in methods if m not in ("HEAD", "OPTIONS")]
    return [m for m in ("GET", *UNSAFE) if m in methods]


def outcome(response) -> str:
    """The class of an answer: ok (2xx, or 3xx to a page), login (3xx to a sign-in
    page), or the status code."""
    code = response.status_code
    if 300 <= code < 400:
        location = response.get("Location", "")
        return "login" if re.search(r"/login/", location) else "ok"
    if 200 <= code < 300:
        return "ok"
    return str(code)


# --- the world the routes are probed in ----------------------------------------------


@pytest.fixture
def world(
    team, other_team, queue, other_queue, collector, outsider, supervisor, settings
):
    from calls.models import CallLog
    from cases.models import EscalationPolicy, RepaymentPlan
    from configuration.models import RulePackDraft
    from imports.models import ImportRun
    from integrations.models import WebhookSubscription
    from integrations.services import token_create
    from supervision.models import Approval, FollowUp

    other_sup = UserFactory(username="other-supervisor", roles=["supervisor"])
    other_team.supervisors.add(other_sup)
    admin = UserFactory(username="admin", roles=["admin"], is_staff=True)
    loan = loan_with_schedule(dues=[(-40, "1000"), (20, "1000")])
    type(loan).objects.filter(pk=loan.pk).update(reference="LOAN-A")
    type(loan.customer).objects.filter(pk=loan.customer.pk).update(reference="CUST-A")
    loan.refresh_from_db()
    loan.customer.refresh_from_db()
    case = CaseFactory(customer=loan.customer, queue=queue, reference="CASE-A")
    CaseFactory(queue=other_queue, reference="CASE-B")
    restriction = ContactRestrictionFactory(customer=case.customer)
    point = ContactPointFactory(customer=case.customer)
    now = timezone.now()
    call = CallLog.objects.create(
        reference="CL-A",
        case=case,
        collector=collector,
        contact_point=point,
        started_at=now,
        ended_at=now,
        outcome=CallLog.Outcome.NO_ANSWER,
    )
    plan = RepaymentPlan.objects.create(
        reference="RP-A",
        case=case,
        kind=RepaymentPlan.Kind.INSTALMENTS,
        total_amount=600,
        reason="Two instalments.",
        proposed_by=collector,
    )
    approval = Approval.objects.create(
        reference="AP-A",
        kind=Approval.Kind.PROMISE,
        case=case,
        requested_by=collector,
        reason="A large promise.",
    )
    follow_up = FollowUp.objects.create(
        reference="FU-A",
        collector=collector,
        call=call,
        reason="Coaching.",
        due_date=now.date(),
        created_by=supervisor,
    )
    from escalation.models import WorkItem

    review = WorkItem.objects.create(
        reference="WI-A",
        kind=WorkItem.Kind.SUPERVISOR_REVIEW,
        case=case,
        team=team,
        reason="Review.",
        due_at=now,
    )
    legal = WorkItem.objects.create(
        reference="WI-L",
        kind=WorkItem.Kind.LEGAL_REFERRAL,
        case=case,
        team=team,
        reason="Legal.",
        due_at=now,
    )
    template = MessageTemplateFactory()
    policy = EscalationPolicy.objects.order_by("code", "version").first()
    draft = RulePackDraft.objects.create(
        code="cn",
        number=1,
        base_version=1,
        parameters={},
        reason="probe",
        created_by=admin,
    )
    run = ImportRun.objects.create(
        reference="IMP-A",
        kind=ImportRun.Kind.choices[0][0],
        source=ImportRun.Source.choices[0][0],
        file_name="a.csv",
        file_sha256="0" * 64,
        file_size=1,
        started_at=now,
        created_by=admin,
    )
    subscription = WebhookSubscription.objects.create(
        reference="WH-A",
        name="crm",
        url="https://example.com/hook",
        secret="s" * 32,
        events=[],
        created_by=admin,
    )
    token = token_create(name="probe", user=admin, scopes=["cases:read"]).token
    settings.LETTERS_ROOT = tempfile.mkdtemp()
    letter, batch = _letter_and_batch(case)
    values = {
        "reference": case.reference,
        "code": policy.code,
        "version": policy.version,
        "prefix": token.prefix,
        "pk": restriction.pk,
        "number": draft.number,
        "name": team.name,
        "channel": template.channel,
        "language": template.language,
        "product": loan.product,
        "letter": letter.reference,
    }
    # Routes whose `reference` or `code` names another kind of object.
    by_route = {
        "supervision:call-detail": {"reference": call.reference},
        "supervision:call-review": {"reference": call.reference},
        "supervision:call-recording": {"reference": call.reference},
        "supervision:plan-decide": {"reference": plan.reference},
        "supervision:approval-decide": {"reference": approval.reference},
        "supervision:follow-up-status": {"reference": follow_up.reference},
        "api:customer-detail": {"reference": case.customer.reference},
        "api:customer-stated-time-zone": {"reference": case.customer.reference},
        "api:loan-detail": {"reference": loan.reference},
        "api:call-record-detail": {"reference": call.reference},
        "api:approval-plan-decide": {"reference": plan.reference},
        "api:approval-decide": {"reference": approval.reference},
        "api:follow-up-status": {"reference": follow_up.reference},
        "imports:detail": {"reference": run.reference},
        "imports:restart": {"reference": run.reference},
        "api:import-detail": {"reference": run.reference},
        "api:webhook-subscription-detail": {"reference": subscription.reference},
        "api:webhook-subscription-deliveries": {"reference": subscription.reference},
        "api:webhook-subscription-redeliver": {"reference": subscription.reference},
        "configuration:queue": {"code": queue.code},
        "api:queue-detail": {"code": queue.code},
        "supervision:work-item": {"reference": review.reference},
        "supervision:legal-case": {"reference": legal.reference},
        "api:work-item-detail": {"reference": review.reference},
        "api:work-item-decide": {"reference": review.reference},
        "api:work-item-answer": {"reference": review.reference},
        "api:work-item-legal": {"reference": legal.reference},
        "api:work-item-legal-close": {"reference": legal.reference},
        "configuration:print-batch-download": {"reference": batch.reference},
    }
    for name in ("rule-pack", "rule-pack-draft", "rule-pack-draft-simulate"):
        by_route[f"configuration:{name}"] = {"code": "cn"}
    for name in ("activate", "approve-override", "discard"):
        by_route[f"configuration:rule-pack-draft-{name}"] = {"code": "cn"}
    for name in ("detail", "drafts", "draft-detail", "draft-simulate"):
        by_route[f"api:rule-pack-{name}"] = {"code": "cn"}
    for name in ("activate", "approve-override", "discard"):
        by_route[f"api:rule-pack-draft-{name}"] = {"code": "cn"}
    for name in ("configuration:template", "configuration:template-activate"):
        by_route[name] = {"code": template.code, "version": template.version}
    for name in ("api:template-detail", "api:template-activate"):
        by_route[name] = {"code": template.code, "version": template.version}
    people = {
        "collector": collector,
        "outsider": outsider,
        "supervisor": supervisor,
        "other_sup": other_sup,
        "admin": admin,
    }
    return {"values": values, "by_route": by_route, "people": people, "admin": admin}


def _letter_and_batch(case):
    """A letter of `case` in a print batch, with files in a throwaway LETTERS_ROOT."""
    from django.core.files.base import ContentFile

    from messaging.models import Letter, OutboundMessage, PrintBatch

    point = ContactPointFactory(customer=case.customer, channel="address", value="A")
    message = OutboundMessage.objects.create(
        customer=case.customer,
        case=case,
        contact_point=point,
        channel="letter",
        status=OutboundMessage.Status.SENT,
        idempotency_key="probe-letter",
        send_after=timezone.now(),
    )
    now = timezone.now()
    batch = PrintBatch(created_at=now, sha256="0" * 64, size_bytes=1, letter_count=1)
    batch.file.save("b.zip", ContentFile(b"PK"), save=False)
    batch.save()
    letter = Letter(
        message=message,
        case=case,
        customer=case.customer,
        language="zh-hans",
        recipient_name="A",
        postal_address="A",
        sha256="0" * 64,
        size_bytes=4,
        page_count=1,
        rendered_at=now,
        batch=batch,
    )
    letter.file.save("l.pdf", ContentFile(b"%PDF"), save=False)
    letter.save()
    return letter, batch


def url_for(pattern: str, key: str, world) -> str:
    """The route's pattern with its parameters filled in from the world."""
    values = {**world["values"], **world["by_route"].get(key, {})}
    path = re.sub(r"^\^|\$$", "", pattern)

    def admin_object_id() -> str:
        from django.apps import apps

        match = re.match(r"admin:(\w+?)_(\w+)_", key)
        if match:
            for model in apps.get_models():
                meta = model._meta
                if (meta.app_label, meta.model_name) == match.groups():
                    first = model._default_manager.order_by("pk").first()
                    return str(first.pk) if first else "0"
        return "0"

    def fill(match) -> str:
        name = match.group("name")
        if name == "object_id":
            return admin_object_id()
        if name == "app_label":
            return key.split("admin:app_list", 1)[-1] and "cases"
        if name in ("content_type_id", "history_id"):
            return "1"
        if name == "url":
            return "nothing"
        return str(values.get(name, "0"))

    path = re.sub(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>", fill, path)
    path = re.sub(r"\(\?P<(?P<name>\w+)>[^)]*\)", fill, path)
    return "/" + path.replace("\\", "")


def probe(client: Client, method: str, url: str, *, body: list | None = None) -> str:
    saved = copy.deepcopy(client.cookies)
    try:
        with transaction.atomic():
            if method == "GET":
                response = client.get(url)
            else:
                response = client.generic(
                    method, url, data=b"", content_type="application/json"
                )
            transaction.set_rollback(True)
    finally:
        client.cookies = saved
    if body is not None and not getattr(response, "streaming", False):
        body.append(response.content.decode(errors="replace"))
    return outcome(response)


def test_every_route_has_an_entry_in_the_access_matrix():
    missing = sorted({key for key, _, _ in routes()} - set(EXPECTED))
    stale = sorted(set(EXPECTED) - {key for key, _, _ in routes()})
    assert not missing, (
        "Routes without an entry in tests/access_matrix_expected.py (say who may "
        f"use them): {missing}"
    )
    assert not stale, f"Entries for routes that no longer exist: {stale}"


def test_every_identity_gets_what_the_access_matrix_says(world, settings):
    from integrations.scopes import SCOPES
    from integrations.services import token_create

    settings.AXES_ENABLED = False
    clients = {"anon": Client()}
    for name, user in world["people"].items():
        clients[name] = Client()
        clients[name].force_login(user)
    tokens = {}

    def token_client(scopes: tuple[str, ...]) -> Client:
        if scopes not in tokens:
            issued = token_create(
                name=f"probe {len(tokens)}", user=world["admin"], scopes=list(scopes)
            )
            tokens[scopes] = Client(HTTP_AUTHORIZATION=f"Bearer {issued.secret}")
        return tokens[scopes]

    every_scope = tuple(sorted(SCOPES))
    failures, recorded = [], {}
    for key, pattern, callback in routes():
        url = url_for(pattern, key, world)
        is_api = pattern.startswith("api/v1/")
        methods = api_methods(callback) if is_api else ["GET", "POST"]
        rows = EXPECTED.get(key, {})
        for method in methods:
            got, bodies = {}, {}
            for name in IDENTITIES:
                bodies[name] = []
                got[name] = probe(clients[name], method, url, body=bodies[name])
            for name in ("outsider", "other_sup"):
                # Only what was served: a 404 page may echo the reference asked.
                leaked = TEAM_A_MARKERS.findall("".join(bodies[name]))
                if method == "GET" and got[name] == "ok" and leaked:
                    failures.append(
                        f"GET {url} as {name} names team A's {sorted(set(leaked))}"
                    )
            line = " ".join(got[name] for name in IDENTITIES)
            scope = None
            if is_api:
                from core.permissions import required_scope

                view = getattr(callback, "cls", None) or callback.view_class
                scope = required_scope(view, method) or "-"
                line = f"{line} | {scope}"
            recorded.setdefault(key, {})[method] = line
            for name, result in got.items():
                if result.startswith("5") and key not in MAY_BE_UNAVAILABLE:
                    failures.append(f"{method} {url} as {name}: {result}")
            want = rows.get(method)
            if want is None:
                failures.append(f"{key} {method}: no entry (answers {line!r})")
                continue
            classes, _, want_scope = want.partition(" | ")
            for name, expected in zip(IDENTITIES, classes.split(), strict=True):
                if not _matches(expected, got[name], method):
                    failures.append(
                        f"{method} {url} ({key}) as {name}: expected {expected}, "
                        f"got {got[name]}"
                    )
            if is_api:
                if want_scope != scope:
                    failures.append(
                        f"{key} {method}: the table says scope {want_scope!r}, "
                        f"the view requires {scope!r}"
                    )
                others = tuple(s for s in every_scope if s != scope)
                without = probe(token_client(others), method, url)
                if without != "403":
                    failures.append(
                        f"{method} {url} with a token lacking {scope}: {without}"
                    )
                if scope != "-":
                    with_it = probe(token_client((scope,)), method, url)
                    if not _matches(classes.split()[-1], with_it, method):
                        failures.append(
                            f"{method} {url} with a token holding {scope}: "
                            f"{with_it}, the admin's entry is {classes.split()[-1]}"
                        )
            elif method == "GET" and not pattern.startswith("api/"):
                # A token is not a session: a page answers it as it answers anyone
                # who is not signed in. (The schema and its docs, under api/, take
                # tokens like the API.)
                with_token = probe(token_client(every_scope), method, url)
                if with_token != got["anon"]:
                    failures.append(
                        f"GET {url} with a token: {with_token}, "
                        f"anonymous gets {got['anon']}"
                    )
    if os.environ.get("ACCESS_MATRIX_RECORD"):
        _record(recorded)
    assert not failures, "\n".join(failures)


def _matches(expected: str, got: str, method: str) -> bool:
    """`allowed` is any answer but a refusal or an error; the rest are exact."""
    if expected == "allowed":
        return got not in ("401", "403", "login") and not got.startswith("5")
    return expected == got


def _record(recorded: dict) -> None:
    lines = ["EXPECTED = {"]
    for key in sorted(recorded):
        lines.append(f"    {key!r}: {{")
        for method, line in recorded[key].items():
            lines.append(f"        {method!r}: {line!r},")
        lines.append("    },")
    lines.append("}")
    out = Path(__file__).with_name("access_matrix_recorded.py")
    out.write_text("\n".join(lines) + "\n")
