"""Tamper evidence (issue 15, finding 3): every decision row is a link of a hash
chain; `ledger_verify` recomputes the chains and names the first broken link; the
daily anchor keeps each head outside the database."""

import datetime as dt
import json
import logging
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from compliance.chain import (
    CONTENT,
    GENESIS,
    chain_heads_ensure,
    hash_display,
    ledger_anchor,
    ledger_verify,
    link_hash,
)
from compliance.ledger import LedgerEntry, ledger_record_many
from compliance.models import Decision, LedgerAnchor, LedgerChainHead
from compliance.services import contact_evaluate, contact_request
from core.logs import scrub
from tests.cases.factories import CaseFactory, ContactPointFactory, CustomerFactory

SH = ZoneInfo("Asia/Shanghai")
MORNING = dt.datetime(2026, 3, 10, 10, 0, tzinfo=SH)

pytestmark = pytest.mark.django_db


@pytest.fixture
def debtor():
    customer = CustomerFactory()
    ContactPointFactory(customer=customer, value="+8613800138000")
    return customer


@pytest.fixture
def ledger(debtor):
    """Five decisions written by the gate, one at a time."""
    for minutes in range(5):
        contact_request(
            customer=debtor,
            channel="sms",
            at=MORNING + dt.timedelta(minutes=minutes),
        )
    return list(Decision.objects.order_by("chain_shard", "chain_seq"))


def _raw(sql: str, params=()) -> None:
    """Run `sql` as an attacker with the database's owner rights would: with the
    append-only triggers disabled (PostgreSQL; SQLite has none)."""
    tables = ("compliance_decision", "compliance_contactattempt")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The test's own inserts leave deferred foreign-key checks pending,
            # which ALTER TABLE refuses to run over.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in tables:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER ALL")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            for table in tables:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER ALL")


def _delete(decision: Decision) -> None:
    """Delete a decision row and its attempt, past the triggers."""
    _raw("DELETE FROM compliance_contactattempt WHERE decision_id = %s", [decision.pk])
    _raw("DELETE FROM compliance_decision WHERE id = %s", [decision.pk])


def _verify(*args) -> tuple[str, CommandError | None]:
    out = StringIO()
    try:
        call_command("ledger_verify", *args, stdout=out)
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


def test_every_gate_decision_is_a_link_of_one_chain(ledger):
    shards = {d.chain_shard for d in ledger}
    assert len(shards) == 1  # one test transaction holds one shard
    assert [d.chain_seq for d in ledger] == [1, 2, 3, 4, 5]
    prev = GENESIS  # the first link follows the genesis
    for d in ledger:
        row = {c: getattr(d, c) for c in CONTENT}
        prev = link_hash(prev_hash=prev, shard=d.chain_shard, seq=d.chain_seq, row=row)
        assert d.chain_hash == prev
    head = LedgerChainHead.objects.get(shard=ledger[0].chain_shard)
    assert (head.last_seq, head.last_hash) == (5, ledger[-1].chain_hash)


def test_ledger_verify_passes_on_an_untouched_ledger(ledger):
    out, error = _verify()
    assert error is None
    assert f"shard {ledger[0].chain_shard}: ok, 5 rows checked" in out
    assert ledger[-1].chain_hash in out  # the head hash
    assert "ledger verified: 5 rows" in out


def test_a_row_changed_by_raw_sql_is_found_and_named(ledger):
    target = ledger[2]
    _raw(
        "UPDATE compliance_decision SET outcome = 'deny', allowed = false "
        "WHERE id = %s",
        [target.pk],
    )
    out, error = _verify()
    assert error is not None
    assert "BROKEN" in out
    assert f"first broken link: row id {target.pk} (link 3)" in out
    assert f"found {target.chain_hash}" in out
    report = ledger_verify()
    assert not report.ok


def test_a_json_column_changed_by_raw_sql_is_found(ledger):
    target = ledger[0]
    _raw(
        "UPDATE compliance_decision SET conditions = %s WHERE id = %s",
        [json.dumps(["forged"]), target.pk],
    )
    out, error = _verify()
    assert error is not None and f"row id {target.pk} (link 1)" in out


def test_a_deleted_row_is_found(ledger):
    _delete(ledger[1])
    out, error = _verify()
    assert error is not None
    assert f"row id {ledger[2].pk}: link 3 follows link 1" in out


def test_a_deleted_last_row_is_found_by_the_head(ledger):
    _delete(ledger[-1])
    out, error = _verify()
    assert error is not None
    assert "the chain ends at link 4" in out and "head says link 5" in out


def test_a_row_inserted_past_the_writers_is_found(ledger):
    columns = ", ".join(CONTENT)
    _raw(
        f"INSERT INTO compliance_decision ({columns}, chain_hash) "  # noqa: S608
        f"SELECT {columns}, '' FROM compliance_decision WHERE id = %s",
        [ledger[0].pk],
    )
    out, error = _verify()
    assert error is not None
    assert "is in no chain but was written after the chain began" in out


def test_a_chain_recomputed_after_a_change_no_longer_matches_its_anchor(ledger):
    """The rewriter who also recomputes every later hash and the head is caught by
    the anchor written before the change."""
    anchors = ledger_anchor(on=dt.date(2026, 3, 10))
    assert [a.head_seq for a in anchors if a.shard == ledger[0].chain_shard] == [5]
    shard = ledger[0].chain_shard
    _raw(
        "UPDATE compliance_decision SET outcome = 'deny' WHERE id = %s", [ledger[1].pk]
    )
    prev = ledger[0].chain_hash
    for d in Decision.objects.filter(chain_shard=shard, chain_seq__gte=2).order_by(
        "chain_seq"
    ):
        row = {c: getattr(d, c) for c in CONTENT}
        prev = link_hash(prev_hash=prev, shard=shard, seq=d.chain_seq, row=row)
        _raw(
            "UPDATE compliance_decision SET chain_hash = %s WHERE id = %s", [prev, d.pk]
        )
    LedgerChainHead.objects.filter(shard=shard).update(last_hash=prev)
    out, error = _verify()
    assert error is not None
    assert f"row id {ledger[-1].pk} (link 5): anchored on 2026-03-10" in out


def test_the_anchor_is_logged_stored_once_a_day_and_exported(ledger, client, caplog):
    with caplog.at_level(logging.INFO, logger="compliance.chain"):
        first = ledger_anchor(on=dt.date(2026, 3, 10))
        again = ledger_anchor(on=dt.date(2026, 3, 10))
    assert [a.pk for a in first] == [a.pk for a in again]
    anchor = next(a for a in first if a.shard == ledger[0].chain_shard)
    assert (anchor.head_seq, anchor.head_id, anchor.head_hash) == (
        5,
        ledger[-1].pk,
        ledger[-1].chain_hash,
    )
    assert LedgerAnchor.objects.filter(date=dt.date(2026, 3, 10)).count() == len(first)
    logged = " ".join(str(r.msg) for r in caplog.records)
    assert hash_display(anchor.head_hash) in logged
    metrics = client.get("/metrics").content.decode()
    assert (
        f'collections_ledger_anchor_head_seq{{shard="{anchor.shard}"}} 5.0' in metrics
    )
    assert anchor.head_hash in metrics
    out, error = _verify()
    assert error is None and "1 anchors matched" in out


def test_the_logged_hash_survives_the_pii_scrubber():
    # Plain hex can hold eleven digits in a row, which the scrubber masks as a
    # Chinese mobile number; the grouped form cannot.
    value = "ab13812345678" + "c" * 51
    assert scrub(value) != value
    assert scrub(hash_display(value)) == hash_display(value)


def test_verify_since_a_day_starts_from_the_last_link_before_it(ledger):
    _raw(
        "UPDATE compliance_decision SET outcome = 'deny' WHERE id = %s", [ledger[0].pk]
    )
    _raw(
        "UPDATE compliance_decision SET evaluated_at = evaluated_at - interval '3 days'"
        if connection.vendor == "postgresql"
        else "UPDATE compliance_decision SET evaluated_at = datetime(evaluated_at, "
        "'-3 days')",
    )
    # Every link's evaluated_at moved: the full check fails at link 1 ...
    assert not ledger_verify().ok
    # ... and from the day after all of them, nothing is left to check but the
    # head, which matches the last link's stored hash.
    report = ledger_verify(since=dt.date.today() + dt.timedelta(days=1))
    assert report.checked == 0
    assert not any(s.broken for s in report.shards)


def test_verify_refuses_a_bad_since():
    with pytest.raises(CommandError, match="--since"):
        call_command("ledger_verify", "--since", "yesterday", stdout=StringIO())


def test_the_bulk_path_chains_its_rows_in_order(debtor):
    case = CaseFactory(customer=debtor)
    entries = [
        LedgerEntry(
            decision=contact_evaluate(
                customer=debtor, channel="sms", at=MORNING + dt.timedelta(hours=h)
            ),
            case=case,
        )
        for h in range(3)
    ]
    with transaction.atomic():
        ledger_record_many(entries)
    rows = list(Decision.objects.order_by("chain_seq"))
    assert [r.chain_seq for r in rows] == [1, 2, 3]
    assert ledger_verify().ok


@pytest.mark.postgres
def test_the_sweep_statement_chains_its_batch(debtor):
    from escalation.sweep_writes import sweep_batch_write

    case = CaseFactory(customer=debtor)
    other = CaseFactory()
    ContactPointFactory(customer=other.customer, value="+8613800138001")
    entries = [
        LedgerEntry(
            decision=contact_evaluate(customer=c.customer, channel="sms", at=MORNING),
            case=c,
        )
        for c in (case, other)
    ]
    with transaction.atomic():
        sweep_batch_write(entries, [])
    rows = list(Decision.objects.order_by("chain_seq"))
    assert [r.chain_seq for r in rows] == [1, 2]
    assert [r.case_id for r in rows] == [case.pk, other.pk]
    assert ledger_verify().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_take_different_shards(settings):
    """Two open transactions chain at once without waiting: SKIP LOCKED hands the
    second a free shard."""
    import threading

    from django.db import connections

    settings.LEDGER_CHAIN_SHARDS = 4
    chain_heads_ensure()  # as migrate does
    held, release, shards = threading.Event(), threading.Event(), []

    # Two customers: the gate locks the customer first.
    customers = []
    for value in ("+8613800138000", "+8613800138001"):
        customers.append(CustomerFactory())
        ContactPointFactory(customer=customers[-1], value=value)

    def writer(wait: bool):
        try:
            with transaction.atomic():
                contact_request(
                    customer=customers[0 if wait else 1], channel="sms", at=MORNING
                )
                shards.append(Decision.objects.order_by("-pk").first().chain_shard)
                if wait:
                    held.set()
                    release.wait(10)
        finally:
            connections.close_all()

    first = threading.Thread(target=writer, args=(True,))
    first.start()
    assert held.wait(10)
    second = threading.Thread(target=writer, args=(False,))
    second.start()
    second.join(10)
    assert not second.is_alive()  # it did not wait for the first
    release.set()
    first.join(10)
    assert len(set(shards)) == 2
    assert ledger_verify().ok
