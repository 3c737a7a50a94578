"""The arrangement terms of a loan product: how far a promise and a plan may reach
before a supervisor decides (decision 46)."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ._common import ZERO, money_field


class ArrangementTerms(models.Model):
    """One row per product code (`Loan.product`); a product without a row has the
    global settings (PROMISE_MAX_DAYS, PLAN_MAX_INSTALMENTS, PLAN_MAX_DAYS,
    PLAN_MIN_INSTALMENT, PLAN_MAX_FIRST_PAYMENT_DAYS). A case with loans of several
    products has the strictest of their terms (cases.services.arrangement_terms)."""

    product = models.CharField(_("product"), max_length=50, unique=True)
    promise_max_days = models.PositiveIntegerField(
        _("promise horizon (days)"), validators=[MinValueValidator(1)]
    )
    plan_max_instalments = models.PositiveIntegerField(
        _("plan: most instalments"), validators=[MinValueValidator(1)]
    )
    plan_max_days = models.PositiveIntegerField(
        _("plan: last instalment within (days)"), validators=[MinValueValidator(1)]
    )
    min_instalment = money_field(verbose_name=_("smallest instalment"), default=ZERO)
    max_first_payment_days = models.PositiveIntegerField(
        _("first payment within (days)"), validators=[MinValueValidator(1)]
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["product"]
        verbose_name = _("arrangement terms")
        verbose_name_plural = _("arrangement terms")
        constraints = [
            models.CheckConstraint(
                condition=Q(promise_max_days__gte=1)
                & Q(plan_max_instalments__gte=1)
                & Q(plan_max_days__gte=1)
                & Q(max_first_payment_days__gte=1)
                & Q(min_instalment__gte=0),
                name="arrangement_terms_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.product
