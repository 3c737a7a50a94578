"""Rendering message templates with a small, safe set of variables, in a sandbox.

Templates are Django templates, but only the variables below exist: a template naming
anything else fails validation, so an admin cannot leak a field by typo or intent
(nothing here exposes the full account number, national id or third parties). And
only a sandboxed subset of the language exists (`messaging.template_sandbox`): no
include, extends, load, lorem, ssi, debug, url or csrf_token, no tag library, no
attribute starting with "_", no unescaping, no nested loops. A template outside it is
refused at validation naming its field; one stored before the sandbox (or written
around the services) is refused at render with the same error, never a crash.
"""

import logging
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.db.models import F, Min
from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import Lexer, TokenType, VariableNode
from django.template.defaulttags import ForNode, WithNode
from django.utils import formats, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases.masking import mask_account
from cases.models import Instalment, Loan
from core.errors import ApplicationError

from .template_sandbox import INNER_TAGS, SAFE_FILTERS, SAFE_TAGS

logger = logging.getLogger(__name__)

ALLOWED_VARIABLES = {
    "name": _("Customer's name"),
    "account": _("Masked account number (****1234)"),
    "overdue_amount": _("Total overdue amount with currency"),
    "overdue_since": _("Oldest unpaid due date"),
    "days_past_due": _("Days past due"),
    "hotline": _("The bank's collections hotline"),
    "opt_out": _("Opt-out instruction, where the rule pack requires one"),
    "self_service_link": _(
        "The customer's self-service link (issued when the message is rendered)"
    ),
}


class SandboxEngine(Engine):
    """An engine whose only built-ins are the sandbox's tags and filters: Django's
    default tags (include, load, url, ...) are not there to be called, and with no
    libraries and no loaders nothing can be loaded."""

    default_builtins = ["messaging.template_sandbox"]


# Autoescape off for SMS and text bodies; the HTML body is rendered with escaping.
_TEXT_ENGINE = SandboxEngine(autoescape=False, string_if_invalid="", loaders=[])
_HTML_ENGINE = SandboxEngine(autoescape=True, string_if_invalid="", loaders=[])
_KNOWN_TAGS = set(SAFE_TAGS) | set(INNER_TAGS)
FIELDS = ("subject", "body", "html_body")


class TemplateRefused(Exception):
    """A template outside the sandbox; the message says what and where."""


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    html_body: str


def _forbidden_tags(source: str) -> list[str]:
    """The block tags of `source` outside the sandbox, in order of appearance. Read
    from the lexer's tokens, so the message names the tag rather than the parser's
    "did you forget to load it?"."""
    names = []
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK and token.contents.split():
            name = token.contents.split()[0]
            if name not in _KNOWN_TAGS and name not in names:
                names.append(name)
    return names


def _compile(source: str, engine: Engine):
    """The compiled template, or TemplateRefused saying what is outside the sandbox."""
    forbidden = _forbidden_tags(source)
    if forbidden:
        names = ", ".join(f"“{name}”" for name in forbidden)
        raise TemplateRefused(
            gettext(
                "The tag %(names)s is not allowed in message templates. "
                "Allowed tags: %(allowed)s."
            )
            % {"names": names, "allowed": ", ".join(SAFE_TAGS)}
        )
    try:
        template = engine.from_string(source)
    except TemplateSyntaxError as exc:
        # Django's own text names the tag or filter; the sentence around it is ours.
        message = str(exc)
        if message.startswith("Invalid filter"):
            allowed = ", ".join((*SAFE_FILTERS, "floatformat"))
            text = gettext(
                "Template syntax error: %(error)s. Allowed filters: %(allowed)s."
            ) % {"error": message, "allowed": allowed}
        else:
            text = gettext("Template syntax error: %(error)s.") % {"error": message}
        raise TemplateRefused(text) from None
    for loop in template.nodelist.get_nodes_by_type(ForNode):
        if loop.nodelist_loop.get_nodes_by_type(ForNode):
            raise TemplateRefused(
                gettext("Loops cannot be nested in message templates.")
            )
    return template


def _variables(template) -> set[str]:
    """The names a template reads from its context, less those it binds itself
    ({% with %} and {% for %} names, forloop)."""
    names, bound = set(), {"forloop"}
    for node in template.nodelist.get_nodes_by_type(VariableNode):
        var = node.filter_expression.var
        # Literals ("text"|upper) have no lookup; variables carry dotted lookups.
        if getattr(var, "lookups", None):
            names.add(var.lookups[0])
    for node in template.nodelist.get_nodes_by_type(WithNode):
        bound.update(node.extra_context)
    for node in template.nodelist.get_nodes_by_type(ForNode):
        bound.update(node.loopvars)
    return names - bound - {""}


def template_validate(*, subject: str, body: str, html_body: str = "") -> None:
    """Raises ApplicationError naming the field for a tag, filter or attribute
    outside the sandbox, bad syntax, or unknown variables."""
    errors: dict[str, list[str]] = {}
    for field, source, engine in (
        ("subject", subject, _TEXT_ENGINE),
        ("body", body, _TEXT_ENGINE),
        ("html_body", html_body, _HTML_ENGINE),
    ):
        if not source:
            continue
        try:
            unknown = _variables(_compile(source, engine)) - set(ALLOWED_VARIABLES)
        except TemplateRefused as exc:
            errors[field] = [str(exc)]
            continue
        if unknown:
            names, allowed = ", ".join(sorted(unknown)), ", ".join(ALLOWED_VARIABLES)
            errors[field] = [
                gettext("Unknown variable(s): %(names)s. Allowed: %(allowed)s.")
                % {"names": names, "allowed": allowed}
            ]
    if errors:
        raise ApplicationError(gettext("The template is not valid."), errors=errors)


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
    # One language switch per language, not one per message (a batch is mostly
    # one or two languages, and a switch costs as much as the rest of a context).
    by_language: dict[str, dict] = {}
    for m in {m.customer_id: m for m in messages}.values():
        language = m.customer.language or settings.LANGUAGE_CODE
        by_language.setdefault(language, {})[m.customer_id] = m
    contexts = {}
    for language, group in by_language.items():
        with translation.override(language):
            for customer_id, m in group.items():
                contexts[customer_id] = _context(
                    case=m.case,
                    customer=m.customer,
                    overdue_loans=loans.get(customer_id, []),
                    oldest_unpaid=oldest.get(customer_id),
                )
    return contexts


def _context(*, case, customer, overdue_loans, oldest_unpaid) -> dict:
    """The variables of one message, in the active language (the customer's)."""
    overdue = sum((loan.overdue_amount for loan in overdue_loans), Decimal("0"))
    currency = overdue_loans[0].currency if overdue_loans else "CNY"
    return {
        "name": customer.full_name,
        "account": mask_account(overdue_loans[0].reference) if overdue_loans else "",
        "overdue_amount": f"{formats.number_format(overdue, 2)} {currency}",
        # "Y-m-d" in every language: the ISO date, without date_format's look-ups.
        "overdue_since": oldest_unpaid.isoformat() if oldest_unpaid else "",
        "days_past_due": case.max_days_past_due if case else 0,
        "hotline": settings.COLLECTIONS_HOTLINE,
        "opt_out": "",
    }


@lru_cache(maxsize=256)
def _compiled(source: str, html: bool):
    # Keyed by the source text, so an edited template is compiled afresh. A refused
    # template is not cached (the exception propagates); it is rare and refused again.
    return _compile(source, _HTML_ENGINE if html else _TEXT_ENGINE)


def _render_field(field: str, source: str, context: Context, *, html: bool) -> str:
    try:
        return _compiled(source, html).render(context)
    except TemplateRefused as exc:
        message = str(exc)
    except (TemplateSyntaxError, ValueError, TypeError, ArithmeticError) as exc:
        # The sandbox's tags and filters fail quietly; anything else is a bug worth
        # a log line, and still not a crash of the dispatcher or the preview.
        logger.warning("message template failed to render", exc_info=True)
        message = gettext("The template could not be rendered: %(error)s") % {
            "error": exc
        }
    raise ApplicationError(
        gettext("The template cannot be rendered."),
        code="template_invalid",
        errors={field: [message]},
    )


def template_render(*, template, context: dict) -> Rendered:
    """The template's three parts rendered for `context`. A template outside the
    sandbox raises ApplicationError naming the field (code template_invalid)."""
    # Context decides escaping: none for SMS and text bodies, HTML escaping for HTML.
    text, html = Context(context, autoescape=False), Context(context, autoescape=True)
    return Rendered(
        subject=_render_field("subject", template.subject, text, html=False).strip(),
        body=_render_field("body", template.body, text, html=False).strip(),
        html_body=(
            _render_field("html_body", template.html_body, html, html=True)
            if template.html_body
            else ""
        ),
    )
