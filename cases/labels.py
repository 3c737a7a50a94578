"""Names people read for the codes loans carry.

A loan's product is a code the bank's systems send (`auto_loan`); pages show its name
in the reader's language. Codes not listed here are shown as words ("home_equity" →
"Home equity"), never as the raw code.
"""

from django.utils.translation import gettext_lazy as _

from core.labels import code_as_words

PRODUCT_LABELS = {
    "credit_card": _("Credit card"),
    "auto_loan": _("Auto loan"),
    "business_loan": _("Business loan"),
    "personal_loan": _("Personal loan"),
    "mortgage": _("Mortgage"),
    "consumer_loan": _("Consumer loan"),
}


def product_label(code: str) -> str:
    label = PRODUCT_LABELS.get(code)
    if label is not None:
        return str(label)
    return code_as_words(code)


def bucket_label(bucket: str) -> str:
    """A delinquency bucket's name: "M1", "M2"... are read as they are; a case not
    overdue is in no bucket, "current"; "closed" is where the roll-rate table sends
    the cases that left the book (supervision.selectors.rolls)."""
    if bucket in ("", "current"):
        return str(_("Current (not overdue)"))
    if bucket == "closed":
        return str(_("Closed"))
    return bucket
