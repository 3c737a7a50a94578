"""Forms of the supervisor's pages. They parse; services decide."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calls.models import CallLog, CallReview
from core.forms import DateInput

from .services import CRITERIA

YES_NO = [("", _("Any")), ("yes", _("Yes")), ("no", _("No"))]


class CallFilterForm(forms.Form):
    collector = forms.ChoiceField(required=False, label=_("Collector"))
    date_from = forms.DateField(
        required=False,
        label=_("From"),
        widget=DateInput(),
    )
    date_to = forms.DateField(required=False, label=_("To"), widget=DateInput())
    outcome = forms.ChoiceField(
        required=False,
        label=_("Outcome"),
        choices=[("", _("Any")), *CallLog.Outcome.choices],
    )
    attitude = forms.ChoiceField(
        required=False,
        label=_("Attitude"),
        choices=[("", _("Any")), *CallLog.Attitude.choices],
    )
    min_duration = forms.IntegerField(
        required=False, min_value=0, label=_("Min. duration (s)")
    )
    max_duration = forms.IntegerField(
        required=False, min_value=0, label=_("Max. duration (s)")
    )
    right_party = forms.ChoiceField(
        required=False, choices=YES_NO, label=_("Right-party contact")
    )
    flagged = forms.BooleanField(required=False, label=_("Flagged only"))
    unreviewed = forms.BooleanField(required=False, label=_("Unreviewed only"))

    def __init__(self, *args, collectors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collector"].choices = [("", _("Anyone"))] + [
            (u.username, u.get_full_name() or u.username) for u in collectors
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end is before the start."))
        return data


class ReviewForm(forms.Form):
    identity_before_disclosure = forms.BooleanField(
        required=False,
        label=CallReview._meta.get_field("identity_before_disclosure").verbose_name,
    )
    accurate_amounts = forms.BooleanField(
        required=False,
        label=CallReview._meta.get_field("accurate_amounts").verbose_name,
    )
    professional_tone = forms.BooleanField(
        required=False,
        label=CallReview._meta.get_field("professional_tone").verbose_name,
    )
    no_threats = forms.BooleanField(
        required=False, label=CallReview._meta.get_field("no_threats").verbose_name
    )
    options_offered = forms.BooleanField(
        required=False, label=CallReview._meta.get_field("options_offered").verbose_name
    )
    notes_complete = forms.BooleanField(
        required=False, label=CallReview._meta.get_field("notes_complete").verbose_name
    )
    score = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=100,
        label=_("Score (0-100, blank: share of criteria met)"),
    )
    violation = forms.BooleanField(
        required=False, label=_("Violation: open a follow-up for the collector")
    )
    comments = forms.CharField(
        required=False, label=_("Comments"), widget=forms.Textarea(attrs={"rows": 3})
    )
    sampled = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def criteria(self) -> dict[str, bool]:
        return {name: bool(self.cleaned_data.get(name)) for name in CRITERIA}


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("reject", _("Reject"))]
    )
    reason = forms.CharField(
        required=False, label=_("Reason"), widget=forms.TextInput()
    )


PERIODS = [
    ("7", _("Last 7 days")),
    ("30", _("Last 30 days")),
    ("90", _("Last 90 days")),
    # Shown when From or To is given: the dates then decide the period.
    ("range", _("The dates below")),
]
DEFAULT_DAYS = "30"


class PeriodForm(forms.Form):
    days = forms.ChoiceField(
        required=False, choices=PERIODS, initial=DEFAULT_DAYS, label=_("Period")
    )
    start = forms.DateField(required=False, label=_("From"), widget=DateInput())
    end = forms.DateField(required=False, label=_("To"), widget=DateInput())
    team = forms.ChoiceField(required=False, label=_("Team"))

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", _("All my teams"))] + [
            (str(t.pk), t.name) for t in teams
        ]
        # The selector must name the period the figures cover: the dates when given
        # (they win over a last-N-days choice), else the choice, else the default.
        if self.is_bound:
            data = self.data.copy()
            if data.get("start") or data.get("end"):
                data["days"] = "range"
            elif not data.get("days"):
                data["days"] = DEFAULT_DAYS
            self.data = data

    def clean(self):
        from .selectors import Period

        data = super().clean()
        chosen = Period.chosen(data.get("start"), data.get("end"))
        for name, problem in (chosen.problems() if chosen else {}).items():
            self.add_error(name, problem)
        return data

    def period(self):
        from .selectors import Period

        data = self.cleaned_data if self.is_valid() else {}
        today = timezone.localdate()
        chosen = Period.chosen(data.get("start"), data.get("end"), today)
        if chosen is not None:
            return chosen
        days = data.get("days")
        return Period.last_days(
            int(days if days and days != "range" else DEFAULT_DAYS), today=today
        )


class ReassignForm(forms.Form):
    cases = forms.CharField(
        label=_("Case references"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Tick cases below, or paste references separated by spaces."),
        required=False,
    )
    # Offered as choices but validated by the service (cases_reassign), not here: one
    # rule set for the page and the API, its refusal shown on the field.
    collector = forms.CharField(
        required=False, label=_("To collector"), widget=forms.Select
    )
    queue = forms.CharField(required=False, label=_("To queue"), widget=forms.Select)
    unassign = forms.BooleanField(required=False, label=_("Back to the queue"))
    reason = forms.CharField(label=_("Reason"), required=False)

    def __init__(self, *args, collectors=(), queues=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collector"].widget.choices = [("", "—")] + [
            (u.username, u.get_full_name() or u.username) for u in collectors
        ]
        self.fields["queue"].widget.choices = [("", "—")] + [
            (q.code, q.name) for q in queues
        ]


# --- work items: reviews, legal cases, write-offs (escalation.work_items) ----------


class ReviewDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("continue", _("Continue the ladder")),
            ("hold", _("Hold the case")),
            ("refer_legal", _("Refer to legal")),
            ("settlement", _("Offer a settlement")),
            ("write_off", _("Request a write-off")),
        ],
        widget=forms.RadioSelect,
    )
    hold_until = forms.DateField(
        label=_("Hold until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    amount = forms.DecimalField(
        label=_("Amount"), required=False, min_value=0, decimal_places=2
    )
    deadline = forms.DateField(
        label=_("Settlement to be paid by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class LegalCaseForm(forms.Form):
    legal_firm = forms.CharField(label=_("Law firm"), max_length=200, required=False)
    court_reference = forms.CharField(
        label=_("Court reference"), max_length=100, required=False
    )
    filed_on = forms.DateField(
        label=_("Filed on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    hearing_on = forms.DateField(
        label=_("Hearing on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    legal_costs = forms.DecimalField(
        label=_("Legal costs"), required=False, min_value=0, decimal_places=2
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class LegalCloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            ("judgment", _("Judgment obtained")),
            ("settled", _("Settled")),
            ("withdrawn", _("Withdrawn")),
            ("dismissed", _("Dismissed")),
        ],
    )
    closed_on = forms.DateField(
        label=_("Closed on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    lift_hold = forms.BooleanField(label=_("Lift the legal hold"), required=False)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}))


class WorkItemAnswerForm(forms.Form):
    """A write-off's approval or rejection, or a settlement placeholder's record."""

    answer = forms.ChoiceField(
        choices=[
            ("approve", _("Approve")),
            ("reject", _("Reject")),
            ("record", ""),
            ("communicate", _("Record as communicated")),
        ]
    )
    via = forms.CharField(label=_("Communicated how"), max_length=100, required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
