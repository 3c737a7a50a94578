"""The two renderings of one visibility rule agree: `case_visibility_filter` (joins,
for lists) and `case_scope_for_user` (ids resolved first, for "next case")."""

import pytest

from cases.models import Case
from cases.selectors import case_scope_for_user, case_visibility_filter
from tests.calls.conftest import make_case
from tests.cases.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def portfolio(queue, other_queue, collector, outsider):
    make_case(queue, reference="CASE-A")
    make_case(other_queue, reference="CASE-B")
    make_case(other_queue, reference="CASE-B-MINE", assigned_to=collector)
    make_case(queue, reference="CASE-A-THEIRS", assigned_to=outsider)
    make_case(None, reference="CASE-NOWHERE", assigned_to=outsider)
    make_case(None, reference="CASE-NOBODY")


def refs(q):
    cases = Case.objects.all() if q is None else Case.objects.filter(q).distinct()
    return set(cases.values_list("reference", flat=True))


@pytest.mark.parametrize(
    "persona",
    ["collector", "outsider", "supervisor", "other_supervisor", "both", "admin_user"],
)
def test_the_claims_scope_and_the_list_filter_see_the_same_cases(
    request, portfolio, persona, team, other_team
):
    if persona == "other_supervisor":
        user = UserFactory(username="boss-b", roles=["supervisor"])
        other_team.supervisors.add(user)
    elif persona == "both":
        user = UserFactory(username="both", roles=["collector", "supervisor"])
        team.members.add(user)
        other_team.supervisors.add(user)
    else:
        user = request.getfixturevalue(persona)
    scope = case_scope_for_user(user=user)

    expected = refs(case_visibility_filter(user=user))

    assert refs(None if scope is None else scope.q()) == expected
    assert expected  # every persona sees something here
