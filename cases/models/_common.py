"""What the cases models share."""

from decimal import Decimal

from django.db import models

ZERO = Decimal("0")


def money_field(**kwargs) -> models.DecimalField:
    return models.DecimalField(max_digits=14, decimal_places=2, **kwargs)
