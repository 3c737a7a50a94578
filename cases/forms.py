"""Forms of the case page: promise, repayment plan calculator, restriction.

They parse and offer choices; the rules (dates in the past, amounts above the
balance, empty schedules) live in the services, whose errors the views show on these
forms field by field.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from compliance.models import Channel, ContactRestriction

from .models import RepaymentPlan


class PromiseForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2)
    due_date = forms.DateField(
        label=_("Promised by"), widget=forms.DateInput(attrs={"type": "date"})
    )


class PlanForm(forms.Form):
    """The plan calculator: a total split into equal instalments, or one deferral."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=RepaymentPlan.Kind.choices,
        initial=RepaymentPlan.Kind.INSTALMENTS,
    )
    total = forms.DecimalField(label=_("Total"), max_digits=14, decimal_places=2)
    count = forms.IntegerField(label=_("Number of instalments"), min_value=1, initial=3)
    first_due_date = forms.DateField(
        label=_("First due date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    every_days = forms.IntegerField(
        label=_("Days between instalments"), min_value=1, max_value=366, initial=30
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    requested_by_customer = forms.BooleanField(
        label=_("Requested by the customer"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The one plan limit, read when the form is made (not at import).
        count, limit = self.fields["count"], settings.PLAN_MAX_INSTALMENTS
        count.max_value = limit
        count.validators.append(MaxValueValidator(limit))
        count.widget.attrs["max"] = limit


WRONG_NUMBER = "wrong_number"
RESTRICTION_KINDS = [
    (ContactRestriction.Kind.CEASE_COMMUNICATION, _("Cease communication request")),
    (ContactRestriction.Kind.DISPUTE, _("Dispute")),
    (ContactRestriction.Kind.ATTORNEY, _("Represented by attorney or adviser")),
    (ContactRestriction.Kind.VULNERABILITY, _("Hardship / vulnerability review")),
    (ContactRestriction.Kind.CHANNEL_OPT_OUT, _("Opt-out of a channel")),
    (WRONG_NUMBER, _("Wrong number")),
]


class RestrictionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=RESTRICTION_KINDS)
    contact_point = forms.TypedChoiceField(
        label=_("Contact point"), required=False, coerce=int, empty_value=None
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=[("", _("All channels")), *Channel.choices],
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, points=(), **kwargs):
        super().__init__(*args, **kwargs)
        from .masking import mask_contact

        self.fields["contact_point"].choices = [("", _("Not specific"))] + [
            (p.pk, f"{p.get_channel_display()} {mask_contact(p.channel, p.value)}")
            for p in points
        ]
