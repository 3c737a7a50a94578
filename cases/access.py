"""Fetch-and-check selectors for customers and loans, by public reference.

A user sees a customer (and the customer's loans, restrictions and contact attempts)
when they may see one of the customer's cases (selectors.case_list_for_user); admins
see everyone. A reference the user may not see answers exactly like one that does not
exist (404), so the API leaks nothing about other teams' customers.
"""

from __future__ import annotations

import re

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.crypto import contact_hash, national_id_hash
from core.errors import ApplicationError, not_found
from core.roles import Role, user_roles

from .models import ContactPoint, Customer, Loan
from .selectors import case_list_for_user

# A contact point's public id (cases.models.people.contact_point_public_id).
PUBLIC_ID = re.compile(r"cp_[0-9a-f]{16}")

# The API's 404 for a reference (core.errors.not_found), one sentence per noun.
NO_CASE = gettext_lazy("No case with reference %(reference)r.")
NO_CUSTOMER = gettext_lazy("No customer with reference %(reference)r.")
NO_LOAN = gettext_lazy("No loan with reference %(reference)r.")


def customer_list_for_user(*, user) -> QuerySet[Customer]:
    customers = Customer.objects.prefetch_related(
        Prefetch("contact_points", queryset=ContactPoint.objects.order_by("id"))
    )
    if Role.ADMIN in user_roles(user):
        return customers
    visible_cases = case_list_for_user(user=user).order_by().values("customer_id")
    return customers.filter(pk__in=visible_cases)


def customer_search_for_user(
    *, user, phone: str = "", national_id: str = "", email: str = ""
) -> QuerySet[Customer]:
    """The customers `user` may see who match every identifier given, exactly (a
    phone in any form the validators accept, an email with its domain in any case).
    None given, or a phone or email no one could have, matches nobody.

    The identifiers arrive in a POST body (cases.apis.CustomerSearchApi), never in a
    URL. The values are encrypted at rest (core.crypto): each match is on its keyed
    hash column, through that column's index."""
    from .validators import email_normalize, phone_normalize

    phone, national_id, email = phone.strip(), national_id.strip(), email.strip()
    if not (phone or national_id or email):
        return Customer.objects.none()
    customers = customer_list_for_user(user=user)
    points = ContactPoint.objects.values("customer_id")
    try:
        if phone:
            digest = contact_hash(phone_normalize(phone, field="phone"))
            customers = customers.filter(
                pk__in=points.filter(
                    channel=ContactPoint.Channel.PHONE, value_hash=digest
                )
            )
        if email:
            digest = contact_hash(email_normalize(email, field="email"))
            customers = customers.filter(
                pk__in=points.filter(
                    channel=ContactPoint.Channel.EMAIL, value_hash=digest
                )
            )
    except ApplicationError:
        return Customer.objects.none()
    if national_id:
        customers = customers.filter(national_id_hash=national_id_hash(national_id))
    return customers.order_by("reference")


def customer_get_for_user(*, user, reference: str, field: str = "customer") -> Customer:
    """The customer if `user` may see them, else ApplicationError 404 naming `field`."""
    customer = customer_list_for_user(user=user).filter(reference=reference).first()
    if customer is None:
        raise not_found(field, NO_CUSTOMER, reference)
    return customer


def loan_list_for_user(*, user) -> QuerySet[Loan]:
    loans = Loan.objects.select_related("customer").prefetch_related("instalments")
    if Role.ADMIN in user_roles(user):
        return loans
    visible_cases = case_list_for_user(user=user).order_by().values("customer_id")
    return loans.filter(customer_id__in=visible_cases)


def loan_get_for_user(*, user, reference: str, field: str = "loan") -> Loan:
    loan = loan_list_for_user(user=user).filter(reference=reference).first()
    if loan is None:
        raise not_found(field, NO_LOAN, reference)
    return loan


def loan_of_customer(
    *, customer: Customer, reference: str, field: str = "loan"
) -> Loan | None:
    """The customer's loan with that reference; None for a blank reference.

    A loan of someone else is a bad request (400 naming `field`), not a 404: the
    caller may see the customer, and the loan is wrong for them.
    """
    if not reference:
        return None
    loan = Loan.objects.filter(customer=customer, reference=reference).first()
    if loan is None:
        message = _("Customer %(customer)s has no loan %(loan)r.") % {
            "customer": customer.reference,
            "loan": reference,
        }
        raise ApplicationError(message, errors={field: [message]})
    return loan


def contact_point_for_customer(
    *, customer: Customer, value: str, channels: tuple[str, ...], field: str
) -> ContactPoint:
    """The customer's contact point whose value is `value`, written any way the
    validators accept (a phone with or without +86, spaces, ...).

    `value` may also be the point's public id (`cp_…`), which every API output gives
    beside the masked value, so a client can name a point it was shown masked.

    Raises ApplicationError (400) naming `field` when the customer has none.
    """
    from .validators import contact_value_normalize

    if PUBLIC_ID.fullmatch(value.strip()):
        point = ContactPoint.objects.filter(
            customer=customer, channel__in=channels, public_id=value.strip()
        ).first()
        if point is None:
            message = _("Customer %(customer)s has no contact point %(value)r.") % {
                "customer": customer.reference,
                "value": value,
            }
            raise ApplicationError(message, errors={field: [message]})
        return point

    candidates = {value.strip()}
    for channel in channels:
        try:
            candidates.add(
                contact_value_normalize(
                    channel, value, region=customer.country or None, field=field
                )
            )
        except ApplicationError:
            continue
    point = (
        ContactPoint.objects.filter(
            customer=customer,
            channel__in=channels,
            value_hash__in=[contact_hash(c) for c in candidates],
        )
        .order_by("-is_primary", "id")
        .first()
    )
    if point is None:
        message = _("Customer %(customer)s has no contact point %(value)r.") % {
            "customer": customer.reference,
            "value": value,
        }
        raise ApplicationError(message, errors={field: [message]})
    return point
