"""Issue 17, item 6: admins edit the approval authority matrix on a configuration
page (decision 48 said they did; there was no page), with a reason in the history,
refusals naming the field, and the new limits used by the next decision."""

from decimal import Decimal

import pytest
from django.urls import reverse

from escalation.authority import authority_matrix
from escalation.models import ApprovalAuthority
from escalation.work_items import authority_covers

pytestmark = pytest.mark.django_db

URL = reverse("configuration:approval-authority")


def posted(**changes) -> dict:
    data = {}
    for cell in authority_matrix():
        data[f"{cell.field}-amount"] = str(cell.max_amount)
        data[f"{cell.field}-percent"] = str(cell.max_percent)
    data.update(changes)
    return data


def test_the_page_lists_every_role_and_kind_in_both_languages(admin_client):
    page = admin_client.get(URL).content.decode()
    assert page.count('name="settlement-') == 6 and page.count('name="write_off-') == 6
    assert "Write-off (amount written off)" in page
    zh = admin_client.get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "审批权限" in zh and "Largest amount" not in zh


def test_an_admin_raises_a_supervisors_write_off_limit_with_a_reason(
    admin_client, admin_user, supervisor
):
    assert not authority_covers(
        user=supervisor, kind="write_off", amount=Decimal("15000"), percent=Decimal(5)
    )
    response = admin_client.post(
        URL,
        posted(**{"write_off-supervisor-amount": "15000", "reason": "board minute 12"}),
    )
    assert response.status_code == 302
    row = ApprovalAuthority.objects.get(role="supervisor", kind="write_off")
    assert row.max_amount == Decimal("15000")
    last = row.history.latest("history_date")
    assert last.history_user == admin_user
    assert last.history_change_reason == "board minute 12"
    # Only the changed row has a new history entry.
    assert (
        ApprovalAuthority.history.filter(
            history_change_reason="board minute 12"
        ).count()
        == 1
    )
    assert authority_covers(
        user=supervisor, kind="write_off", amount=Decimal("15000"), percent=Decimal(5)
    )
    assert "board minute 12" in admin_client.get(URL).content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("settlement-collector-percent", "101", "At most 100 %."),
        ("settlement-collector-amount", "-1", "Give 0 or more."),
        ("write_off-admin-amount", "lots", "Give a number."),
        ("write_off-admin-amount", "NaN", "Give 0 or more."),
        ("settlement-admin-amount", "1.001", "At most two decimal places."),
        ("settlement-admin-amount", "1e20", "The amount is too large."),
    ],
)
def test_a_wrong_number_is_refused_on_its_field_and_nothing_changes(
    admin_client, field, value, message
):
    before = list(ApprovalAuthority.objects.values_list("max_amount", "max_percent"))
    response = admin_client.post(URL, posted(**{field: value, "reason": "try"}))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors[field] == [message]
    assert (
        list(ApprovalAuthority.objects.values_list("max_amount", "max_percent"))
        == before
    )


def test_a_change_needs_a_reason(admin_client):
    response = admin_client.post(URL, posted(**{"write_off-admin-amount": "1"}))
    assert response.status_code == 400
    assert "reason" in response.context["form"].errors
    assert ApprovalAuthority.objects.get(role="admin", kind="write_off").max_amount > 1
