"""The team dashboard: figures on a constructed data set, CSV exports, scoping, a
bounded number of queries, roll rates from bucket snapshots."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from calls.models import CallReview
from cases.models import Case, Loan, Payment, PromiseToPay
from compliance.models import ContactAttempt, Decision
from supervision import selectors, services
from tests.api import client_for
from tests.calls.conftest import make_case
from tests.cases.factories import UserFactory

from .conftest import make_call, make_plan

pytestmark = pytest.mark.django_db


def block(case, actor, codes, *, at):
    decision = Decision.objects.create(
        customer=case.customer,
        case=case,
        channel="call",
        proposed_at=at,
        allowed=False,
        outcome="deny",
        reasons=[{"code": code} for code in codes],
        rule_pack="cn",
        rule_pack_version=1,
        actor=actor,
    )
    return ContactAttempt.objects.create(
        customer=case.customer,
        case=case,
        channel="call",
        at=at,
        allowed=False,
        result=ContactAttempt.Result.BLOCKED,
        decision=decision,
        actor=actor,
    )


def promise(case, by, status, *, made_at):
    return PromiseToPay.objects.create(
        case=case,
        amount=Decimal("100"),
        due_date=timezone.localdate(),
        status=status,
        made_at=made_at,
        created_by=by,
    )


def pay(case, amount, *, at, reference):
    loan = Loan.objects.filter(customer=case.customer).first()
    return Payment.objects.create(
        reference=reference,
        loan=loan,
        amount=Decimal(amount),
        currency="CNY",
        received_at=at,
    )


@pytest.fixture
def data(supervisor, collector, teammate, outsider, queue, other_queue):
    """Known figures for the last 7 days (see each assertion)."""
    now = timezone.now()
    recent = now - dt.timedelta(days=1)
    old = now - dt.timedelta(days=20)
    case_a = make_case(queue, reference="CASE-A")
    case_b = make_case(queue, reference="CASE-B")
    case_c = make_case(queue, reference="CASE-C")
    case_x = make_case(other_queue, reference="CASE-X")

    # Calls: collector 3 in period (2 talked: 120 s + 240 s; 1 flagged), 1 too old.
    c1 = make_call(case_a, collector, at=recent, duration_seconds=120)
    c2 = make_call(
        case_a, collector, at=recent, duration_seconds=240, notes_flagged=True
    )
    make_call(case_a, collector, at=recent, talked=False)
    make_call(case_a, collector, at=old, duration_seconds=999)
    # teammate: 1 talked call of 60 s, reviewed with a violation (flagged too).
    t1 = make_call(case_b, teammate, at=recent, duration_seconds=60)
    CallReview.objects.create(call=t1, reviewer=supervisor, score=40, violation=True)
    # Another team's collector: never counted.
    make_call(case_x, outsider, at=recent, duration_seconds=500)

    # Reviews of the collector's calls: 80 and 60 → QA score 70; the violation is on
    # the call flagged already (counted once).
    CallReview.objects.create(call=c1, reviewer=supervisor, score=80)
    CallReview.objects.create(call=c2, reviewer=supervisor, score=60, violation=True)

    # Promises: collector 3 in period (kept, broken, pending) and 1 old → rate 50 %.
    promise(case_a, collector, "kept", made_at=recent)
    promise(case_a, collector, "broken", made_at=recent)
    promise(case_a, collector, "pending", made_at=recent)
    promise(case_a, collector, "kept", made_at=old)

    # Plans: collector agreed 1 (active); a proposed and a rejected one do not count.
    make_plan(case_a, collector, status="active")
    make_plan(case_a, collector, status="proposed")
    make_plan(case_a, collector, status="rejected")

    # Blocks: 2 for collector (contact_window twice, frequency_cap once).
    block(case_a, collector, ["contact_window"], at=recent)
    block(case_a, collector, ["frequency_cap", "contact_window"], at=recent)
    block(case_x, outsider, ["legal_hold"], at=recent)

    # Payments: 500 after the collector's call on A; 200 after teammate's on B; 300
    # on C, whom nobody called: unattributed.
    pay(case_a, "500.00", at=now - dt.timedelta(hours=2), reference="P-A")
    pay(case_b, "200.00", at=now - dt.timedelta(hours=2), reference="P-B")
    pay(case_c, "300.00", at=now - dt.timedelta(hours=2), reference="P-C")
    return {"case_a": case_a}


def test_figures_per_collector_on_a_constructed_data_set(data, supervisor):
    board = selectors.team_dashboard(
        user=supervisor, period=selectors.Period.last_days(7)
    )
    rows = {r.username: r.as_dict() for r in board.rows}
    assert set(rows) == {"collector", "teammate"}
    mine = rows["collector"]
    assert mine["attempts"] == 3
    assert mine["right_party_contacts"] == 2
    assert mine["promises"] == 3
    assert mine["promises_kept"] == 1 and mine["promises_broken"] == 1
    assert mine["promise_kept_rate"] == 50.0
    assert mine["amount_collected"] == Decimal("500.00")
    assert mine["plans_agreed"] == 1
    assert mine["average_handling_seconds"] == 180
    assert mine["qa_score"] == 70.0
    assert mine["compliance_blocks"] == 2
    assert mine["flagged_calls"] == 1
    theirs = rows["teammate"]
    assert theirs["attempts"] == 1
    assert theirs["amount_collected"] == Decimal("200.00")
    assert theirs["flagged_calls"] == 1
    assert theirs["promise_kept_rate"] is None
    total = board.total.as_dict()
    assert total["attempts"] == 4
    assert total["amount_collected"] == Decimal("700.00")
    assert total["average_handling_seconds"] == 140  # (120 + 240 + 60) / 3
    assert total["qa_score"] == 60.0  # (80 + 60 + 40) / 3
    assert board.blocks_by_reason == {"contact_window": 2, "frequency_cap": 1}


def test_the_report_api_gives_the_same_figures(data, supervisor):
    response = client_for(supervisor).get("/api/v1/reports/team/", {"days": 7})
    assert response.status_code == 200
    body = response.json()
    mine = next(r for r in body["collectors"] if r["collector"] == "collector")
    assert mine["attempts"] == 3
    assert mine["amount_collected"] == "500.00"
    assert body["total"]["attempts"] == 4
    assert body["compliance_blocks_by_reason"] == {
        "contact_window": 2,
        "frequency_cap": 1,
    }


def test_the_report_api_refuses_a_reversed_period_naming_the_field(supervisor):
    response = client_for(supervisor).get(
        "/api/v1/reports/team/", {"start": "2026-11-20", "end": "2026-11-01"}
    )
    assert response.status_code == 400
    assert "end" in response.json()["errors"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        # A start alone runs to today: decades back is more than a year.
        ({"start": "1970-01-01"}, "start"),
        # A start after today, with no end, is a reversed period.
        ({"start": "2099-01-01"}, "end"),
    ],
)
def test_a_start_alone_is_held_to_the_same_period_rules(supervisor, query, field):
    response = client_for(supervisor).get("/api/v1/reports/team/", query)
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]


def test_another_teams_figures_are_404(data, supervisor, other_team):
    response = client_for(supervisor).get(
        "/api/v1/reports/team/", {"team": other_team.pk}
    )
    assert response.status_code == 404


def test_the_collector_table_exports_as_csv(data, client, supervisor):
    client.force_login(supervisor)
    response = client.get(
        reverse("supervision:dashboard"),
        {"days": "7", "format": "csv", "table": "collectors"},
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["collector"] for r in rows] == ["collector", "teammate", "TOTAL"]
    assert rows[0]["attempts"] == "3"
    assert rows[0]["amount_collected"] == "500.00"
    assert rows[0]["promise_kept_rate"] == "50.0"
    assert rows[2]["attempts"] == "4"
    blocks = client.get(
        reverse("supervision:dashboard"),
        {"days": "7", "format": "csv", "table": "blocks"},
    )
    lines = blocks.content.decode("utf-8-sig").strip().splitlines()
    assert lines == [
        "reason,blocked_attempts,reason_label",
        "contact_window,2,Outside the contact window",
        "frequency_cap,1,Frequency cap reached",
    ]


def test_the_dashboard_page_renders_figures_and_chart_data(data, client, supervisor):
    client.force_login(supervisor)
    response = client.get(reverse("supervision:dashboard"), {"days": "7"})
    assert response.status_code == 200
    assert b'id="dashboard-rows"' in response.content
    assert b"chart-4.6.1.umd.min.js" in response.content
    assert b"<script>" not in response.content  # CSP: no inline script


def _more_collectors(team, queue, n, calls_each):
    now = timezone.now() - dt.timedelta(hours=3)
    for i in range(n):
        user = UserFactory(username=f"extra{i}", roles=["collector"])
        team.members.add(user)
        case = make_case(queue)
        for _ in range(calls_each):
            make_call(case, user, at=now)


def test_the_dashboard_runs_a_bounded_number_of_queries(
    data, client, supervisor, team, queue, django_assert_max_num_queries
):
    client.force_login(supervisor)
    url = reverse("supervision:dashboard")
    with CaptureQueriesContext(connection) as small:
        client.get(url, {"days": "7"})
    _more_collectors(team, queue, 5, 4)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url, {"days": "7"})
    assert response.status_code == 200
    assert len(response.context["rows"]) == 7
    # collectors, calls, promises, plans, reviews, credits (3), blocks, roll rates (4),
    # settlements, write-offs, recoveries
    with django_assert_max_num_queries(16):
        selectors.team_dashboard(user=supervisor, period=selectors.Period.last_days(7))


def test_roll_rates_and_cure_rate_from_bucket_snapshots(supervisor, queue):
    today = timezone.localdate()
    start = today - dt.timedelta(days=7)
    stay = make_case(queue, reference="R-STAY")  # 31-60 → 31-60
    worse = make_case(queue, reference="R-WORSE")  # 31-60 → 61-90
    cured = make_case(queue, reference="R-CURED")  # 31-60 → closed, cured
    assert services.bucket_snapshot_take(day=start) == 3
    assert services.bucket_snapshot_take(day=start) == 0  # idempotent
    Case.objects.filter(pk=worse.pk).update(bucket="61-90")
    Case.objects.filter(pk=cured.pk).update(
        status="closed", closed_at=timezone.now(), close_reason="cured"
    )
    services.bucket_snapshot_take(day=today)
    rolls = selectors.roll_rates(
        user=supervisor, period=selectors.Period(start=start, end=today)
    )
    row = next(r for r in rolls["rows"] if r["bucket"] == "31-60")
    assert row["cases"] == 3
    assert row["to"]["31-60"] == 1
    assert row["to"]["61-90"] == 1
    assert row["to"]["closed"] == 1
    assert row["roll_forward_rate"] == pytest.approx(33.3)
    assert rolls["cure_rate"] == pytest.approx(33.3)
    assert stay.reference  # the case that stayed put is the 1 in 31-60


def test_the_roll_table_names_the_closed_column_in_the_readers_language(
    client, supervisor, queue
):
    """Issue 18, defect 8: "→ closed" in the Chinese dashboard."""
    make_case(queue, reference="R-ONE")
    start = timezone.localdate() - dt.timedelta(days=7)
    services.bucket_snapshot_take(day=start)
    services.bucket_snapshot_take()
    client.force_login(supervisor)
    zh = client.get(
        reverse("supervision:dashboard"), {"days": "7"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).text
    assert "<th>→ 已结案</th>" in zh and "→ closed" not in zh


def test_figures_are_cached_briefly_per_team_scope(
    data, supervisor, settings, django_assert_num_queries
):
    from django.core.cache import cache

    cache.clear()
    settings.SUPERVISION_DASHBOARD_CACHE_SECONDS = 60
    period = selectors.Period.last_days(7)
    first = selectors.team_dashboard_cached(user=supervisor, period=period)
    # The second read costs only the scope lookup (which teams the user supervises).
    with django_assert_num_queries(1):
        again = selectors.team_dashboard_cached(user=supervisor, period=period)
    assert again.total.attempts == first.total.attempts == 4
    assert again.computed_at == first.computed_at
    cache.clear()


def test_warming_computes_the_standard_periods_so_the_page_reads_the_cache(
    data, supervisor, settings, django_assert_max_num_queries
):
    from django.core.cache import cache

    from supervision.tasks import warm_dashboards

    cache.clear()
    settings.SUPERVISION_DASHBOARD_CACHE_SECONDS = 60
    teams = selectors.teams_for_user(user=supervisor)
    # Every standard period, for all the supervisor's teams and for each team.
    assert warm_dashboards() == len(selectors.STANDARD_PERIOD_DAYS) * (1 + len(teams))
    for days in selectors.STANDARD_PERIOD_DAYS:
        period = selectors.Period.last_days(days)
        fresh = selectors.team_dashboard(user=supervisor, period=period)
        for team in (None, *teams):
            with django_assert_max_num_queries(1):  # the scope lookup only
                board = selectors.team_dashboard_cached(
                    user=supervisor, period=period, team=team
                )
            assert board.team == team
            assert [r.as_dict() for r in board.rows] == [
                r.as_dict() for r in fresh.rows
            ]
    week = selectors.team_dashboard_cached(
        user=supervisor, period=selectors.Period.last_days(7)
    )
    assert week.total.attempts == 4
    # A custom range is not warmed: it is computed when asked.
    odd = selectors.Period.last_days(12)
    with django_assert_max_num_queries(40) as queries:
        selectors.team_dashboard_cached(user=supervisor, period=odd)
    assert len(queries) > 1
    cache.clear()


def test_payment_credits_give_the_same_amounts_and_are_taken_once(data, supervisor):
    from supervision.models import PaymentCredit

    period = selectors.Period.last_days(7)
    before = {
        r.username: r.collected
        for r in selectors.team_dashboard(user=supervisor, period=period).rows
    }
    assert services.payment_credits_take() == 3
    assert services.payment_credits_take() == 0
    credits = dict(
        PaymentCredit.objects.values_list("payment__reference", "collector__username")
    )
    assert credits == {"P-A": "collector", "P-B": "teammate", "P-C": None}
    after = {
        r.username: r.collected
        for r in selectors.team_dashboard(user=supervisor, period=period).rows
    }
    assert (
        after
        == before
        == {
            "collector": Decimal("500.00"),
            "teammate": Decimal("200.00"),
        }
    )


def test_a_reporting_token_of_a_supervisor_reads_their_team_figures(data, supervisor):
    from tests.integrations.test_tokens import bearer, issue

    report = bearer(issue(supervisor, "reports:read")).get(
        "/api/v1/reports/team/", {"days": 7}
    )
    assert report.status_code == 200, report.json()
    unscoped = bearer(issue(supervisor, "cases:read")).get(
        "/api/v1/reports/team/", {"days": 7}
    )
    assert unscoped.status_code == 403
    assert "reports:read" in unscoped.json()["message"]


def test_blocks_by_reason_are_named_in_the_readers_language(data, client, supervisor):
    """Issue 18, defect 8: the table and chart showed `contact_window` in Chinese."""
    client.force_login(supervisor)
    page = client.get(
        "/supervisor/dashboard/", {"days": "30"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).text
    assert "不在可联系时段" in page and "已达联系次数上限" in page
    assert "<td>contact_window</td>" not in page
    english = client.get(
        "/supervisor/dashboard/", {"days": "30"}, HTTP_ACCEPT_LANGUAGE="en"
    ).text
    assert "<td>Outside the contact window</td>" in english


def test_every_reason_code_has_a_label():
    from compliance.labels import REASON_LABELS
    from compliance.reasons import REASON_CODES

    assert set(REASON_CODES) <= set(REASON_LABELS)


def test_the_dashboard_counts_settlements_write_offs_and_recoveries(
    client, supervisor, team_case, other_case
):
    """Issue 17, item 6: dashboard figures include settled and written-off amounts."""
    from cases.models import Recovery, SettlementOffer, WriteOff

    now = timezone.now()
    SettlementOffer.objects.create(
        case=team_case,
        state=SettlementOffer.State.PAID,
        balance=Decimal("2000"),
        amount=Decimal("1500"),
        deadline=timezone.localdate(),
        closed_at=now - dt.timedelta(days=1),
    )
    # Another team's: not this supervisor's figure.
    SettlementOffer.objects.create(
        case=other_case,
        state=SettlementOffer.State.PAID,
        balance=Decimal("9000"),
        amount=Decimal("1000"),
        deadline=timezone.localdate(),
        closed_at=now - dt.timedelta(days=1),
    )
    second = make_case(team_case.queue, reference="CASE-WO")
    write_off = WriteOff.objects.create(
        case=second,
        amount=Decimal("800"),
        balance=Decimal("800"),
        reason="uncollectable",
        approved_by=supervisor,
        written_off_at=now - dt.timedelta(days=2),
    )
    payment = Payment.objects.create(
        loan=second.customer.loans.get(),
        amount=Decimal("120.50"),
        received_at=now - dt.timedelta(hours=3),
        reference="PAY-REC-1",
    )
    Recovery.objects.create(
        write_off=write_off, payment=payment, received_at=payment.received_at
    )
    client.force_login(supervisor)
    page = client.get(reverse("supervision:dashboard"), {"days": "7"})
    closures = page.context["board"].closures
    assert (closures.settled, closures.settled_amount, closures.forgiven) == (
        1,
        Decimal("1500"),
        Decimal("500"),
    )
    assert (closures.written_off, closures.written_off_amount) == (1, Decimal("800"))
    assert (closures.recoveries, closures.recovered) == (1, Decimal("120.50"))
    text = page.content.decode()
    assert 'id="closure-figures"' in text and "¥1,500.00" in text
    zh = client.get(
        reverse("supervision:dashboard"), {"days": "7"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "和解减免金额" in zh and "核销后收回（1 笔还款）" in zh
