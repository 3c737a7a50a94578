"""Settlement offers and write-offs under the approval authority matrix
(docs/decisions.md, record 48): within and above authority, four eyes, a settlement
paid in full closes the case as settled, a partial payment does not, the lapse at
the deadline, write-off approval and the recoveries after it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Loan, Recovery, SettlementOffer, WriteOff
from cases.services import payment_record, settlement_refresh
from core.errors import ApplicationError
from escalation import work_items as services
from escalation.models import ApprovalAuthority, WorkItem
from tests.cases.factories import (
    CaseFactory,
    InstalmentFactory,
    LoanFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
Kind = WorkItem.Kind


@pytest.fixture
def case(queue):
    case = CaseFactory(queue=queue, max_days_past_due=95)
    loan = LoanFactory(customer=case.customer, outstanding_balance=Decimal("10000"))
    InstalmentFactory(loan=loan, amount_due=Decimal("10000"))
    return case


@pytest.fixture
def second_supervisor(team):
    user = UserFactory(username="supervisor2", roles=["supervisor"])
    team.supervisors.add(user)
    return user


def _deadline(days=10):
    return timezone.localdate() + dt.timedelta(days=days)


def _pay(case, amount, ref="P1", received_at=None):
    loan = Loan.objects.filter(customer=case.customer).first()
    return payment_record(
        reference=ref,
        loan=loan,
        amount=Decimal(amount),
        currency="CNY",
        received_at=received_at or timezone.now(),
    )


def test_the_default_matrix_is_seeded_by_the_migration():
    rows = {(a.role, a.kind) for a in ApprovalAuthority.objects.all()}
    assert ("supervisor", "settlement") in rows
    assert ("admin", "write_off") in rows


def test_within_the_proposer_s_authority_the_offer_is_approved_at_once(
    case, supervisor
):
    # 2,000 forgiven of 10,000 (20%): a supervisor may (20,000 and 30%).
    item = services.settlement_propose(
        case=case, user=supervisor, amount="8000", deadline=_deadline()
    )
    offer = item.settlement
    assert offer.state == "approved" and offer.approved_by == supervisor
    assert (offer.discount, offer.discount_percent) == (
        Decimal("2000.00"),
        Decimal("20.0"),
    )
    case.refresh_from_db()
    assert case.next_action_at > timezone.now()  # the ladder waits


def test_above_authority_needs_someone_else_whose_authority_covers_it(
    case, collector, supervisor, second_supervisor, admin_user
):
    # 5,000 forgiven (50%): above a supervisor's 30%, within an admin's 60%.
    item = services.settlement_propose(
        case=case, user=supervisor, amount="5000", deadline=_deadline()
    )
    assert item.settlement.state == "proposed"
    assert not services.work_item_can_approve(user=supervisor, item=item)
    assert not services.work_item_can_approve(user=second_supervisor, item=item)
    with pytest.raises(ApplicationError) as exc:
        services.settlement_decide(
            item=item, user=second_supervisor, approve=True, notes="ok"
        )
    assert exc.value.status == 403
    assert [u.username for u in services.approvers(item=item)] == [admin_user.username]
    services.settlement_decide(item=item, user=admin_user, approve=True, notes="ok")
    offer = SettlementOffer.objects.get(pk=item.settlement_id)
    assert offer.state == "approved" and offer.approved_by == admin_user


def test_four_eyes_the_proposer_never_approves_above_own_authority(case, admin_user):
    # 7,000 forgiven (70%): above every role's authority, the admin's too.
    item = services.settlement_propose(
        case=case, user=admin_user, amount="3000", deadline=_deadline()
    )
    assert item.settlement.state == "proposed"
    with pytest.raises(ApplicationError) as exc:
        services.settlement_decide(item=item, user=admin_user, approve=True, notes="x")
    assert exc.value.status == 409
    assert services.approvers(item=item) == []


def test_an_offer_needs_an_amount_below_the_balance_and_a_deadline(case, supervisor):
    for amount, deadline, field in (
        ("10000", _deadline(), "amount"),
        ("8000", None, "deadline"),
        ("8000", _deadline(-1), "deadline"),
        ("8000", _deadline(400), "deadline"),
    ):
        with pytest.raises(ApplicationError) as exc:
            services.settlement_propose(
                case=case, user=supervisor, amount=amount, deadline=deadline
            )
        assert field in exc.value.errors


def test_a_settlement_paid_in_full_closes_the_case_as_settled(case, supervisor):
    item = services.settlement_propose(
        case=case, user=supervisor, amount="8000", deadline=_deadline()
    )
    services.settlement_communicated(item=item, user=supervisor, via="phone")
    _pay(case, "3000", "P1")
    case.refresh_from_db()
    offer = SettlementOffer.objects.get(pk=item.settlement_id)
    assert case.status == "open" and offer.state == "communicated"  # partial
    _pay(case, "5000", "P2")
    case.refresh_from_db()
    offer.refresh_from_db()
    assert (case.status, case.close_reason) == ("closed", "settled")
    assert offer.state == "paid"
    assert offer.paid_amount == Decimal("8000.00")
    assert offer.forgiven_amount == Decimal("2000.00")
    assert Loan.objects.get(customer=case.customer).status == "settled"


def test_a_partial_payment_then_the_deadline_lapses_the_offer(case, supervisor):
    item = services.settlement_propose(
        case=case, user=supervisor, amount="8000", deadline=_deadline(3)
    )
    _pay(case, "1000")
    assert settlement_refresh(today=_deadline(3)) == {
        "settled": 0,
        "lapsed": 0,
        "withdrawn": 0,
    }
    counts = settlement_refresh(today=_deadline(4))
    assert counts["lapsed"] == 1
    offer = SettlementOffer.objects.get(pk=item.settlement_id)
    case.refresh_from_db()
    assert offer.state == "lapsed"
    assert case.status == "open" and case.next_action_at is None  # back on the ladder


def test_a_payment_after_the_deadline_does_not_settle(case, supervisor):
    services.settlement_propose(
        case=case, user=supervisor, amount="8000", deadline=_deadline(2)
    )
    later = timezone.now() + dt.timedelta(days=5)
    _pay(case, "8000", received_at=later)
    case.refresh_from_db()
    assert case.close_reason != "settled"


def test_write_off_approval_closes_and_records_the_amount(
    case, supervisor, second_supervisor, admin_user
):
    request = services.work_item_open(
        case=case,
        kind=Kind.WRITE_OFF,
        reason="deceased",
        user=supervisor,
        amount=Decimal("10000"),
    )
    # 10,000: within a supervisor's write-off authority (10,000), four eyes.
    with pytest.raises(ApplicationError):
        services.write_off_decide(
            item=request, user=supervisor, approve=True, notes="ok"
        )
    services.write_off_decide(
        item=request, user=second_supervisor, approve=True, notes="no estate"
    )
    case.refresh_from_db()
    assert (case.status, case.close_reason) == ("closed", "written_off")
    write_off = WriteOff.objects.get(case=case)
    assert write_off.amount == Decimal("10000.00")
    assert write_off.approved_by == second_supervisor
    # A payment afterwards is a recovery of that write-off.
    _pay(case, "250", "R1")
    recovery = Recovery.objects.get()
    assert (recovery.write_off, recovery.amount) == (write_off, Decimal("250.00"))


def test_a_write_off_above_the_approver_s_authority_is_refused(
    case, supervisor, second_supervisor
):
    ApprovalAuthority.objects.filter(role="supervisor", kind="write_off").update(
        max_amount=Decimal("5000")
    )
    request = services.work_item_open(
        case=case,
        kind=Kind.WRITE_OFF,
        reason="deceased",
        user=supervisor,
        amount=Decimal("10000"),
    )
    with pytest.raises(ApplicationError) as exc:
        services.write_off_decide(
            item=request, user=second_supervisor, approve=True, notes="ok"
        )
    assert exc.value.status == 403
    assert Case.objects.get(pk=case.pk).status == "open"


def test_the_work_item_page_shows_figures_and_approves(
    client, case, supervisor, admin_user
):
    item = services.settlement_propose(
        case=case, user=supervisor, amount="5000", deadline=_deadline()
    )
    url = reverse("supervision:work-item", args=[item.reference])
    client.force_login(supervisor)
    page = client.get(url).content.decode()
    assert "5,000.00" in page and "50.0%" in page
    assert "Approve settlement" not in page  # above own authority
    client.force_login(admin_user)
    page = client.get(url).content.decode()
    assert "Approve settlement" in page
    response = client.post(url, {"answer-answer": "approve", "answer-notes": "fine"})
    assert response.status_code == 302
    assert SettlementOffer.objects.get(pk=item.settlement_id).state == "approved"


def test_the_api_communicates_an_approved_offer(client, case, supervisor):
    item = services.settlement_propose(
        case=case, user=supervisor, amount="8000", deadline=_deadline()
    )
    client.force_login(supervisor)
    response = client.post(
        reverse("api:work-item-answer", args=[item.reference]),
        {"answer": "communicate", "via": "letter"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["settlement"]["state"] == "communicated"
    assert body["settlement"]["discount_percent"] == "20.0"


def test_the_case_page_shows_the_offer_and_the_recoveries_in_both_languages(
    client, case, supervisor, second_supervisor, admin_user
):
    deadline = _deadline(7)
    services.settlement_propose(
        case=case, user=supervisor, amount="8000", deadline=deadline
    )
    client.force_login(admin_user)
    url = reverse("case-detail", args=[case.reference])
    page = client.get(url).content.decode()
    assert deadline.isoformat() in page and "20.0% off" in page
    zh = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "减免 20.0%" in zh
    SettlementOffer.objects.update(state="withdrawn")
    request = services.work_item_open(
        case=case,
        kind=Kind.WRITE_OFF,
        reason="deceased",
        user=supervisor,
        amount=Decimal("10000"),
    )
    services.write_off_decide(
        item=request, user=second_supervisor, approve=True, notes="no estate"
    )
    _pay(case, "300", "R1")
    page = client.get(url).content.decode()
    assert "written off on" in page
    assert "Recovered since: 300" in page and "(1 payment)" in page
