"""Forms of the queue filters, the guided call and the case page (promise, repayment
plan calculator, restriction, what the customer said about being contacted).

They parse and offer choices; the rules (dates in the past, amounts above the
balance, empty schedules) live in the services, whose errors the views show on these
forms field by field.
"""

from __future__ import annotations

import zoneinfo

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from cases.masking import mask_contact
from cases.models import RepaymentPlan
from compliance.models import (
    PREFERRED_CHANNELS,
    Channel,
    ContactPreference,
    ContactRestriction,
)
from core.forms import DateInput, DateTimeLocalInput

from .models import CallLog, PiiReveal

Out = CallLog.Outcome
# What the collector may record at each point of the script: before identity is
# confirmed nothing that implies a conversation about the debt.
OUTCOMES_BY_STAGE = {
    "identify": [Out.NO_ANSWER, Out.VOICEMAIL, Out.NOT_CONNECTED, Out.WRONG_NUMBER],
    "third_party": [Out.THIRD_PARTY],
    "explain": [
        Out.PROMISE_TO_PAY,
        Out.PLAN_AGREED,
        Out.CALLBACK,
        Out.DISPUTE,
        Out.HARDSHIP,
        Out.REFUSED,
        Out.PAID,
        Out.OTHER,
    ],
}
OUTCOMES_BY_STAGE["resolve"] = OUTCOMES_BY_STAGE["explain"]
# Not offered when the customer asked us to cease communication (decision 46).
ARRANGEMENT_OUTCOMES = (Out.PROMISE_TO_PAY, Out.PLAN_AGREED)


class QueueFilterForm(forms.Form):
    queue = forms.CharField(required=False, label=_("Queue"))
    bucket = forms.CharField(required=False, label=_("Bucket"))
    status = forms.ChoiceField(
        required=False,
        label=_("Status"),
        choices=[
            ("", _("All")),
            ("due", _("Task due")),
            ("callback", _("Callback due")),
            ("no_task", _("No task")),
        ],
    )
    q = forms.CharField(required=False, label=_("Search"), max_length=100, strip=True)


class CallOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"))
    attitude = forms.ChoiceField(
        label=_("Customer attitude"),
        choices=CallLog.Attitude.choices,
        initial=CallLog.Attitude.UNKNOWN,
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    promise_amount = forms.DecimalField(
        label=_("Promised amount"),
        required=False,
        max_digits=14,
        decimal_places=2,
    )
    promise_due_date = forms.DateField(
        label=_("Promised by"),
        required=False,
        widget=DateInput(),
    )
    callback_at = forms.DateTimeField(
        label=_("Call back at"),
        required=False,
        widget=DateTimeLocalInput(),
    )
    # "Call me back on Monday": the customer's prior consent to that call (Reg F
    # §1006.14(b)(3)(i)); compliance.services.prior_consent_record decides.
    callback_consent = forms.BooleanField(
        label=_("The customer asked to be called back then (prior consent)"),
        required=False,
    )
    callback_consent_until = forms.DateTimeField(
        label=_("Consent until (default: the end of that day)"),
        required=False,
        widget=DateTimeLocalInput(),
    )
    # `accept` only helps the file picker; calls.services.recording_check decides.
    recording = forms.FileField(
        label=_("Recording"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "audio/*"}),
    )

    def __init__(
        self,
        *args,
        stage: str = "identify",
        ceased: bool = False,
        in_force=(),
        **kwargs,
    ):
        """`ceased`: the customer asked us to cease communication, so no promise or
        plan is offered; `in_force`: the arrangements a promise would supersede (the
        collector confirms it, decision 46)."""
        super().__init__(*args, **kwargs)
        allowed = OUTCOMES_BY_STAGE.get(stage, OUTCOMES_BY_STAGE["identify"])
        if ceased:
            allowed = [o for o in allowed if o not in ARRANGEMENT_OUTCOMES]
        self.fields["outcome"].choices = [
            (value, label) for value, label in Out.choices if value in allowed
        ]
        if in_force and not ceased and stage not in ("identify", "third_party"):
            self.fields["promise_supersede"] = forms.BooleanField(
                label=_("The promise supersedes the arrangement in force"),
                required=False,
            )
        if ceased and stage not in ("identify", "third_party"):
            del self.fields["promise_amount"]
            del self.fields["promise_due_date"]
        if stage in ("identify", "third_party"):
            # Nothing about the debt is discussed: no promise, no callback about it.
            for name in (
                "promise_amount",
                "promise_due_date",
                "callback_at",
                "callback_consent",
                "callback_consent_until",
            ):
                del self.fields[name]


class RevealForm(forms.Form):
    """Which masked value to show in full, and why (kept on the audit row)."""

    field = forms.ChoiceField(choices=PiiReveal.Field.choices, widget=forms.HiddenInput)
    contact_point = forms.IntegerField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason for revealing"),
        max_length=PiiReveal._meta.get_field("reason").max_length,
        widget=forms.TextInput(
            attrs={"placeholder": _("e.g. the customer asked us to confirm it")}
        ),
    )


class PromiseForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2)
    due_date = forms.DateField(label=_("Promised by"), widget=DateInput())
    # Shown when the case has an arrangement in force (decision 46).
    supersede = forms.BooleanField(
        label=_("This promise supersedes the arrangement in force"), required=False
    )
    supersede_reason = forms.CharField(
        label=_("Why it is superseded"), required=False, max_length=200
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
    first_due_date = forms.DateField(label=_("First due date"), widget=DateInput())
    every_days = forms.IntegerField(
        label=_("Days between instalments"), min_value=1, max_value=366, initial=30
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    requested_by_customer = forms.BooleanField(
        label=_("Requested by the customer"), required=False
    )
    # Shown when the case has an arrangement in force (decision 46).
    supersede = forms.BooleanField(
        label=_(
            "This plan supersedes the arrangement in force (when it becomes active)"
        ),
        required=False,
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
        self.fields["contact_point"].choices = [("", _("Not specific"))] + [
            (p.pk, f"{p.get_channel_display()} {mask_contact(p.channel, p.value)}")
            for p in points
        ]


Pref = ContactPreference.Kind


class ContactPreferenceForm(forms.Form):
    """A time or place the customer said is inconvenient, or the hours and channel
    that suit them, as the collector heard it."""

    kind = forms.ChoiceField(label=_("The customer said"), choices=Pref.choices)
    weekday = forms.TypedChoiceField(
        label=_("Day"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Every day")), *ContactPreference.Weekday.choices],
    )
    start_time = forms.TimeField(
        label=_("From"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    end_time = forms.TimeField(
        label=_("Until (00:00 for midnight)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    channel = forms.ChoiceField(
        label=_("Preferred channel"),
        required=False,
        choices=[("", "-"), *PREFERRED_CHANNELS],
    )
    contact_point = forms.TypedChoiceField(
        label=_("The work or home contact point"),
        required=False,
        coerce=int,
        empty_value=None,
    )
    reason = forms.CharField(
        label=_("What the customer said"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, points=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_point"].choices = [("", _("Not specific"))] + [
            (p.pk, f"{p.get_channel_display()} {mask_contact(p.channel, p.value)}")
            for p in points
            if not p.is_third_party
        ]


class StatedTimeZoneForm(forms.Form):
    """Where the customer said they are, as a time zone: it overrides the zone the
    bank holds, the address and the phone numbers (compliance.rules.zones)."""

    time_zone = forms.ChoiceField(label=_("Time zone the customer gave"))
    reason = forms.CharField(
        label=_("What the customer said"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zones = sorted(z for z in zoneinfo.available_timezones() if "/" in z)
        self.fields["time_zone"].choices = [("", _("None (clear it)"))] + [
            (z, z) for z in zones
        ]
        self.fields["time_zone"].required = False


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=500)


class ClaimReasonForm(forms.Form):
    """Why a collector skips a case, or a supervisor takes one over (decision 43)."""

    reason = forms.CharField(label=_("reason"), max_length=200, strip=True)
