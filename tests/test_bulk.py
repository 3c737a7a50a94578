"""The bulk write paths of the sweep: what goes in comes back unchanged, whatever the
text holds, on PostgreSQL (COPY and one statement) as on SQLite (bulk_create); and
both write every column of the ledger and outbox tables."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import transaction

from cases.models import Case, EscalationStep
from compliance import ledger as ledger_writes
from compliance.chain import ledger_verify
from compliance.engine import Decision as Verdict
from compliance.ledger import (
    LedgerEntry,
    attempt_row,
    decision_row,
    ledger_record_many,
)
from compliance.models import ContactAttempt, Decision
from core.bulk import bulk_insert, columns_ordered, ids_in, model_columns, update_by_ids
from escalation import sweep_writes
from escalation.sweep_writes import SweepMessage, sweep_batch_write
from messaging.models import OutboundMessage
from tests.cases.factories import CaseFactory, ContactPointFactory
from tests.messaging.factories import MessageTemplateFactory

pytestmark = pytest.mark.django_db
AT = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)
AWKWARD = ['say "hi"', "tab\there", "line\nbreak\r\n", "back\\slash", "逾期,提醒", ""]


def test_a_batch_comes_back_exactly_as_written():
    template = MessageTemplateFactory(code="sms-reminder", channel="sms")
    step = EscalationStep.objects.filter(action="sms").first()
    ledger, messages = [], []
    for i, text in enumerate(AWKWARD):
        case = CaseFactory()
        point = ContactPointFactory(customer=case.customer, relationship="spouse")
        allowed = i % 2 == 0
        verdict = Verdict(
            allowed=allowed,
            outcome="allow" if allowed else "deny",
            conditions=[text] if text else [],
            next_permitted_at=None if allowed else AT + dt.timedelta(hours=10),
            rule_pack="cn",
            rule_pack_version=3,
            proposed_at=AT,
            channel="sms",
            purpose="collection",
            contact_point_id=point.pk,
            _reasons=[{"code": "x", "message": text}],
        )
        ledger.append(LedgerEntry(decision=verdict, case=case))
        if allowed:
            messages.append(
                SweepMessage(
                    index=i,
                    step=step,
                    template_id=template.pk,
                    key=f"esc:{case.pk}:{step.pk}",
                    send_after=AT,
                )
            )
    sweep_batch_write(ledger, messages)

    attempts = {a.case_id: a for a in ContactAttempt.objects.select_related("decision")}
    for entry in ledger:
        attempt, verdict = attempts[entry.case.pk], entry.decision
        decision = attempt.decision
        assert (decision.reasons, decision.conditions) == (
            verdict.reasons,
            verdict.conditions,
        )
        assert decision.next_permitted_at == verdict.next_permitted_at
        assert (decision.allowed, attempt.allowed) == (verdict.allowed,) * 2
        assert attempt.result == ("pending" if verdict.allowed else "blocked")
        assert (attempt.contact_value, attempt.third_party) == (
            entry.case.customer.contact_points.get().value,
            True,
        )
        assert (decision.loan_id, decision.actor_id, attempt.loan_id) == (None,) * 3
    sent = OutboundMessage.objects.order_by("case_id")
    assert [(m.case_id, m.contact_attempt.case_id, m.status) for m in sent] == [
        (ledger[m.index].case.pk, ledger[m.index].case.pk, "pending") for m in messages
    ]
    assert {m.idempotency_key for m in sent} == {m.key for m in messages}


def test_the_ledger_batch_path_returns_each_entrys_attempt_as_written():
    """`ledger_record_many` (on PostgreSQL one statement, matched back by chain link):
    the same case twice, a third party, a blocked decision, no contact point."""
    case = CaseFactory()
    own = ContactPointFactory(customer=case.customer)
    spouse = ContactPointFactory(customer=case.customer, relationship="spouse")
    other = CaseFactory()
    texts = iter(AWKWARD)
    shapes = [(case, own, True), (case, spouse, False), (other, None, True)] * 2
    entries = []
    for n, (c, point, allowed) in enumerate(shapes):
        text = next(texts)
        verdict = _verdict(
            allowed=allowed,
            outcome="allow" if allowed else "defer",
            conditions=[text] if text else [],
            next_permitted_at=None if allowed else AT + dt.timedelta(hours=n),
            contact_point_id=point.pk if point else None,
            _reasons=[{"code": "x", "message": text}],
        )
        entries.append(
            LedgerEntry(decision=verdict, case=c, loan_id=None, source=f"src{n}")
        )
    with transaction.atomic():
        attempt_ids = ledger_record_many(entries)

    attempts = ContactAttempt.objects.select_related("decision").in_bulk(attempt_ids)
    assert len(attempts) == len(entries)
    for entry, (c, point, allowed), attempt_id in zip(
        entries, shapes, attempt_ids, strict=True
    ):
        attempt, verdict = attempts[attempt_id], entry.decision
        decision = attempt.decision
        assert (attempt.case_id, decision.case_id, attempt.source) == (
            c.pk,
            c.pk,
            entry.source,
        )
        assert (decision.reasons, decision.conditions) == (
            verdict.reasons,
            verdict.conditions,
        )
        assert decision.next_permitted_at == verdict.next_permitted_at
        assert attempt.result == ("pending" if allowed else "blocked")
        assert (attempt.contact_point_id, attempt.contact_value) == (
            (point.pk, point.value) if point else (None, "")
        )
        assert attempt.third_party == (point is spouse)
    by_hash = ContactAttempt.objects.filter(contact_value=own.value)
    assert set(by_hash.values_list("pk", flat=True)) == {
        attempt_ids[0],
        attempt_ids[3],
    }
    assert ledger_verify().ok


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


def test_ids_in_selects_the_given_rows_and_none_for_no_ids():
    cases = CaseFactory.create_batch(3)
    wanted = [cases[0].pk, cases[2].pk]
    assert sorted(Case.objects.filter(ids_in(wanted)).values_list("pk", flat=True)) == (
        sorted(wanted)
    )
    assert not Case.objects.filter(ids_in([])).exists()


def _verdict(**overrides) -> Verdict:
    fields = {
        "allowed": True,
        "outcome": "allow",
        "conditions": [],
        "next_permitted_at": None,
        "rule_pack": "cn",
        "rule_pack_version": 1,
        "proposed_at": AT,
        "channel": "sms",
        "purpose": "collection",
        "contact_point_id": None,
    }
    return Verdict(**{**fields, **overrides})


def test_the_bulk_paths_give_every_column_of_the_ledger_and_outbox_tables():
    """Adding a field to Decision, ContactAttempt or OutboundMessage fails here until
    both bulk paths (the row builders and the PostgreSQL statement) write it, or the
    outbox names it among the columns the sweep leaves NULL."""
    entry = LedgerEntry(decision=_verdict(), case=SimpleNamespace(pk=1, customer_id=2))
    message = SweepMessage(
        index=0,
        step=SimpleNamespace(action="sms", pk=3),
        template_id=4,
        key="esc:1:3",
        send_after=AT,
    )
    unwritten = sweep_writes.OUTBOX_UNWRITTEN
    paths = [
        (
            Decision,
            (),
            decision_row(entry, evaluated_at=AT),
            sweep_writes.DECISION_FROM_STAGE,
        ),
        (
            ContactAttempt,
            (),
            attempt_row(entry, decision_id=5, point=None),
            sweep_writes.ATTEMPT_FROM_STAGE,
        ),
        (
            ContactAttempt,
            (),
            attempt_row(entry, decision_id=5, point=None),
            ledger_writes.ATTEMPT_FROM_DECISION,
        ),
        (
            OutboundMessage,
            unwritten,
            sweep_writes.outbox_row(entry, message, attempt_id=6, now=AT),
            sweep_writes.OUTBOX_FROM_STAGE,
        ),
    ]
    for model, exclude, row, statement in paths:
        columns = set(model_columns(model, exclude=exclude))
        assert set(row) == columns, model.__name__
        assert set(statement) == columns, model.__name__
    # What the sweep leaves out, the table must accept as NULL.
    fields = {f.column: f for f in OutboundMessage._meta.concrete_fields}
    assert all(fields[c].null for c in unwritten)
    assert "INSERT INTO" in sweep_writes.write_statement()


def test_a_column_without_a_value_is_refused_by_name():
    given = set(sweep_writes.DECISION_FROM_STAGE) - {"outcome"}
    with pytest.raises(ValueError, match="outcome"):
        columns_ordered(Decision, given)
    with pytest.raises(ValueError, match="unknown \\['colour'\\]"):
        columns_ordered(Decision, {*sweep_writes.DECISION_FROM_STAGE, "colour"})
    row = decision_row(
        LedgerEntry(decision=_verdict(), case=CaseFactory()), evaluated_at=AT
    )
    del row["rule_pack_version"]
    with pytest.raises(ValueError, match="rule_pack_version"):
        bulk_insert(Decision, [row])
