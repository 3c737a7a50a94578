"""Tamper evidence for the decision ledger (issue 15, finding 3): hash chains.

Each Decision row carries SHA-256 over a canonical serialisation of its content and
the previous link's hash, in one of `LEDGER_CHAIN_SHARDS` chains (SQLite: one). A
writer locks one free shard's head row for its transaction (`SELECT ... FOR UPDATE
SKIP LOCKED`), so the sweep's parallel batches and concurrent gate calls never wait
on one global lock; the head row is updated in the same transaction, so a rolled
back write leaves no gap. Hashes are computed here, before the rows are written, by
every write path: `Decision.save` (the gate, one at a time), `ledger_record_many`
(bulk, portable) and the sweep's staged INSERT ... SELECT (escalation.sweep_writes).

`ledger_verify` walks each chain in order and reports the first broken link; a daily
`ledger_anchor` writes each head to the log, /metrics and the anchor table. The
triggers of compliance.models make rewriting a row impossible without disabling
them; the chain makes it visible if someone did, and the anchors kept outside the
database make it visible even if the rewriter recomputed the hashes after the link
they changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

import structlog
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from .models import Decision, LedgerAnchor, LedgerChainHead

logger = structlog.get_logger(__name__)

GENESIS = "0" * 64
# The columns a link's hash covers, in this order (by attribute name). Changing the
# list or the serialisation breaks every existing chain: add a version first.
CONTENT = (
    "customer_id",
    "case_id",
    "loan_id",
    "contact_point_id",
    "actor_id",
    "channel",
    "purpose",
    "proposed_at",
    "evaluated_at",
    "allowed",
    "outcome",
    "reasons",
    "conditions",
    "next_permitted_at",
    "rule_pack",
    "rule_pack_version",
)


def _canonical(value):
    # One spelling per instant, whatever zone the writer held it in and whatever
    # the database gives back (UTC, microseconds: what both databases keep).
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return value


def link_hash(*, prev_hash: str, shard: int, seq: int, row: dict) -> str:
    """SHA-256 (hex) of one link: the previous hash, the row's place, its content."""
    payload = [prev_hash, shard, seq, *(_canonical(row[c]) for c in CONTENT)]
    data = json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(data.encode()).hexdigest()


def chain_shards() -> int:
    """How many chains writers spread over (SQLite serialises writers: one)."""
    if connection.vendor != "postgresql":
        return 1
    return settings.LEDGER_CHAIN_SHARDS


def _heads_ensure(shards: int, using: str = "default") -> None:
    LedgerChainHead.objects.using(using).bulk_create(
        [LedgerChainHead(shard=n) for n in range(shards)], ignore_conflicts=True
    )


def chain_heads_ensure(*, using: str = "default") -> None:
    """Create the head rows of the configured shards that are missing (after
    migrate, and once before concurrent writers start)."""
    from django.db import connections

    vendor = connections[using].vendor
    _heads_ensure(settings.LEDGER_CHAIN_SHARDS if vendor == "postgresql" else 1, using)


def _head_claim() -> LedgerChainHead:
    """Lock one shard's head for the caller's transaction: a free one if any."""
    heads = LedgerChainHead.objects.filter(shard__lt=chain_shards())
    if connection.vendor != "postgresql":
        _heads_ensure(1)
        return heads.select_for_update().get(shard=0)
    # The shard this connection used last, first: a transaction writing decisions
    # one at a time keeps to the one shard it already holds (SKIP LOCKED does not
    # skip one's own locks, so a random pick would lock one shard after another).
    preferred = getattr(connection, "_ledger_chain_shard", None)
    head = None
    if preferred is not None:
        head = heads.filter(shard=preferred).select_for_update(skip_locked=True).first()
    free = heads.select_for_update(skip_locked=True).order_by("?")
    head = head or free.first()
    if head is None:  # the heads are not there yet (a new setting, a new database)
        _heads_ensure(chain_shards())
        head = free.first()
    if head is None:
        # More writers than shards: wait for one (raise LEDGER_CHAIN_SHARDS if
        # this shows up; two writers waiting on each other's second shard is a
        # deadlock PostgreSQL breaks by failing one of them).
        head = heads.select_for_update().order_by("?").first()
    connection._ledger_chain_shard = head.shard
    return head


def chain_link(rows: list[dict]) -> None:
    """Give each Decision row (a mapping by attribute name, CONTENT included) its
    `chain_shard`, `chain_seq` and `chain_hash`, in list order, in one shard.

    Precondition: inside the caller's transaction, which writes the rows; the shard
    stays locked until it ends.
    """
    if not rows:
        return
    if not connection.in_atomic_block:
        raise RuntimeError("chain_link needs the transaction that writes the rows")
    head = _head_claim()
    seq, prev = head.last_seq, head.last_hash
    for row in rows:
        seq += 1
        prev = link_hash(prev_hash=prev, shard=head.shard, seq=seq, row=row)
        row["chain_shard"], row["chain_seq"], row["chain_hash"] = head.shard, seq, prev
    LedgerChainHead.objects.filter(shard=head.shard).update(
        last_seq=seq, last_hash=prev, updated_at=timezone.now()
    )


def chain_decisions(decisions: list[Decision]) -> None:
    """`chain_link` for unsaved Decision instances (Decision.save calls it)."""
    rows = [{c: getattr(d, c) for c in CONTENT} for d in decisions]
    chain_link(rows)
    for d, row in zip(decisions, rows, strict=True):
        d.chain_shard, d.chain_seq, d.chain_hash = (
            row["chain_shard"],
            row["chain_seq"],
            row["chain_hash"],
        )


# --- verifying ------------------------------------------------------------------


@dataclass
class ShardReport:
    shard: int
    checked: int = 0
    last_seq: int = 0
    last_hash: str = GENESIS
    head_seq: int | None = None
    head_hash: str | None = None
    anchors_checked: int = 0
    broken: str = ""  # the first broken link, described; "" when the chain holds


@dataclass
class VerifyReport:
    shards: list[ShardReport] = field(default_factory=list)
    unchained: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and not any(s.broken for s in self.shards)

    @property
    def checked(self) -> int:
        return sum(s.checked for s in self.shards)


def _start(shard: int, since: dt.date | None) -> tuple[int, str]:
    """Where to start walking: the genesis, or with `since` the last link written
    before that day (its stored hash taken as given; anchors after it are checked)."""
    if since is None:
        return 0, GENESIS
    start = dt.datetime.combine(
        since, dt.time(), tzinfo=timezone.get_current_timezone()
    )
    seq = Decision.objects.filter(chain_shard=shard, evaluated_at__lt=start).aggregate(
        seq=Max("chain_seq")
    )["seq"]
    if seq is None:
        return 0, GENESIS
    stored = Decision.objects.filter(chain_shard=shard, chain_seq=seq).values_list(
        "chain_hash", flat=True
    )
    return seq, stored.get()


def _verify_shard(shard: int, since, head, anchors: dict[int, LedgerAnchor]):
    seq, prev = _start(shard, since)
    report = ShardReport(shard=shard, last_seq=seq, last_hash=prev)
    if head is not None:
        report.head_seq, report.head_hash = head.last_seq, head.last_hash
    rows = (
        Decision.objects.filter(chain_shard=shard, chain_seq__gt=seq)
        .order_by("chain_seq")
        .values_list("pk", "chain_seq", "chain_hash", *CONTENT)
        .iterator(chunk_size=5000)
    )
    for pk, row_seq, stored, *content in rows:
        if row_seq != seq + 1:
            report.broken = (
                f"row id {pk}: link {row_seq} follows link {seq}; "
                f"links {seq + 1}..{row_seq - 1} are missing (deleted rows)"
            )
            return report
        expected = link_hash(
            prev_hash=prev,
            shard=shard,
            seq=row_seq,
            row=dict(zip(CONTENT, content, strict=True)),
        )
        if expected != stored:
            report.broken = (
                f"row id {pk} (link {row_seq}): expected hash {expected}, "
                f"found {stored} (the row or an earlier one was changed)"
            )
            return report
        anchor = anchors.get(row_seq)
        if anchor is not None:
            if anchor.head_hash != stored:
                report.broken = (
                    f"row id {pk} (link {row_seq}): anchored on {anchor.date} as "
                    f"{anchor.head_hash}, found {stored} (the chain was rewritten)"
                )
                return report
            report.anchors_checked += 1
        seq, prev = row_seq, stored
        report.checked += 1
    report.last_seq, report.last_hash = seq, prev
    if head is not None and (head.last_seq, head.last_hash) != (seq, prev):
        report.broken = (
            f"the chain ends at link {seq} ({prev}), but its head says link "
            f"{head.last_seq} ({head.last_hash}): its last rows were deleted"
        )
    beyond = [a for a in anchors.values() if a.head_seq > seq]
    if beyond and not report.broken:
        a = min(beyond, key=lambda a: a.head_seq)
        report.broken = (
            f"anchored on {a.date} at link {a.head_seq} ({a.head_hash}), but the "
            f"chain ends at link {seq}: rows were deleted"
        )
    return report


def ledger_verify(*, since: dt.date | None = None) -> VerifyReport:
    """Recompute every chain (from `since`, when given) and check it against its
    head and its anchors. Reads only; safe to run on a live database or a copy."""
    report = VerifyReport()
    heads = {h.shard: h for h in LedgerChainHead.objects.all()}
    used = set(
        Decision.objects.filter(chain_shard__isnull=False)
        .values_list("chain_shard", flat=True)
        .distinct()
        .order_by()
    )
    anchors: dict[int, dict[int, LedgerAnchor]] = {}
    for anchor in LedgerAnchor.objects.all():
        anchors.setdefault(anchor.shard, {})[anchor.head_seq] = anchor
    for shard in sorted(used | set(heads) | set(anchors)):
        if shard not in heads and shard in used:
            report.problems.append(f"shard {shard}: rows but no head row")
        report.shards.append(
            _verify_shard(shard, since, heads.get(shard), anchors.get(shard, {}))
        )
    # A row outside every chain, written after the chain began, was inserted past
    # the writers (raw SQL); rows from before the chain existed are only counted.
    unchained = Decision.objects.filter(chain_seq__isnull=True)
    report.unchained = unchained.count()
    first = (
        Decision.objects.filter(chain_seq__isnull=False)
        .order_by("evaluated_at")
        .values_list("evaluated_at", flat=True)
        .first()
    )
    if first is not None:
        late = unchained.filter(evaluated_at__gte=first).order_by("pk")
        row = late.values_list("pk", flat=True).first()
        if row is not None:
            report.problems.append(
                f"row id {row} is in no chain but was written after the chain "
                f"began ({late.count()} such rows): inserted past the writers"
            )
    return report


# --- anchoring --------------------------------------------------------------------


def hash_display(value: str) -> str:
    """A hash grouped by 8 (`sha256:1a2b3c4d:...`), for the log: the log's PII
    scrubber would mask a run of digits in plain hex as a phone number."""
    return "sha256:" + ":".join(value[i : i + 8] for i in range(0, len(value), 8))


@transaction.atomic
def ledger_anchor(*, on: dt.date | None = None) -> list[LedgerAnchor]:
    """Record each shard's head as of now, once a day: an anchor row, a log line
    (`ledger_anchor`), and the /metrics gauges read from the anchors. Safe to run
    twice a day: the second run writes nothing and logs the day's anchors again."""
    on = on or timezone.localdate()
    anchors = []
    for head in LedgerChainHead.objects.order_by("shard"):
        head_id = (
            Decision.objects.filter(chain_shard=head.shard, chain_seq=head.last_seq)
            .values_list("pk", flat=True)
            .first()
        )
        anchor, _ = LedgerAnchor.objects.get_or_create(
            date=on,
            shard=head.shard,
            defaults={
                "head_seq": head.last_seq,
                "head_id": head_id,
                "head_hash": head.last_hash,
            },
        )
        anchors.append(anchor)
        logger.info(
            "ledger_anchor",
            date=on.isoformat(),
            shard=anchor.shard,
            head_seq=anchor.head_seq,
            head_id=anchor.head_id,
            head_hash=hash_display(anchor.head_hash),
        )
    return anchors
