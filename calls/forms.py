"""Forms of the guided call and the queue filters. They parse; services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CallLog

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
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    callback_at = forms.DateTimeField(
        label=_("Call back at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    recording = forms.FileField(label=_("Recording"), required=False)

    def __init__(self, *args, stage: str = "identify", **kwargs):
        super().__init__(*args, **kwargs)
        allowed = OUTCOMES_BY_STAGE.get(stage, OUTCOMES_BY_STAGE["identify"])
        self.fields["outcome"].choices = [
            (value, label) for value, label in Out.choices if value in allowed
        ]
        if stage in ("identify", "third_party"):
            # Nothing about the debt is discussed: no promise, no callback about it.
            for name in ("promise_amount", "promise_due_date", "callback_at"):
                del self.fields[name]
