"""Rendering message templates with a small, safe set of variables.

Templates are Django templates, but only the variables below exist: a template naming
anything else fails validation, so an admin cannot leak a field by typo or intent
(nothing here exposes the full account number, national id or third parties).
"""

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.db.models import F, Min
from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import VariableNode
from django.utils import formats, translation

from cases.masking import mask_account
from cases.models import Instalment, Loan
from core.errors import ApplicationError

ALLOWED_VARIABLES = {
    "name": "Customer's name",
    "account": "Masked account number (****1234)",
    "overdue_amount": "Total overdue amount with currency",
    "overdue_since": "Oldest unpaid due date",
    "days_past_due": "Days past due",
    "hotline": "The bank's collections hotline",
    "opt_out": "Opt-out instruction, where the rule pack requires one",
}

# Autoescape off for SMS and text bodies; the HTML body is rendered with escaping.
_TEXT_ENGINE = Engine(autoescape=False, string_if_invalid="")
_HTML_ENGINE = Engine(autoescape=True, string_if_invalid="")


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    html_body: str


def _variables(source: str, engine: Engine) -> set[str]:
    template = engine.from_string(source)
    names = set()
    for node in template.nodelist.get_nodes_by_type(VariableNode):
        var = node.filter_expression.var
        # Literals ("text"|upper) have no lookup; variables carry dotted lookups.
        if getattr(var, "lookups", None):
            names.add(var.lookups[0])
    return names - {""}


def template_validate(*, subject: str, body: str, html_body: str = "") -> None:
    """Raises ApplicationError naming the field for bad syntax or unknown variables."""
    errors: dict[str, list[str]] = {}
    for field, source, engine in (
        ("subject", subject, _TEXT_ENGINE),
        ("body", body, _TEXT_ENGINE),
        ("html_body", html_body, _HTML_ENGINE),
    ):
        if not source:
            continue
        try:
            unknown = _variables(source, engine) - set(ALLOWED_VARIABLES)
        except TemplateSyntaxError as exc:
            errors[field] = [f"Template syntax error: {exc}"]
            continue
        if unknown:
            names, allowed = ", ".join(sorted(unknown)), ", ".join(ALLOWED_VARIABLES)
            errors[field] = [f"Unknown variable(s): {names}. Allowed: {allowed}."]
    if errors:
        raise ApplicationError("The template is not valid.", errors=errors)


def message_contexts(messages) -> dict[int, dict]:
    """The safe variables for each message's customer, in two queries for a batch."""
    customer_ids = {m.customer_id for m in messages}
    loans: dict[int, list[Loan]] = {}
    for loan in Loan.objects.filter(
        customer_id__in=customer_ids, status=Loan.Status.ACTIVE, overdue_amount__gt=0
    ).order_by("reference"):
        loans.setdefault(loan.customer_id, []).append(loan)
    oldest = dict(
        Instalment.objects.filter(
            loan__customer_id__in=customer_ids,
            loan__status=Loan.Status.ACTIVE,
            loan__overdue_amount__gt=0,
            amount_paid__lt=F("amount_due"),
        )
        .values_list("loan__customer_id")
        .annotate(first=Min("due_date"))
        .values_list("loan__customer_id", "first")
    )
    return {
        m.customer_id: _context(
            case=m.case,
            customer=m.customer,
            overdue_loans=loans.get(m.customer_id, []),
            oldest_unpaid=oldest.get(m.customer_id),
        )
        for m in messages
    }


def _context(*, case, customer, overdue_loans, oldest_unpaid) -> dict:
    overdue = sum((loan.overdue_amount for loan in overdue_loans), Decimal("0"))
    currency = overdue_loans[0].currency if overdue_loans else "CNY"
    with translation.override(customer.language or settings.LANGUAGE_CODE):
        return {
            "name": customer.full_name,
            "account": mask_account(overdue_loans[0].reference)
            if overdue_loans
            else "",
            "overdue_amount": f"{formats.number_format(overdue, 2)} {currency}",
            "overdue_since": (
                formats.date_format(oldest_unpaid, "Y-m-d") if oldest_unpaid else ""
            ),
            "days_past_due": case.max_days_past_due if case else 0,
            "hotline": settings.COLLECTIONS_HOTLINE,
            "opt_out": "",
        }


@lru_cache(maxsize=256)
def _compiled(source: str, html: bool):
    # Keyed by the source text, so an edited template is compiled afresh.
    return (_HTML_ENGINE if html else _TEXT_ENGINE).from_string(source)


def template_render(*, template, context: dict) -> Rendered:
    # Context decides escaping: none for SMS and text bodies, HTML escaping for HTML.
    text, html = Context(context, autoescape=False), Context(context, autoescape=True)
    return Rendered(
        subject=_compiled(template.subject, False).render(text).strip(),
        body=_compiled(template.body, False).render(text).strip(),
        html_body=(
            _compiled(template.html_body, True).render(html)
            if template.html_body
            else ""
        ),
    )
