"""Reads of the arrangement terms page: every product seen in loans (and every
product with terms), with its terms or the defaults (decision 46)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count
from django.http import Http404

from cases.models import ArrangementTerms, Loan
from cases.services import Terms, product_terms, terms_default, terms_of


@dataclass(frozen=True)
class ProductTerms:
    product: str
    terms: Terms
    own: ArrangementTerms | None  # None: the product has the defaults
    loans: int


def arrangement_terms_list() -> list[ProductTerms]:
    """One line per product code in loans or in the terms table, by code: two
    queries whatever the portfolio (a grouped count of loans, the terms rows)."""
    counts = dict(
        Loan.objects.order_by().values_list("product").annotate(n=Count("id"))
    )
    rows = {row.product: row for row in ArrangementTerms.objects.all()}
    products = sorted(set(counts) | set(rows))
    default = terms_default()
    return [
        ProductTerms(
            product=product,
            terms=terms_of(rows[product]) if product in rows else default,
            own=rows.get(product),
            loans=counts.get(product, 0),
        )
        for product in products
    ]


def arrangement_terms_get(*, product: str) -> ProductTerms:
    """A product's line; 404 for a code neither in loans nor in the table."""
    row = ArrangementTerms.objects.filter(product=product).first()
    loans = Loan.objects.filter(product=product).count()
    if row is None and not loans:
        raise Http404("No such product.")
    return ProductTerms(
        product=product,
        terms=product_terms(product=product),
        own=row,
        loans=loans,
    )


def arrangement_terms_history(*, product: str):
    return (
        ArrangementTerms.history.filter(product=product)
        .select_related("history_user")
        .order_by("-history_date")[:50]
    )
