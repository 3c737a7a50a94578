"""How the period's cases ended other than by payment in the ordinary way (issue 17,
item 6): settlements paid in full (what was paid and what was forgiven), write-offs,
and what was recovered after a write-off. Over the cases the user may see, like the
roll rates; three aggregate queries."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Sum

from cases.models import Recovery, SettlementOffer, WriteOff
from cases.selectors import case_list_for_user

ZERO = Decimal("0")


@dataclass
class Closures:
    settled: int = 0
    settled_amount: Decimal = ZERO
    forgiven: Decimal = ZERO
    written_off: int = 0
    written_off_amount: Decimal = ZERO
    recovered: Decimal = ZERO
    recoveries: int = 0

    def as_dict(self) -> dict:
        return {
            "settlements_paid": self.settled,
            "settled_amount": self.settled_amount,
            "forgiven_amount": self.forgiven,
            "write_offs": self.written_off,
            "written_off_amount": self.written_off_amount,
            "recoveries": self.recoveries,
            "recovered_amount": self.recovered,
        }


def closures_in_period(*, user, since, until) -> Closures:
    visible = case_list_for_user(user=user).order_by().values("pk")
    settled = SettlementOffer.objects.filter(
        case_id__in=visible,
        state=SettlementOffer.State.PAID,
        closed_at__gte=since,
        closed_at__lt=until,
    ).aggregate(
        n=Count("id"), paid=Sum("amount"), forgiven=Sum(F("balance") - F("amount"))
    )
    written = WriteOff.objects.filter(
        case_id__in=visible, written_off_at__gte=since, written_off_at__lt=until
    ).aggregate(n=Count("id"), amount=Sum("amount"))
    recovered = Recovery.objects.filter(
        write_off__case_id__in=visible, received_at__gte=since, received_at__lt=until
    ).aggregate(n=Count("id"), amount=Sum("payment__amount"))
    return Closures(
        settled=settled["n"],
        settled_amount=settled["paid"] or ZERO,
        forgiven=settled["forgiven"] or ZERO,
        written_off=written["n"],
        written_off_amount=written["amount"] or ZERO,
        recovered=recovered["amount"] or ZERO,
        recoveries=recovered["n"],
    )
