"""The supervisor's worklist and the legal queue pages."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from escalation import work_items
from escalation.models import WorkItem
from tests.cases.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(queue):
    case = CaseFactory(queue=queue, max_days_past_due=61)
    return work_items.work_item_open(
        case=case, kind="supervisor_review", reason="Supervisor review: 60 DPD"
    )


@pytest.fixture
def legal(review, supervisor):
    return work_items.review_decide(
        item=review, user=supervisor, decision="refer_legal", notes="unreachable"
    )


def test_the_worklist_lists_the_team_s_open_reviews(client, supervisor, review):
    client.force_login(supervisor)
    response = client.get(reverse("supervision:work-items"))
    assert response.status_code == 200
    assert review.reference in response.content.decode()


def test_the_worklist_is_not_for_collectors_nor_other_teams(
    client, collector, review, other_team
):
    client.force_login(collector)
    assert client.get(reverse("supervision:work-items")).status_code == 403
    assert client.get(reverse("supervision:legal-queue")).status_code == 403
    stranger = UserFactory(username="stranger", roles=["supervisor"])
    other_team.supervisors.add(stranger)
    client.force_login(stranger)
    page = client.get(reverse("supervision:work-items")).content.decode()
    assert review.reference not in page
    url = reverse("supervision:work-item", args=[review.reference])
    assert client.get(url).status_code == 404


def test_a_supervisor_holds_a_case_from_the_review_page(client, supervisor, review):
    client.force_login(supervisor)
    until = timezone.localdate() + dt.timedelta(days=7)
    url = reverse("supervision:work-item", args=[review.reference])
    response = client.post(
        url,
        {
            "decide-decision": "hold",
            "decide-hold_until": until.isoformat(),
            "decide-notes": "hardship call booked",
        },
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.state, review.outcome) == ("done", "hold")
    case = Case.objects.get(pk=review.case_id)
    assert timezone.localtime(case.next_action_at).date() == until


def test_a_hold_without_a_date_is_a_form_error_naming_the_field(
    client, supervisor, review
):
    client.force_login(supervisor)
    url = reverse("supervision:work-item", args=[review.reference])
    response = client.post(url, {"decide-decision": "hold", "decide-notes": "x"})
    assert response.status_code == 400
    assert response.context["decide"].errors["hold_until"]
    review.refresh_from_db()
    assert review.state == "open"


def test_refer_to_legal_from_the_page_lands_on_the_legal_case(
    client, supervisor, review
):
    client.force_login(supervisor)
    url = reverse("supervision:work-item", args=[review.reference])
    response = client.post(
        url, {"decide-decision": "refer_legal", "decide-notes": "no contact"}
    )
    legal = WorkItem.objects.get(kind="legal_referral")
    assert response.url == reverse("supervision:legal-case", args=[legal.reference])
    page = client.get(reverse("supervision:legal-queue")).content.decode()
    assert legal.reference in page


def test_the_legal_case_page_records_the_case_and_closes_it(client, supervisor, legal):
    client.force_login(supervisor)
    url = reverse("supervision:legal-case", args=[legal.reference])
    page = client.get(url)
    assert "Legal hold" in page.content.decode()
    response = client.post(
        url,
        {
            "legal-legal_firm": "King & Wood",
            "legal-court_reference": "(2026)沪0101民初9号",
            "legal-filed_on": "2026-12-01",
            "legal-hearing_on": "2026-11-01",
            "legal-legal_costs": "1200.00",
        },
    )
    assert response.status_code == 400
    assert response.context["update"].errors["hearing_on"]
    response = client.post(
        url,
        {
            "legal-legal_firm": "King & Wood",
            "legal-court_reference": "(2026)沪0101民初9号",
            "legal-filed_on": "2026-12-01",
            "legal-hearing_on": "2027-01-15",
            "legal-legal_costs": "1200.00",
        },
    )
    assert response.status_code == 302
    legal.refresh_from_db()
    assert (legal.state, legal.legal_firm) == ("in_progress", "King & Wood")
    response = client.post(
        url,
        {
            "close-outcome": "settled",
            "close-notes": "paid in court",
            "close-lift_hold": "on",
        },
    )
    assert response.status_code == 302
    legal.refresh_from_db()
    assert (legal.state, legal.outcome) == ("done", "settled")
    assert legal.hold.ends_at is not None


def test_the_pages_speak_chinese(client, supervisor, review):
    client.force_login(supervisor)
    response = client.get(
        reverse("supervision:work-items"), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert "待办事项" in response.content.decode()


def test_the_worklist_reads_a_bounded_number_of_queries(
    client, supervisor, queue, django_assert_max_num_queries
):
    for _ in range(12):
        work_items.work_item_open(
            case=CaseFactory(queue=queue), kind="supervisor_review", reason="Review"
        )
    client.force_login(supervisor)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("supervision:work-items"))
    assert response.content.decode().count('id="item-WI-') == 12
