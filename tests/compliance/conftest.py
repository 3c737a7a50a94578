import pytest

from tests.cases.factories import CaseFactory, ContactPointFactory


@pytest.fixture
def case(queue):
    """A case in the collector's queue whose customer has one mobile number."""
    case = CaseFactory(queue=queue)
    ContactPointFactory(customer=case.customer, value="+8613800138000")
    return case
