"""Rendering message templates with a small, safe set of variables.

Templates are Django templates, but only the variables below exist: a template naming
anything else fails validation, so an admin cannot leak a field by typo or intent
(nothing here exposes the full account number, national id or third parties).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import F
from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import VariableNode
from django.utils import formats, translation

from cases.masking import mask_account
from cases.models import Instalment, Loan
from collections_app.errors import ApplicationError

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


def message_context(*, case, customer, opt_out_text: str = "") -> dict:
    """The safe variables for one case, formatted in the customer's language."""
    overdue_loans = list(
        Loan.objects.filter(
            customer=customer, status=Loan.Status.ACTIVE, overdue_amount__gt=0
        ).order_by("reference")
    )
    overdue = sum((loan.overdue_amount for loan in overdue_loans), Decimal("0"))
    currency = overdue_loans[0].currency if overdue_loans else "CNY"
    oldest_unpaid = (
        Instalment.objects.filter(
            loan__in=overdue_loans, amount_paid__lt=F("amount_due")
        )
        .order_by("due_date")
        .values_list("due_date", flat=True)
        .first()
    )
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
            "opt_out": opt_out_text,
        }


def template_render(*, template, context: dict) -> Rendered:
    # Context decides escaping: none for SMS and text bodies, HTML escaping for HTML.
    text, html = Context(context, autoescape=False), Context(context, autoescape=True)
    return Rendered(
        subject=_TEXT_ENGINE.from_string(template.subject).render(text).strip(),
        body=_TEXT_ENGINE.from_string(template.body).render(text).strip(),
        html_body=(
            _HTML_ENGINE.from_string(template.html_body).render(html)
            if template.html_body
            else ""
        ),
    )
