"""The bulk write helpers of the set-based paths: what goes in comes back unchanged,
whatever the text holds, on PostgreSQL (COPY) as on SQLite (bulk_create)."""

import datetime as dt

import pytest

from cases.models import Case
from collections_app.bulk import bulk_insert, update_by_ids
from compliance.ledger import DECISION_COLUMNS
from compliance.models import Decision
from tests.cases.factories import CaseFactory

pytestmark = pytest.mark.django_db
AT = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)


def test_rows_come_back_exactly_as_written():
    case = CaseFactory()
    awkward = ['say "hi"', "tab\there", "line\nbreak\r\n", "back\\slash", "逾期,提醒"]
    awkward.append("")
    rows = [
        (
            case.customer_id,
            None,
            case.pk,
            None,
            "sms",
            "collection",
            AT,
            AT,
            allowed,
            "allow" if allowed else "block",
            [{"code": "x", "message": text}],
            [],
            None if allowed else AT + dt.timedelta(hours=10),
            "cn",
            3,
            None,
        )
        for text in awkward
        for allowed in (True, False)
    ]
    ids = bulk_insert(Decision, DECISION_COLUMNS, rows)
    assert len(set(ids)) == len(rows)
    stored = {d.pk: d for d in Decision.objects.filter(pk__in=ids)}
    for pk, row in zip(ids, rows, strict=True):
        d = stored[pk]
        assert d.reasons == row[10]
        assert d.allowed is row[8]
        assert d.next_permitted_at == row[12]
        assert (d.contact_point_id, d.loan_id, d.actor_id) == (None, None, None)
        assert (d.proposed_at, d.rule_pack_version) == (AT, 3)


def test_update_by_ids_changes_only_the_given_rows():
    cases = CaseFactory.create_batch(3)
    changed = update_by_ids(
        Case, [cases[0].pk, cases[2].pk], next_action_at=AT, priority=7
    )
    assert changed == 2
    got = dict(Case.objects.values_list("pk", "priority"))
    assert got[cases[0].pk] == got[cases[2].pk] == 7
    assert got[cases[1].pk] == cases[1].priority
    assert Case.objects.get(pk=cases[1].pk).next_action_at is None
    assert update_by_ids(Case, [], priority=1) == 0
