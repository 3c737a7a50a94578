"""Visibility of restrictions, customer statements and ledger rows: those of the
customers a user may see (cases.access), with related rows loaded up front for the
API's lists."""

from __future__ import annotations

from django.db.models import QuerySet

from cases.access import customer_list_for_user

from .models import ContactAttempt, ContactPreference, ContactRestriction, PriorConsent


def _visible_customer_ids(*, user):
    return customer_list_for_user(user=user).order_by().values("pk")


def restriction_list_for_user(*, user) -> QuerySet[ContactRestriction]:
    return ContactRestriction.objects.filter(
        customer_id__in=_visible_customer_ids(user=user)
    ).select_related("customer", "contact_point", "loan", "recorded_by")


def contact_attempt_list_for_user(*, user) -> QuerySet[ContactAttempt]:
    return ContactAttempt.objects.filter(
        customer_id__in=_visible_customer_ids(user=user)
    ).select_related("customer", "case", "loan", "decision")


def prior_consent_list_for_user(*, user) -> QuerySet[PriorConsent]:
    return PriorConsent.objects.filter(
        customer_id__in=_visible_customer_ids(user=user)
    ).select_related("customer", "case", "loan", "recorded_by", "revoked_by")


def contact_preference_list_for_user(*, user) -> QuerySet[ContactPreference]:
    return ContactPreference.objects.filter(
        customer_id__in=_visible_customer_ids(user=user)
    ).select_related("customer", "recorded_by", "revoked_by")
