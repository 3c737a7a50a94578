"""The self-service page's forms: the identity check and what the customer may do."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from compliance.models import PREFERRED_CHANNELS, ContactPreference
from core.forms import DateInput

# Opting out of a channel is a restriction, not a statement about times or places.
OPT_OUT_SMS = "opt_out_sms"
OPT_OUT_EMAIL = "opt_out_email"
OPT_OUTS = {OPT_OUT_SMS: "sms", OPT_OUT_EMAIL: "email"}

WEEKDAYS = [
    ("", _("Every day")),
    ("0", _("Monday")),
    ("1", _("Tuesday")),
    ("2", _("Wednesday")),
    ("3", _("Thursday")),
    ("4", _("Friday")),
    ("5", _("Saturday")),
    ("6", _("Sunday")),
]


class IdentityForm(forms.Form):
    """The identity question the bank chose (cases.services.identity_question): the
    last four characters of the ID number, or the date of birth."""

    answer = forms.CharField(
        label=_("The last 4 characters of your ID number"),
        max_length=4,
        min_length=4,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "inputmode": "text", "autofocus": True}
        ),
    )

    def __init__(self, *args, question: str = "national_id_last4", **kwargs):
        super().__init__(*args, **kwargs)
        if question == "date_of_birth":
            self.fields["answer"] = forms.DateField(
                label=_("Your date of birth"),
                widget=DateInput(attrs={"autocomplete": "off", "autofocus": True}),
            )

    def answer_text(self) -> str:
        """The answer as the check compares it (a date as ISO text)."""
        answer = self.cleaned_data["answer"]
        return answer.isoformat() if hasattr(answer, "isoformat") else answer


class PromiseForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount"), min_value=0.01, max_digits=14, decimal_places=2
    )
    due_date = forms.DateField(label=_("I will pay by"), widget=DateInput())


class DisputeForm(forms.Form):
    loan = forms.ChoiceField(label=_("Which loan"))
    reason = forms.CharField(
        label=_("What is wrong"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, loans, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["loan"].choices = [
            (loan.reference, loan.reference) for loan in loans
        ]


class PreferenceForm(forms.Form):
    Kind = ContactPreference.Kind
    kind = forms.ChoiceField(
        label=_("What should we know"),
        choices=[
            (Kind.PREFERRED_HOURS, _("Contact me only during these hours")),
            (Kind.PREFERRED_CHANNEL, _("Contact me preferably by")),
            (Kind.INCONVENIENT_HOURS, _("Do not contact me during these hours")),
            (Kind.INCONVENIENT_DAY, _("Do not contact me on this day")),
            (Kind.NOT_AT_WORK, _("Do not contact me at work")),
            (OPT_OUT_SMS, _("No more text messages (SMS)")),
            (OPT_OUT_EMAIL, _("No more emails")),
        ],
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", "-"), *PREFERRED_CHANNELS], required=False
    )
    weekday = forms.ChoiceField(label=_("Day"), choices=WEEKDAYS, required=False)
    start_time = forms.TimeField(
        label=_("From"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    end_time = forms.TimeField(
        label=_("Until"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") == self.Kind.PREFERRED_CHANNEL and not data.get("channel"):
            self.add_error("channel", _("Choose a channel."))
        return data


class PlanRequestForm(forms.Form):
    """Instalments (or one later payment, a deferral) over what is overdue."""

    count = forms.IntegerField(
        label=_("In how many monthly payments"), min_value=1, max_value=60, initial=3
    )
    first_due_date = forms.DateField(label=_("First payment on"), widget=DateInput())
    reason = forms.CharField(
        label=_("Why you need an arrangement"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
