"""Supervisors' writes: call reviews (and the follow-ups a violation opens), plan and
exception approvals, bulk reassignment, and the daily bucket snapshot.

Every function is one transaction, records the acting user in history with a change
reason, and refuses bad input with ApplicationError naming the field. The callers
(views, API, commands) fetched the rows through supervision.selectors, which scope
them to the user's teams.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_update_with_history

from calls.models import CallLog, CallReview
from calls.services import call_tasks_follow_cases
from cases import services as case_services
from cases.models import Case, PromiseToPay, RepaymentPlan
from compliance.models import ContactRestriction
from compliance.reasons import REASON_CODES
from compliance.restrictions import restriction_end
from core.errors import ApplicationError, ConflictError
from core.history import history_save
from core.roles import Role, user_roles

from . import selectors
from .models import Approval, BucketSnapshot, FollowUp

# The scorecard (DESIGN.md section 3; the reference process and CONC 7 / CN rules).
CRITERIA = (
    "identity_before_disclosure",
    "accurate_amounts",
    "professional_tone",
    "no_threats",
    "options_offered",
    "notes_complete",
)
# Criteria whose failure is a compliance breach, not only a quality point: failing
# one marks the review a violation whatever the reviewer ticked.
BREACH_CRITERIA = ("identity_before_disclosure", "no_threats")
FOLLOW_UP_DAYS = 7
MAX_REASSIGN = 500

# Shared with the API's input serializer (serializers.ReassignInputSerializer), so
# the page and the API refuse in the same words, in the reader's language.
REASSIGN_NO_REASON = gettext_lazy("Say why the cases move.")
REASSIGN_NO_CASES = gettext_lazy("Choose at least one case.")


def _reference(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(6).upper()}"


def _require_supervisor(user) -> None:
    if not (user_roles(user) & {Role.SUPERVISOR, Role.ADMIN}):
        message = _("Only a supervisor or an admin may do this.")
        raise ApplicationError(message, code="permission_denied", status=403)


def _reason(reason: str, *, required: bool, what: str = "") -> str:
    reason = (reason or "").strip()
    if required and not reason:
        what = what or _("Say why.")
        raise ApplicationError(what, errors={"reason": [what]})
    return reason


# --------------------------------------------------------------------------------------
# Reviews
# --------------------------------------------------------------------------------------


def review_score(criteria: dict[str, bool]) -> int:
    """The share of scorecard criteria met, out of 100."""
    met = sum(1 for name in CRITERIA if criteria.get(name))
    return round(100 * met / len(CRITERIA))


def call_review_record(
    *,
    reviewer,
    call: CallLog,
    criteria: dict[str, bool],
    comments: str = "",
    score: int | None = None,
    violation: bool = False,
    sampled: bool = False,
) -> CallReview:
    """Score a call against the scorecard.

    The score defaults to the share of criteria met. Failing "identity before
    disclosure" or "no threats" is a violation; so is a call flagged for disclosure
    before identity. A violation needs a comment and opens a follow-up for the call's
    collector, due in FOLLOW_UP_DAYS days.
    """
    _require_supervisor(reviewer)
    unknown = sorted(set(criteria) - set(CRITERIA))
    if unknown:
        message = _("Unknown criteria: %(criteria)s.") % {
            "criteria": ", ".join(unknown)
        }
        raise ApplicationError(message, errors={"criteria": [message]})
    if score is None:
        score = review_score(criteria)
    if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= 100:
        message = _("The score is a whole number from 0 to 100.")
        raise ApplicationError(message, errors={"score": [message]})
    breaches = [name for name in BREACH_CRITERIA if not criteria.get(name)]
    # A breach criterion only counts for a conversation: an unanswered call disclosed
    # nothing and threatened nobody.
    if not call.right_party_contact and not call.disclosure_made:
        breaches = []
    if "disclosure_before_identity" in selectors.call_flags(call):
        breaches.append("identity_before_disclosure")
    violation = bool(violation or breaches)
    comments = (comments or "").strip()
    if violation and not comments:
        message = _("Describe the violation: the collector will act on it.")
        raise ApplicationError(message, errors={"comments": [message]})
    with transaction.atomic():
        review = CallReview(
            call=call,
            reviewer=reviewer,
            score=score,
            violation=violation,
            comments=comments,
            sampled=sampled,
            **{name: bool(criteria.get(name)) for name in CRITERIA},
        )
        history_save(review, user=reviewer, reason=f"reviewed: score {score}")
        if violation and call.collector_id:
            failed = [name for name in CRITERIA if not criteria.get(name)]
            reason = comments
            if failed:
                reason += "\n\n" + "Criteria not met: " + ", ".join(failed)
            follow_up = FollowUp(
                reference=_reference("FU"),
                collector_id=call.collector_id,
                call=call,
                review=review,
                reason=reason,
                due_date=timezone.localdate() + dt.timedelta(days=FOLLOW_UP_DAYS),
                created_by=reviewer,
            )
            history_save(
                follow_up, user=reviewer, reason=f"violation on {call.reference}"
            )
    return review


def follow_up_set_status(*, user, follow_up: FollowUp, status: str) -> FollowUp:
    """The collector acknowledges a follow-up; a supervisor (or admin) closes it."""
    if status not in FollowUp.Status.values:
        message = _("Choose one of %(choices)s.") % {
            "choices": ", ".join(FollowUp.Status.values)
        }
        raise ApplicationError(message, errors={"status": [message]})
    roles = user_roles(user)
    is_supervisor = bool(roles & {Role.SUPERVISOR, Role.ADMIN})
    if status == FollowUp.Status.CLOSED and not is_supervisor:
        message = _("Only a supervisor closes a follow-up.")
        raise ApplicationError(message, code="permission_denied", status=403)
    if follow_up.collector_id != user.pk and not is_supervisor:
        message = _("This follow-up is not yours.")
        raise ApplicationError(message, code="permission_denied", status=403)
    with transaction.atomic():
        follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        follow_up.status = status
        follow_up.closed_at = (
            timezone.now() if status == FollowUp.Status.CLOSED else None
        )
        history_save(follow_up, user=user, reason=f"follow-up {status}")
    return follow_up


# --------------------------------------------------------------------------------------
# Approvals
# --------------------------------------------------------------------------------------


def plan_decide(
    *, user, plan: RepaymentPlan, approve: bool, reason: str = ""
) -> RepaymentPlan:
    """Approve (reason optional) or reject (reason required) a proposed plan: the one
    decision the page and the API both call. The rules are the cases services' (the
    user supervises the case, the plan limit, one active plan, the reason to reject),
    which keep history."""
    _require_supervisor(user)
    if approve:
        return case_services.plan_approve(plan=plan, user=user, reason=reason.strip())
    return case_services.plan_reject(plan=plan, user=user, reason=reason)


def approval_request(
    *,
    user,
    case: Case,
    kind: str,
    reason: str,
    restriction: ContactRestriction | None = None,
    promise: PromiseToPay | None = None,
    rule_code: str = "",
    evidence: str = "",
    expires_at: dt.datetime | None = None,
) -> Approval:
    """Ask a supervisor to approve an exception on `case`.

    A restriction removal names a restriction of the case's customer still in force; a
    compliance override names the rule (a reason code), the evidence and an expiry
    within 30 days; a promise names one of the case's promises.
    """
    errors: dict[str, list[str]] = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("Say why the exception is needed.")]
    if kind not in Approval.Kind.values:
        errors["kind"] = [
            _("Choose one of %(choices)s.")
            % {"choices": ", ".join(Approval.Kind.values)}
        ]
    now = timezone.now()
    if kind == Approval.Kind.RESTRICTION_REMOVAL:
        if restriction is None or restriction.customer_id != case.customer_id:
            errors["restriction"] = [_("Name a restriction of this case's customer.")]
        elif restriction.ends_at is not None and restriction.ends_at <= now:
            errors["restriction"] = [_("That restriction has already ended.")]
    if kind == Approval.Kind.COMPLIANCE_OVERRIDE:
        if rule_code not in REASON_CODES:
            errors["rule_code"] = [
                _("Choose one of %(choices)s.")
                % {"choices": ", ".join(sorted(REASON_CODES))}
            ]
        if not (evidence or "").strip():
            errors["evidence"] = [_("An override needs evidence.")]
        if expires_at is None or expires_at <= now:
            errors["expires_at"] = [_("An override needs an expiry in the future.")]
        elif expires_at > now + dt.timedelta(days=30):
            errors["expires_at"] = [_("An override lasts at most 30 days.")]
    if kind == Approval.Kind.PROMISE and (
        promise is None or promise.case_id != case.pk
    ):
        errors["promise"] = [_("Name a promise on this case.")]
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], errors=errors)
    with transaction.atomic():
        if Approval.objects.filter(
            case=case,
            kind=kind,
            status=Approval.Status.PENDING,
            restriction=restriction,
            promise=promise,
            rule_code=rule_code or "",
        ).exists():
            message = _("The same request is already waiting for a decision.")
            raise ConflictError(message, code="duplicate_request")
        approval = Approval(
            reference=_reference("AP"),
            kind=kind,
            case=case,
            restriction=restriction,
            promise=promise,
            rule_code=rule_code or "",
            evidence=(evidence or "").strip(),
            expires_at=expires_at,
            reason=reason,
            requested_by=user,
        )
        history_save(approval, user=user, reason=f"requested: {kind}")
    return approval


def approval_decide(
    *, user, approval: Approval, approve: bool, reason: str
) -> Approval:
    """Approve or reject a pending request, with a reason (both ways: the decision is
    evidence). Approving a restriction removal ends the restriction now."""
    _require_supervisor(user)
    reason = _reason(reason, required=True)
    with transaction.atomic():
        approval = Approval.objects.select_for_update().get(pk=approval.pk)
        if approval.status != Approval.Status.PENDING:
            message = _("Request %(ref)s is %(status)s, not pending.") % {
                "ref": approval.reference,
                "status": approval.get_status_display().lower(),
            }
            raise ConflictError(message, code="invalid_state")
        if approval.requested_by_id == user.pk and Role.ADMIN not in user_roles(user):
            # Four eyes: nobody approves their own exception.
            message = _("Someone else must decide on your own request.")
            raise ApplicationError(message, code="permission_denied", status=403)
        approval.status = (
            Approval.Status.APPROVED if approve else Approval.Status.REJECTED
        )
        approval.decided_by = user
        approval.decided_at = timezone.now()
        approval.decision_reason = reason
        history_save(approval, user=user, reason=f"{approval.status}: {reason}")
        if approve and approval.kind == Approval.Kind.RESTRICTION_REMOVAL:
            restriction_end(
                restriction=approval.restriction,
                reason=f"approved removal {approval.reference}: {reason}",
                actor=user,
            )
    return approval


# --------------------------------------------------------------------------------------
# Reassignment
# --------------------------------------------------------------------------------------


def cases_reassign(
    *,
    user,
    cases: list[Case],
    reason: str,
    collector: str = "",
    queue: str = "",
    unassign: bool = False,
) -> int:
    """Move cases to another collector and/or queue, in bulk, with the reason in each
    case's history. `unassign` returns them to the queue.

    The one reassignment workflow, for the page and the API alike. The caller fetched
    `cases` through selectors.reassign_cases_for_user (visibility). `collector` (a
    username) and `queue` (a queue code) are resolved here, by one rule: a supervisor
    moves cases only to collectors and into queues of the teams they supervise; an
    admin to any. An unknown target and an ineligible one are refused alike, naming
    the field, so nothing leaks about other teams.
    """
    _require_supervisor(user)
    errors: dict[str, list[str]] = {}
    reason = (reason or "").strip()
    collector = (collector or "").strip()
    queue = (queue or "").strip()
    if not reason:
        errors["reason"] = [REASSIGN_NO_REASON]
    if not cases:
        errors["cases"] = [REASSIGN_NO_CASES]
    elif len(cases) > MAX_REASSIGN:
        errors["cases"] = [_("At most %(n)d cases at a time.") % {"n": MAX_REASSIGN}]
    if not collector and not queue and not unassign:
        errors["collector"] = [_("Choose a collector or a queue.")]
    if collector and unassign:
        errors["collector"] = [_("Choose a collector or unassign, not both.")]
    # A target that does not exist (or is another team's) is the API's 404 for a
    # reference (docs/api.md) when it is the only mistake; else one more field.
    unknown: dict[str, list[str]] = {}
    target_collector = target_queue = None
    if collector and "collector" not in errors:
        target_collector = selectors.reassign_collector_for_user(
            user=user, username=collector
        )
        if target_collector is None:
            unknown["collector"] = [
                _("%(name)s is not a collector of your teams.") % {"name": collector}
            ]
    if queue:
        target_queue = (
            selectors.reassign_queues_for_user(user=user).filter(code=queue).first()
        )
        if target_queue is None:
            unknown["queue"] = [
                _("%(code)s is not a queue of your teams.") % {"code": queue}
            ]
    if errors or unknown:
        everything = {**errors, **unknown}
        raise ApplicationError(
            next(iter(everything.values()))[0],
            errors=everything,
            code="invalid" if errors else "not_found",
            status=400 if errors else 404,
        )
    with transaction.atomic():
        rows = list(
            Case.objects.select_for_update().filter(pk__in=[c.pk for c in cases])
        )
        closed = [c.reference for c in rows if c.status != Case.Status.OPEN]
        if closed:
            message = _("Closed cases cannot move: %(refs)s.") % {
                "refs": ", ".join(closed[:5])
            }
            raise ApplicationError(message, errors={"cases": [message]})
        fields = []
        if target_collector is not None or unassign:
            fields.append("assigned_to")
        if target_queue is not None:
            fields.append("queue")
        for case in rows:
            if target_collector is not None or unassign:
                case.assigned_to = target_collector
            if target_queue is not None:
                case.queue = target_queue
        bulk_update_with_history(
            rows,
            Case,
            fields,
            default_user=user,
            default_change_reason=f"reassigned: {reason}"[:100],
        )
        # The work follows the case: an open task left in the old queue would be
        # handed out by "next case" there (issue 15, finding 6).
        call_tasks_follow_cases(
            cases=rows, user=user, reason=reason, queue_moved=target_queue is not None
        )
    return len(rows)


# --------------------------------------------------------------------------------------
# Bucket snapshots (roll rates)
# --------------------------------------------------------------------------------------


def bucket_snapshot_take(*, day: dt.date | None = None) -> int:
    """Record every open case's bucket for `day` (default today), set-based: one
    INSERT ... SELECT; a second run the same day adds nothing."""
    day = day or timezone.localdate()
    snap = BucketSnapshot._meta.db_table
    case = Case._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {snap} (day, case_id, bucket, overdue_amount) "  # noqa: S608
            f"SELECT %s, id, bucket, overdue_amount FROM {case} WHERE status = %s "
            "ON CONFLICT (day, case_id) DO NOTHING",
            [day, Case.Status.OPEN],
        )
        return cursor.rowcount


# --------------------------------------------------------------------------------------
# Payment credits (the dashboard's amount collected)
# --------------------------------------------------------------------------------------


def payment_credits_take(
    *, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> int:
    """Credit the payments received in [since, until) (default: the last two days)
    that have no credit yet to the collector who last called the customer before
    them, set-based: one INSERT ... SELECT; running it twice adds nothing.

    A credit is fixed once taken: a call reported later with an earlier start does
    not move it (run it after dialer imports to include them).
    """
    from django.db.models import Exists, OuterRef

    from .models import PaymentCredit

    until = until or timezone.now()
    since = since or until - dt.timedelta(days=2)
    rows = (
        selectors.payments_with_caller(since=since, until=until)
        .filter(~Exists(PaymentCredit.objects.filter(payment_id=OuterRef("pk"))))
        .values_list("pk", "caller", "received_at", "amount")
    )
    sql, params = rows.query.sql_with_params()
    table = PaymentCredit._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (payment_id, collector_id, received_at, amount) "  # noqa: S608
            f"{sql} ON CONFLICT (payment_id) DO NOTHING",
            params,
        )
        return cursor.rowcount
