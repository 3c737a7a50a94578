"""Reads that may lag go to the read replica (core.replica, REPLICA_DATABASE_URL).

On PostgreSQL a second connection to the test database stands in for the replica:
the fixture adds the alias "replica" after the database is set up, as settings do
when REPLICA_DATABASE_URL is set. The test proves which connection ran which query.
"""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calls.models import CallLog
from core.replica import REPLICA, read_alias, replica_reads
from tests.supervision.conftest import make_call

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def replica():
    connections.settings[REPLICA] = {
        **connections["default"].settings_dict,
        "TEST": {"MIRROR": "default"},
    }
    # Connected here: Django's test case refuses to open a connection for an alias
    # it was not told about, but uses one that is open.
    connections[REPLICA].connect()
    try:
        yield connections[REPLICA]
    finally:
        connections[REPLICA].close()
        del connections.settings[REPLICA]
        del connections[REPLICA]


def _tables(queries) -> str:
    return " ".join(q["sql"] for q in queries)


def test_the_dashboard_reads_its_figures_from_the_replica(
    client, supervisor, collector, team_case, replica, settings
):
    settings.SUPERVISION_DASHBOARD_CACHE_SECONDS = 0
    make_call(team_case, collector)
    client.force_login(supervisor)
    with (
        CaptureQueriesContext(replica) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        response = client.get(reverse("supervision:dashboard"), {"days": "7"})
        api = client.get("/api/v1/reports/team/", {"days": "7"})
    assert response.status_code == 200
    assert api.json()["total"]["attempts"] == 1  # the committed call, read there
    assert "calls_calllog" in _tables(on_replica)
    # The session, the user and the page's own bookkeeping stay on the primary;
    # the figures do not.
    assert "calls_calllog" not in _tables(on_primary)


def test_the_calls_export_reads_from_the_replica(
    client, supervisor, collector, team_case, replica
):
    make_call(team_case, collector)
    client.force_login(supervisor)
    with CaptureQueriesContext(replica) as on_replica:
        response = client.get(reverse("supervision:calls"), {"format": "csv"})
    assert response.status_code == 200
    assert team_case.reference in response.content.decode()
    assert "calls_calllog" in _tables(on_replica)


def test_outside_the_context_reads_and_all_writes_use_the_primary(
    supervisor, collector, team_case, replica
):
    with CaptureQueriesContext(replica) as on_replica:
        make_call(team_case, collector)
        CallLog.objects.count()
        with replica_reads():
            assert read_alias() == REPLICA
            assert CallLog.objects.count() == 1
            # A write inside the block still goes to the primary.
            CallLog.objects.filter(case=team_case).update(notes="checked")
    assert len(on_replica) == 1
    assert on_replica[0]["sql"].lower().startswith("select count")


def test_without_a_replica_everything_reads_from_the_primary(db):
    with replica_reads():
        assert read_alias() == "default"
