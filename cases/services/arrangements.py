"""Arrangement terms and the one check of every promise and plan (decision 46).

`arrangement_terms(case=...)` is the one place the limits of a case are read: the
terms of the products of the customer's loans, the strictest when there are several,
the global settings for a product without terms of its own, never above the settings
(which stay the hard ceilings). `promise_check` and `plan_check` are the one
validation, called by the promise form, the guided call, the plan calculator's
preview, the proposal and the API alike, so a preview never shows a schedule the
proposal then refuses.

Beyond a ceiling a request is refused, naming the field. A plan beyond its product's
terms (but within the ceilings) is not refused: it waits for a supervisor, with the
collector's reason and the lines it breaks (`RepaymentPlan.outside_terms`). A promise
beyond the horizon is refused with the horizon named: a promise is in force the
moment it is recorded (it holds the call queue), so there is nothing to approve; a
longer wait is a deferral plan, which a supervisor can approve.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError, ConflictError
from core.history import change_reason, history_save
from core.money import money_parse

from ..models import (
    ZERO,
    ArrangementTerms,
    Case,
    Loan,
    PromiseToPay,
    RepaymentPlan,
)
from ._common import customer_balance

# The plan statuses that count as an arrangement in force or waiting for a decision.
PLAN_IN_FORCE = (
    RepaymentPlan.Status.PROPOSED,
    RepaymentPlan.Status.APPROVED,
    RepaymentPlan.Status.ACTIVE,
)
TERM_FIELDS = (
    "promise_max_days",
    "plan_max_instalments",
    "plan_max_days",
    "min_instalment",
    "max_first_payment_days",
)
# The terms capped by a setting: no product's terms go beyond them.
CEILINGS = {
    "promise_max_days": "PROMISE_MAX_DAYS",
    "plan_max_instalments": "PLAN_MAX_INSTALMENTS",
    "plan_max_days": "PLAN_MAX_DAYS",
}


@dataclass(frozen=True)
class Terms:
    promise_max_days: int
    plan_max_instalments: int
    plan_max_days: int
    min_instalment: Decimal
    max_first_payment_days: int
    # The products the terms were read from (empty: the customer has no loan).
    products: tuple[str, ...] = ()


def terms_default() -> Terms:
    """The terms of a product without a row: the global settings."""
    return Terms(
        promise_max_days=settings.PROMISE_MAX_DAYS,
        plan_max_instalments=settings.PLAN_MAX_INSTALMENTS,
        plan_max_days=settings.PLAN_MAX_DAYS,
        min_instalment=Decimal(settings.PLAN_MIN_INSTALMENT),
        max_first_payment_days=settings.PLAN_MAX_FIRST_PAYMENT_DAYS,
    )


def _capped(terms: Terms) -> Terms:
    values = {name: getattr(terms, name) for name in TERM_FIELDS}
    for name, setting in CEILINGS.items():
        values[name] = min(values[name], getattr(settings, setting))
    return Terms(**values, products=terms.products)


def terms_of(row: ArrangementTerms) -> Terms:
    """A product's row as terms, within the ceilings (a setting lowered since the
    row was saved wins)."""
    values = {name: getattr(row, name) for name in TERM_FIELDS}
    return _capped(Terms(**values, products=(row.product,)))


def product_terms(*, product: str) -> Terms:
    """The terms of one product (its row, else the defaults), within the ceilings."""
    row = ArrangementTerms.objects.filter(product=product).first()
    if row is None:
        return Terms(**{**terms_default().__dict__, "products": (product,)})
    return terms_of(row)


def case_products(case: Case) -> list[str]:
    """The products of the customer's active loans (of all their loans when none is
    active any more), sorted."""
    loans = Loan.objects.filter(customer_id=case.customer_id)
    active = loans.filter(status=Loan.Status.ACTIVE)
    products = set(active.values_list("product", flat=True)) or set(
        loans.values_list("product", flat=True)
    )
    return sorted(products)


def arrangement_terms(*, case: Case) -> Terms:
    """The limits of a promise or plan on `case`: the strictest of the terms of its
    products (the shortest horizons and plans, the largest smallest instalment)."""
    products = case_products(case)
    if not products:
        return terms_default()
    rows = {
        row.product: row
        for row in ArrangementTerms.objects.filter(product__in=products)
    }
    default = terms_default()
    each = [terms_of(rows[p]) if p in rows else default for p in products]
    return Terms(
        promise_max_days=min(t.promise_max_days for t in each),
        plan_max_instalments=min(t.plan_max_instalments for t in each),
        plan_max_days=min(t.plan_max_days for t in each),
        min_instalment=max(t.min_instalment for t in each),
        max_first_payment_days=min(t.max_first_payment_days for t in each),
        products=tuple(products),
    )


def arrangement_terms_save(
    *, product: str, user, reason: str, **values
) -> ArrangementTerms:
    """Set a product's arrangement terms (creating its row), with the reason in the
    history. Each term is at least 1 (the smallest instalment at least 0) and none
    above its ceiling setting; refusals name the field."""
    errors: dict[str, list[str]] = {}
    product = (product or "").strip()
    reason = (reason or "").strip()
    if not product:
        errors["product"] = [_("Name the product.")]
    elif len(product) > ArrangementTerms._meta.get_field("product").max_length:
        errors["product"] = [_("The product code is too long.")]
    if not reason:
        errors["reason"] = [_("Say why the terms change.")]
    clean: dict = {}
    for name in TERM_FIELDS:
        raw = values.get(name)
        if name == "min_instalment":
            try:
                amount = money_parse(raw if raw is not None else "0", field=name)
            except ApplicationError:
                errors[name] = [_("Give an amount of 0 or more.")]
                continue
            clean[name] = amount
            continue
        try:
            number = int(raw)
        except (TypeError, ValueError):
            errors[name] = [_("Give a whole number of at least 1.")]
            continue
        if number < 1:
            errors[name] = [_("Give a whole number of at least 1.")]
            continue
        ceiling = getattr(settings, CEILINGS[name]) if name in CEILINGS else None
        if ceiling is not None and number > ceiling:
            errors[name] = [
                _("At most %(limit)d (the %(setting)s setting).")
                % {"limit": ceiling, "setting": CEILINGS[name]}
            ]
            continue
        clean[name] = number
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], errors=errors)
    with transaction.atomic():
        row = (
            ArrangementTerms.objects.select_for_update().filter(product=product).first()
        )
        created = row is None
        row = row or ArrangementTerms(product=product)
        for name, value in clean.items():
            setattr(row, name, value)
        row.updated_by = user
        what = "terms set" if created else "terms changed"
        history_save(row, reason=change_reason(what, reason), user=user)
    return row


# --------------------------------------------------------------------------------------
# What stands in the way of any arrangement
# --------------------------------------------------------------------------------------


def cease_in_force(case: Case, *, now: dt.datetime | None = None) -> bool:
    """Whether the customer has a cease-communication restriction in force. Read
    through the reverse relation: cases sits below compliance and imports none of
    it (the kind is compliance's `ContactRestriction.Kind.CEASE_COMMUNICATION`)."""
    now = now or timezone.now()
    return (
        case.customer.restrictions.filter(
            kind="cease_communication", starts_at__lte=now
        )
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        .exists()
    )


def arrangement_refuse_ceased(case: Case) -> None:
    """Refuse (409, field `case`) any promise or plan while the customer asked us to
    cease communication: no negotiation with someone who asked not to be contacted.
    Ending the restriction (a supervisor's approval) comes first."""
    if cease_in_force(case):
        message = _(
            "The customer asked us to cease communication: no promise or plan can "
            "be arranged while that restriction is in force."
        )
        raise ConflictError(
            message, code="cease_communication", errors={"case": [message]}
        )


@dataclass(frozen=True)
class Arrangement:
    """A promise or plan in force (or waiting for a decision) on a case."""

    kind: str  # "promise" or "plan"
    obj: object
    label: str


def arrangements_in_force(*, case: Case, exclude=None) -> list[Arrangement]:
    """The case's pending promises and its proposed, approved or active plans."""
    found = []
    for promise in PromiseToPay.objects.filter(
        case_id=case.pk, status=PromiseToPay.Status.PENDING
    ).order_by("due_date"):
        if promise == exclude:
            continue
        label = _("promise of %(amount)s %(currency)s by %(date)s (pending)") % {
            "amount": promise.amount,
            "currency": promise.currency,
            "date": promise.due_date,
        }
        found.append(Arrangement("promise", promise, label))
    for plan in RepaymentPlan.objects.filter(
        case_id=case.pk, status__in=PLAN_IN_FORCE
    ).order_by("created_at"):
        if plan == exclude:
            continue
        label = _("plan %(ref)s of %(amount)s %(currency)s (%(status)s)") % {
            "ref": plan.reference,
            "amount": plan.total_amount,
            "currency": plan.currency,
            "status": plan.get_status_display(),
        }
        found.append(Arrangement("plan", plan, label))
    return found


def _supersede_error(existing: list[Arrangement]) -> str:
    return _(
        "The case already has %(what)s: confirm that the new arrangement supersedes it."
    ) % {"what": "; ".join(a.label for a in existing)}


def arrangements_supersede(*, case: Case, by, user, reason: str = "") -> int:
    """Cancel the case's arrangements in force other than `by` (the promise or plan
    that replaces them), each with a history row naming it. The caller holds the
    lock on the case, in its transaction."""
    what = (
        f"superseded by plan {by.reference}"
        if isinstance(by, RepaymentPlan)
        else f"superseded by promise {by.pk}"
    )
    count = 0
    for arrangement in arrangements_in_force(case=case, exclude=by):
        row = arrangement.obj
        row.status = (
            PromiseToPay.Status.CANCELLED
            if arrangement.kind == "promise"
            else RepaymentPlan.Status.CANCELLED
        )
        if arrangement.kind == "promise":
            row.resolved_at = timezone.now()
        history_save(row, reason=change_reason(what, reason), user=user)
        count += 1
    return count


# --------------------------------------------------------------------------------------
# The one check of a promise and of a plan
# --------------------------------------------------------------------------------------


@dataclass
class Check:
    terms: Terms
    errors: dict[str, list[str]] = field(default_factory=dict)
    # Beyond the product's terms, one line each: a supervisor decides (plans only).
    outside_terms: list[str] = field(default_factory=list)
    superseding: list[Arrangement] = field(default_factory=list)

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def raise_errors(self) -> None:
        if self.errors:
            raise ApplicationError(
                "; ".join(m for msgs in self.errors.values() for m in msgs),
                errors=self.errors,
            )


def _check_supersede(check: Check, case: Case, supersede: bool) -> None:
    check.superseding = arrangements_in_force(case=case)
    if check.superseding and not supersede:
        check.add("supersede", _supersede_error(check.superseding))


def promise_check(
    *,
    case: Case,
    amount,
    due_date,
    loan: Loan | None = None,
    supersede: bool = False,
    today: dt.date | None = None,
) -> Check:
    """Everything that refuses a promise; raises at once (409) on a cease request."""
    arrangement_refuse_ceased(case)
    today = today or timezone.localdate()
    check = Check(terms=arrangement_terms(case=case))
    horizon = check.terms.promise_max_days
    if not isinstance(due_date, dt.date):
        check.add("due_date", _("A date is required."))
    elif due_date < today:
        check.add(
            "due_date",
            _("The promised date %(date)s is in the past.") % {"date": due_date},
        )
    elif (due_date - today).days > horizon:
        # Days compared, not dates added: no overflow for any date or setting.
        check.add(
            "due_date",
            _(
                "The promised date %(date)s is too far off: a promise must fall "
                "within %(days)d days of today (the terms of %(products)s). For a "
                "longer wait propose a deferral plan, which a supervisor can approve."
            )
            % {
                "date": due_date,
                "days": horizon,
                "products": ", ".join(check.terms.products) or "-",
            },
        )
    if loan is not None and loan.customer_id != case.customer_id:
        check.add(
            "loan",
            _("Loan %(ref)s is not this customer's.") % {"ref": loan.reference},
        )
    else:
        balance = (
            loan.outstanding_balance
            if loan is not None
            else customer_balance(case.customer_id)
        )
        if amount is not None and amount > balance:
            check.add(
                "amount",
                _("The amount is above the balance owed (%(balance)s).")
                % {"balance": balance},
            )
    _check_supersede(check, case, supersede)
    return check


def plan_check(
    *,
    case: Case,
    kind: str,
    instalments: list[dict],
    reason: str = "",
    supersede: bool = False,
    today: dt.date | None = None,
) -> tuple[Check, list[tuple[dt.date, Decimal]]]:
    """Everything that refuses a plan, and where it is beyond its product's terms
    (then it waits for a supervisor, and needs the collector's reason). Returns the
    check and the parsed (date, amount) rows. Raises at once (409) on a cease
    request."""
    arrangement_refuse_ceased(case)
    today = today or timezone.localdate()
    terms = arrangement_terms(case=case)
    check = Check(terms=terms)
    products = ", ".join(terms.products) or "-"
    if kind not in RepaymentPlan.Kind.values:
        check.add(
            "kind",
            _("Choose one of %(choices)s.")
            % {"choices": ", ".join(RepaymentPlan.Kind.values)},
        )
    rows: list[tuple[dt.date, Decimal]] = []
    messages: list[str] = []
    if not instalments:
        messages.append(_("The schedule needs at least one instalment."))
    for number, item in enumerate(instalments or [], start=1):
        due_date = item.get("due_date") if isinstance(item, dict) else None
        if not isinstance(due_date, dt.date):
            messages.append(
                _("Instalment %(number)d: a due date is required.") % {"number": number}
            )
            continue
        if due_date < today:
            messages.append(
                _("Instalment %(number)d: %(date)s is in the past.")
                % {"number": number, "date": due_date}
            )
        elif (due_date - today).days > settings.PLAN_MAX_DAYS:
            messages.append(too_far(number, due_date, settings.PLAN_MAX_DAYS))
        try:
            amount = money_parse(item.get("amount"), field="amount")
        except ApplicationError as exc:
            messages.append(
                _("Instalment %(number)d: %(problem)s")
                % {"number": number, "problem": exc.message}
            )
            continue
        rows.append((due_date, amount))
    count = len(instalments or [])
    if count > settings.PLAN_MAX_INSTALMENTS:
        # CN.PLAN: personalised instalment agreements run at most 5 years (60).
        messages.append(
            _("At most %(limit)d instalments (this schedule has %(count)d).")
            % {"limit": settings.PLAN_MAX_INSTALMENTS, "count": count}
        )
    if kind == RepaymentPlan.Kind.DEFERRAL and instalments:
        if count != 1:
            messages.append(_("A deferral is one instalment at a later date."))
        elif rows and rows[0][0] <= today:
            messages.append(_("A deferral's date must be after today."))
    if messages:
        check.errors["instalments"] = messages
    total = sum((amount for _, amount in rows), ZERO)
    balance = customer_balance(case.customer_id)
    if not check.errors and total > balance:
        check.add(
            "instalments",
            _("The plan's total %(total)s is above the balance owed (%(balance)s).")
            % {"total": total, "balance": balance},
        )
    if not check.errors and rows:
        ordered = sorted(rows)
        first, last = ordered[0][0], ordered[-1][0]
        if count > terms.plan_max_instalments:
            check.outside_terms.append(
                _("%(count)d instalments, above the %(limit)d of %(products)s")
                % {
                    "count": count,
                    "limit": terms.plan_max_instalments,
                    "products": products,
                }
            )
        if (last - today).days > terms.plan_max_days:
            check.outside_terms.append(
                _("ends %(date)s, beyond the %(days)d days of %(products)s")
                % {"date": last, "days": terms.plan_max_days, "products": products}
            )
        if (first - today).days > terms.max_first_payment_days:
            check.outside_terms.append(
                _("first payment %(date)s, beyond the %(days)d days of %(products)s")
                % {
                    "date": first,
                    "days": terms.max_first_payment_days,
                    "products": products,
                }
            )
        # The last instalment is what is left: it may be smaller.
        small = [a for _, a in ordered[:-1] if a < terms.min_instalment]
        if small:
            check.outside_terms.append(
                _("an instalment of %(amount)s, below the %(min)s of %(products)s")
                % {
                    "amount": min(small),
                    "min": terms.min_instalment,
                    "products": products,
                }
            )
        if check.outside_terms and not (reason or "").strip():
            check.add(
                "reason",
                _(
                    "The plan is outside the terms (%(why)s): say why, and a "
                    "supervisor decides."
                )
                % {"why": "; ".join(check.outside_terms)},
            )
    _check_supersede(check, case, supersede)
    return check, rows


def too_far(number: int, due_date: dt.date | None, days: int) -> str:
    if due_date is None:
        return _(
            "Instalment %(number)d would fall too far off: a plan must end within "
            "%(days)d days of today."
        ) % {"number": number, "days": days}
    return _(
        "Instalment %(number)d: %(date)s is too far off: a plan must end within "
        "%(days)d days of today."
    ) % {"number": number, "date": due_date, "days": days}
