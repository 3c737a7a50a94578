"""The collector's queue search with phones and national ids encrypted at rest
(core.crypto): whole values by keyed hash, fragments by the masked column."""

import pytest
from django.utils import timezone

from calls.selectors.queue import QueueFilters, queue_cases
from tests.calls.conftest import make_case

PHONE = "+8613912345678"
NATIONAL_ID = "310101199001011234"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "q", [PHONE, PHONE[1:], "+86139****5678", "5678", "12345678", NATIONAL_ID]
)
def test_the_collectors_queue_finds_a_customer_by_phone_or_national_id(
    q, queue, collector, working_hours
):
    wang = make_case(queue, reference="CASE-WANG", phone=PHONE)
    wang.customer.national_id = NATIONAL_ID
    wang.customer.save()
    make_case(queue, reference="CASE-LI", phone="+8613800002222")

    found = queue_cases(
        user=collector, filters=QueueFilters(q=q), now=timezone.now()
    ).values_list("reference", flat=True)

    assert list(found) == ["CASE-WANG"]
