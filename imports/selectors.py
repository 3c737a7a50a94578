"""Reads of import runs (admins only; the views check the role)."""

from __future__ import annotations

from django.db.models import QuerySet

from cases.models import Case, Customer

from .models import ImportRun


def import_run_list() -> QuerySet[ImportRun]:
    return ImportRun.objects.select_related("created_by")


def import_run_customers(*, run: ImportRun) -> list[dict]:
    """The run's first customers with their loan count and open case, if any."""
    refs = run.customer_references or []
    customers = {
        c.reference: c
        for c in Customer.objects.filter(reference__in=refs).prefetch_related("loans")
    }
    cases = dict(
        Case.objects.open()
        .filter(customer__reference__in=refs)
        .values_list("customer__reference", "reference")
    )
    return [
        {
            "reference": ref,
            "name": customers[ref].full_name,
            "loans": len(customers[ref].loans.all()),
            "case": cases.get(ref),
        }
        for ref in refs
        if ref in customers
    ]
