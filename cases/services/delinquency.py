"""Days past due, buckets and the set-based delinquency refresh.

The raw SQL here interpolates only table names and fixed fragments built in this
module (hence the S608 waivers); every value travels as a query parameter.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import events
from core.bulk import analyze_if_large
from core.errors import ApplicationError

from ..models import ZERO, Case, Instalment, Loan, WorkQueue

logger = logging.getLogger(__name__)

# Priority score: days past due dominate (capped), then the overdue amount in hundreds.
PRIORITY_MAX_DPD = 180
PRIORITY_MAX_AMOUNT_PART = 999


def days_past_due(oldest_unpaid_due: dt.date | None, today: dt.date) -> int:
    """Days since the oldest unpaid instalment fell due.

    An instalment due today is not late yet (0); one due yesterday is 1 day past due.
    No unpaid instalment, or one due in the future, is 0.
    """
    if oldest_unpaid_due is None:
        return 0
    return max(0, (today - oldest_unpaid_due).days)


def bucket_for(dpd: int) -> str:
    """The DPD band label from settings.DPD_BUCKETS; "" (current) for 0 DPD."""
    for low, high, label in settings.DPD_BUCKETS:
        if dpd >= low and (high is None or dpd <= high):
            return label
    return ""


def priority_score(*, dpd: int, overdue_amount: Decimal) -> int:
    """A simple ordering score: capped DPD first, then overdue amount in hundreds.

    Mirrors the SQL in `_priority_sql` (delinquency_refresh) so a case scores the same
    whichever path refreshed it last.
    """
    amount_part = int((overdue_amount / 100).quantize(Decimal(1), ROUND_HALF_UP))
    return min(dpd, PRIORITY_MAX_DPD) * 1000 + min(
        amount_part, PRIORITY_MAX_AMOUNT_PART
    )


def _days_since_sql(today_sql: str, column_sql: str) -> str:
    """SQL for whole days from a date column to `today` (both backends)."""
    if connection.vendor == "postgresql":
        return f"(CAST({today_sql} AS date) - {column_sql})"
    return f"CAST(julianday({today_sql}) - julianday({column_sql}) AS INTEGER)"


def _bucket_sql(dpd_sql: str) -> tuple[str, list]:
    """A CASE expression mapping a DPD expression to its bucket label."""
    whens, params = [], []
    for low, high, label in settings.DPD_BUCKETS:
        condition = f"{dpd_sql} >= {int(low)}"
        if high is not None:
            condition += f" AND {dpd_sql} <= {int(high)}"
        whens.append(f"WHEN {condition} THEN %s")
        params.append(label)
    return f"CASE {' '.join(whens)} ELSE '' END", params


def _priority_sql(dpd_sql: str, overdue_sql: str) -> str:
    """The SQL twin of priority_score()."""
    return (
        f"(CASE WHEN {dpd_sql} > {PRIORITY_MAX_DPD} THEN {PRIORITY_MAX_DPD} "
        f"ELSE {dpd_sql} END) * 1000 + "
        f"(CASE WHEN ROUND({overdue_sql} / 100.0) > {PRIORITY_MAX_AMOUNT_PART} "
        f"THEN {PRIORITY_MAX_AMOUNT_PART} "
        f"ELSE CAST(ROUND({overdue_sql} / 100.0) AS INTEGER) END)"
    )


def _customer_overdue_sql() -> str:
    """Per customer with an overdue active loan: overdue sum, max DPD, currency."""
    loan = Loan._meta.db_table
    return (
        "SELECT l.customer_id AS customer_id, "  # noqa: S608
        "ROUND(SUM(l.overdue_amount), 2) AS overdue, "
        "MAX(l.days_past_due) AS dpd, MAX(l.currency) AS currency "
        f"FROM {loan} l WHERE l.status = %s AND l.overdue_amount > 0 "
        "GROUP BY l.customer_id"
    )


def _loans_refresh(cursor, *, today: dt.date, now: dt.datetime) -> tuple[int, int]:
    """Loans' overdue amount, DPD and bucket in two statements.

    Returns (rows set, rows cleared)."""
    today_param = connection.ops.adapt_datefield_value(today)
    loan, instalment = Loan._meta.db_table, Instalment._meta.db_table
    dpd = _days_since_sql("%s", "MIN(i.due_date)")
    bucket, bucket_params = _bucket_sql("d.dpd")
    # Only rows whose figures change are written: a second run the same day is cheap.
    cursor.execute(
        f"""
        UPDATE {loan}
        SET overdue_amount = agg.overdue, days_past_due = agg.dpd,
            bucket = agg.bucket, updated_at = %s
        FROM (
            SELECT d.loan_id, d.overdue, d.dpd, {bucket} AS bucket
            FROM (
                SELECT i.loan_id AS loan_id,
                       ROUND(SUM(i.amount_due - i.amount_paid), 2) AS overdue,
                       {dpd} AS dpd
                FROM {instalment} i
                WHERE i.amount_paid < i.amount_due AND i.due_date < %s
                GROUP BY i.loan_id
            ) d
        ) agg
        WHERE {loan}.id = agg.loan_id AND {loan}.status = %s
          AND ({loan}.overdue_amount <> agg.overdue
               OR {loan}.days_past_due <> agg.dpd
               OR {loan}.bucket <> agg.bucket)
        """,  # noqa: S608
        [
            connection.ops.adapt_datetimefield_value(now),
            *bucket_params,
            today_param,
            today_param,
            Loan.Status.ACTIVE,
        ],
    )
    updated = cursor.rowcount
    overdue_instalments = Instalment.objects.filter(
        loan=OuterRef("pk"), amount_paid__lt=F("amount_due"), due_date__lt=today
    )
    cleared = (
        Loan.objects.filter(status=Loan.Status.ACTIVE)
        .filter(Q(overdue_amount__gt=0) | Q(days_past_due__gt=0) | ~Q(bucket=""))
        .exclude(Exists(overdue_instalments))
        .update(overdue_amount=ZERO, days_past_due=0, bucket="", updated_at=now)
    )
    return updated, cleared


def _cases_open(cursor, *, now_param) -> int:
    """Open a case for each customer with an overdue active loan and no open case.

    One INSERT ... SELECT ... ON CONFLICT DO NOTHING. The partial unique index
    case_one_open_per_customer is what skips customers who have an open case: it
    also makes a concurrent run (or a rare reference collision) skip the row instead
    of failing, and the next refresh picks up anything skipped. There is deliberately
    no NOT EXISTS on the case table here: on a first run the planner believes that
    table empty and probes it with a sequential scan per row while the statement
    fills it (quadratic; minutes at 500,000 customers).
    """
    case_table = Case._meta.db_table
    if connection.vendor == "postgresql":
        reference = (
            "'CS-' || upper(substr(md5(random()::text || clock_timestamp()::text "
            "|| agg.customer_id::text), 1, 14))"
        )
    else:
        reference = "'CS-' || substr(hex(randomblob(7)), 1, 14)"
    bucket, bucket_params = _bucket_sql("agg.dpd")
    exprs = {
        "reference": (reference, []),
        "customer_id": ("agg.customer_id", []),
        "status": ("%s", [Case.Status.OPEN]),
        "overdue_amount": ("agg.overdue", []),
        "currency": ("agg.currency", []),
        "max_days_past_due": ("agg.dpd", []),
        "bucket": (bucket, bucket_params),
        "priority": (_priority_sql("agg.dpd", "agg.overdue"), []),
        "opened_at": ("%s", [now_param]),
        "close_reason": ("''", []),
    }
    columns, select, params = [], [], []
    for field in Case._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.column in exprs:
            sql, field_params = exprs[field.column]
        elif field.null:
            sql, field_params = "NULL", []
        elif field.has_default():
            sql = "%s"
            field_params = [field.get_db_prep_save(field.get_default(), connection)]
        else:  # a new required column: this statement must learn about it
            raise RuntimeError(
                f"_cases_open does not know how to fill Case.{field.name}"
            )
        columns.append(connection.ops.quote_name(field.column))
        select.append(sql)
        params.extend(field_params)
    cursor.execute(
        f"""
        INSERT INTO {case_table} ({", ".join(columns)})
        SELECT {", ".join(select)}
        FROM ({_customer_overdue_sql()}) agg
        WHERE true
        ON CONFLICT DO NOTHING
        """,  # noqa: S608
        [*params, Loan.Status.ACTIVE],
    )
    return cursor.rowcount


def _cases_summary_refresh(cursor) -> int:
    """Open cases' overdue amount, max DPD, bucket and priority from their loans."""
    case_table = Case._meta.db_table
    bucket, bucket_params = _bucket_sql("agg.dpd")
    priority = _priority_sql("agg.dpd", "agg.overdue")
    cursor.execute(
        f"""
        UPDATE {case_table}
        SET overdue_amount = s.overdue, max_days_past_due = s.dpd,
            bucket = s.bucket, priority = s.priority, currency = s.currency
        FROM (
            SELECT agg.customer_id, agg.overdue, agg.dpd, agg.currency,
                   {bucket} AS bucket, {priority} AS priority
            FROM ({_customer_overdue_sql()}) agg
        ) s
        WHERE {case_table}.customer_id = s.customer_id AND {case_table}.status = %s
          AND ({case_table}.overdue_amount <> s.overdue
               OR {case_table}.max_days_past_due <> s.dpd
               OR {case_table}.bucket <> s.bucket
               OR {case_table}.priority <> s.priority
               OR {case_table}.currency <> s.currency)
        """,  # noqa: S608
        [*bucket_params, Loan.Status.ACTIVE, Case.Status.OPEN],
    )
    return cursor.rowcount


def _cases_close_cured(*, now: dt.datetime) -> tuple[int, int]:
    """Close open cases whose customer owes nothing overdue; returns (paid, cured)."""
    overdue_loans = Loan.objects.filter(
        customer=OuterRef("customer"), status=Loan.Status.ACTIVE, overdue_amount__gt=0
    )
    owing_loans = Loan.objects.filter(
        customer=OuterRef("customer"),
        status=Loan.Status.ACTIVE,
        outstanding_balance__gt=0,
    )
    to_close = Case.objects.open().exclude(Exists(overdue_loans))
    # Webhook events for integrations (core.events): the ids are read only
    # when someone subscribes to case.closed.
    closing = (
        list(to_close.values_list("pk", flat=True))
        if events.event_wanted(events.CASE_CLOSED)
        else []
    )
    paid = to_close.exclude(Exists(owing_loans)).update(
        status=Case.Status.CLOSED, closed_at=now, close_reason=Case.CloseReason.PAID
    )
    cured = to_close.update(
        status=Case.Status.CLOSED, closed_at=now, close_reason=Case.CloseReason.CURED
    )
    events.event_publish(events.CASE_CLOSED, ids=closing)
    return paid, cured


QUEUE_CRITERIA = ("buckets", "min_overdue", "products", "regions")


def queue_criteria_q(criteria: dict | None) -> Q:
    """The case filter for a WorkQueue's criteria; an empty criterion matches all.

    {"buckets": [...], "min_overdue": "1000", "products": [...], "regions": [...]}
    """
    criteria = criteria or {}
    if not isinstance(criteria, dict):
        raise ApplicationError(
            _("Queue criteria must be an object."),
            errors={"criteria": [_("Not an object.")]},
        )
    q = Q()
    unknown = sorted(set(criteria) - set(QUEUE_CRITERIA))
    if unknown:
        message = _("Unknown criteria %(unknown)s: use %(known)s.") % {
            "unknown": ", ".join(unknown),
            "known": ", ".join(QUEUE_CRITERIA),
        }
        raise ApplicationError(message, errors={"criteria": [message]})
    for key in ("buckets", "products", "regions"):
        value = criteria.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            message = _("%(key)s must be a list of strings.") % {"key": key}
            raise ApplicationError(message, errors={"criteria": [message]})
    buckets = [label for _low, _high, label in settings.DPD_BUCKETS]
    nonsense = [b for b in criteria.get("buckets") or [] if b not in buckets]
    if nonsense:
        # A bucket no case can be in would make the queue silently empty.
        message = _("No such bucket %(nonsense)s: the buckets are %(buckets)s.") % {
            "nonsense": ", ".join(nonsense),
            "buckets": ", ".join(buckets),
        }
        raise ApplicationError(message, errors={"criteria": [message]})
    if criteria.get("buckets"):
        q &= Q(bucket__in=criteria["buckets"])
    if criteria.get("min_overdue") not in (None, ""):
        try:
            minimum = Decimal(str(criteria["min_overdue"]))
        except InvalidOperation:
            message = _("min_overdue must be an amount.")
            raise ApplicationError(message, errors={"criteria": [message]}) from None
        q &= Q(overdue_amount__gte=minimum)
    if criteria.get("products"):
        q &= Exists(
            Loan.objects.filter(
                customer=OuterRef("customer"),
                status=Loan.Status.ACTIVE,
                overdue_amount__gt=0,
                product__in=criteria["products"],
            )
        )
    if criteria.get("regions"):
        q &= Q(customer__region__in=criteria["regions"])
    return q


def _cases_queue() -> int:
    """Put each open, unqueued case in the first active queue whose criteria match.

    One UPDATE per queue, in queue priority order: a case taken by an earlier queue
    no longer has queue IS NULL for the later ones.
    """
    queued = 0
    for queue in WorkQueue.objects.filter(is_active=True).order_by("priority", "code"):
        try:
            criteria = queue_criteria_q(queue.criteria)
        except ApplicationError as exc:
            logger.warning("Skipping queue %s: %s", queue.code, exc.message)
            continue
        queued += (
            Case.objects.open()
            .filter(queue__isnull=True)
            .filter(criteria)
            .update(queue=queue)
        )
    return queued


def delinquency_refresh(*, today: dt.date | None = None) -> dict:
    """Bring loans' and cases' delinquency figures up to date, set-based.

    1. every active loan's overdue amount (instalments due before today, unpaid part),
       days past due and bucket; loans no longer overdue are cleared;
    2. a case opened for each customer with an overdue active loan and no open case;
    3. open cases' overdue amount, max DPD, bucket and priority refreshed;
    4. open cases whose customer owes nothing overdue closed ("paid" when nothing is
       owed at all, else "cured");
    5. unqueued open cases put in the first matching active WorkQueue.

    A few statements whatever the portfolio size; nothing is loaded into Python. Safe
    to run twice: the second run changes nothing. Bulk statements write no history.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        loans_updated, loans_cleared = _loans_refresh(cursor, today=today, now=now)
        analyze_if_large(Loan, loans_updated + loans_cleared)
        cases_opened = _cases_open(
            cursor, now_param=connection.ops.adapt_datetimefield_value(now)
        )
        analyze_if_large(Case, cases_opened)
        cases_refreshed = _cases_summary_refresh(cursor)
        closed_paid, closed_cured = _cases_close_cured(now=now)
        cases_queued = _cases_queue()
    counts = {
        "loans_updated": loans_updated,
        "loans_cleared": loans_cleared,
        "cases_opened": cases_opened,
        "cases_refreshed": cases_refreshed,
        "cases_closed_paid": closed_paid,
        "cases_closed_cured": closed_cured,
        "cases_queued": cases_queued,
    }
    logger.info("delinquency_refresh %s: %s", today, counts)
    return counts
