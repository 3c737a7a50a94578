"""Forms of the configuration pages. They parse input only; the services validate the
configuration itself and their field errors are put back on the matching fields."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import EscalationStep, Team, WorkQueue
from compliance.labels import cap_label
from compliance.models import HolidayOverride
from compliance.vocabulary import ALL_DAYS
from core.errors import ApplicationError
from core.forms import DateInput, DateTimeLocalInput
from escalation.services import StepInput
from messaging.models import MessageTemplate
from messaging.rendering import ALLOWED_VARIABLES

WEEKDAYS = [
    (0, _("Mon")),
    (1, _("Tue")),
    (2, _("Wed")),
    (3, _("Thu")),
    (4, _("Fri")),
    (5, _("Sat")),
    (6, _("Sun")),
]
CHANNELS = [("call", _("Call")), ("sms", _("SMS")), ("email", _("Email")),
            ("letter", _("Letter")), ("visit", _("Visit"))]  # fmt: skip


def apply_errors(form: forms.Form, exc: ApplicationError, fields: dict[str, str]):
    """Put a service's field errors on the form; `fields` maps error keys to form
    fields. Errors with no field go to the form as a whole."""
    for key, messages in (exc.errors or {}).items():
        target = fields.get(key, key if key in form.fields else None)
        for message in messages:
            form.add_error(target, message)
    if not exc.errors:
        form.add_error(None, exc.message)


# --- escalation policies ---


class PolicyForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=50)
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reason = forms.CharField(label=_("Why this change"), required=False, max_length=80)


class DefaultedChoiceField(forms.ChoiceField):
    """A choice whose absence means its default: a row posted without it (an older
    page, a script) is neither changed nor invalid."""

    def has_changed(self, initial, data) -> bool:
        return (data or self.initial) != (initial or self.initial)


class StepForm(forms.Form):
    order = forms.IntegerField(label=_("Order"), min_value=1, max_value=99)
    name = forms.CharField(label=_("Name"), max_length=100)
    # Initial values equal to what an untouched select posts, so an empty extra row
    # counts as unchanged and is ignored.
    trigger = forms.ChoiceField(
        label=_("Trigger"),
        choices=EscalationStep.Trigger.choices,
        initial=EscalationStep.Trigger.DPD,
    )
    trigger_days = forms.IntegerField(label=_("Days"), min_value=0, max_value=3650)
    action = forms.ChoiceField(
        label=_("Action"),
        choices=EscalationStep.Action.choices,
        initial=EscalationStep.Action.SMS,
    )
    template = forms.ChoiceField(label=_("Template"), required=False)
    queue = forms.ChoiceField(label=_("Queue"), required=False)
    priority = forms.IntegerField(label=_("Priority"), initial=0, required=False)
    skip_while_promise = forms.BooleanField(
        label=_("Skip while a promise is pending"), required=False, initial=True
    )
    skip_while_plan = forms.BooleanField(
        label=_("Skip while a plan is active"), required=False, initial=True
    )
    on_unusable = DefaultedChoiceField(
        label=_("When the channel is unusable"),
        choices=EscalationStep.OnUnusable.choices,
        initial=EscalationStep.OnUnusable.SKIP,
        required=False,
    )
    substitute_action = forms.ChoiceField(
        label=_("Substitute channel"),
        choices=[("", "—"), *EscalationStep.SUBSTITUTE_ACTIONS],
        required=False,
    )
    substitute_template = forms.ChoiceField(
        label=_("Substitute template"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        codes = sorted(set(MessageTemplate.objects.values_list("code", flat=True)))
        self.fields["template"].choices = [("", "—")] + [(c, c) for c in codes]
        self.fields["substitute_template"].choices = self.fields["template"].choices
        self.fields["queue"].choices = [("", _("the case's queue"))] + list(
            WorkQueue.objects.order_by("code").values_list("code", "name")
        )

    def step_input(self) -> StepInput:
        data = self.cleaned_data
        return StepInput(
            order=data["order"],
            name=data["name"],
            trigger=data["trigger"],
            trigger_days=data["trigger_days"],
            action=data["action"],
            template=data.get("template") or "",
            queue=data.get("queue") or "",
            priority=data.get("priority") or 0,
            skip_while_promise=data["skip_while_promise"],
            skip_while_plan=data["skip_while_plan"],
            on_unusable=data.get("on_unusable") or "skip",
            substitute_action=data.get("substitute_action") or "",
            substitute_template=data.get("substitute_template") or "",
        )


StepFormSet = forms.formset_factory(StepForm, extra=1, can_delete=True)


def steps_from(formset) -> tuple[list[StepInput], list[forms.Form]]:
    """The steps to save, sorted by order (the service names errors by that
    position), with the form each came from."""
    rows = [
        (form.step_input(), form)
        for form in formset.forms
        # A saved step is kept even when untouched; an empty extra row is skipped.
        if (form.initial or form.has_changed()) and not form.cleaned_data.get("DELETE")
    ]
    rows.sort(key=lambda row: row[0].order)
    return [row[0] for row in rows], [row[1] for row in rows]


def apply_step_errors(
    form: forms.Form, step_forms: list[forms.Form], exc: ApplicationError
) -> None:
    for key, messages in (exc.errors or {}).items():
        if key.startswith("steps[") and "]." in key:
            index, field = key[len("steps[") :].split("].", 1)
            target = step_forms[int(index)]
            for message in messages:
                target.add_error(field if field in target.fields else None, message)
        else:
            for message in messages:
                form.add_error(None, message)
    if not exc.errors:
        form.add_error(None, exc.message)


class SimulateForm(forms.Form):
    at = forms.DateTimeField(
        label=_("Simulate as of"),
        widget=DateTimeLocalInput(),
    )

    @staticmethod
    def default_at() -> dt.datetime:
        now = timezone.localtime()
        return now.replace(second=0, microsecond=0)


# --- message templates ---


class TemplateForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=50)
    channel = forms.ChoiceField(
        label=_("Channel"), choices=MessageTemplate.Channel.choices
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=[("zh-hans", "简体中文"), ("en", "English")]
    )
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    body = forms.CharField(
        label=_("Text body"), widget=forms.Textarea(attrs={"rows": 6})
    )
    html_body = forms.CharField(
        label=_("HTML body"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    sample_case = forms.CharField(
        label=_("Sample case for the preview"), required=False, max_length=32
    )
    reason = forms.CharField(label=_("Why this change"), required=False, max_length=80)

    variables = ALLOWED_VARIABLES


# --- rule packs ---


class RulePackForm(forms.Form):
    """The parameters an admin tunes most: the window, caps, cooldown and which of
    the optional rules apply. Everything else stays as it is."""

    window_enabled = forms.BooleanField(
        label=_("Contact window applies"), required=False
    )
    window_start = forms.CharField(label=_("Window starts (HH:MM)"), max_length=5)
    window_end = forms.CharField(label=_("Window ends (HH:MM)"), max_length=5)
    window_days = forms.TypedMultipleChoiceField(
        label=_("Days"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    window_channels = forms.MultipleChoiceField(
        label=_("Channels inside the window"),
        choices=CHANNELS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    cooldown_enabled = forms.BooleanField(
        label=_("Cooldown after a conversation applies"), required=False
    )
    cooldown_days = forms.IntegerField(label=_("Cooldown days"))
    blackout_enabled = forms.BooleanField(
        label=_("Holiday blackout applies"), required=False
    )
    # simple-history keeps 100 characters of a change reason.
    reason = forms.CharField(label=_("Why this change"), max_length=100)
    override_reason = forms.CharField(
        label=_("Legal-review override"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Only for values beyond the legal floor: the legal review that allows "
            "them. A second admin must approve the override before activation."
        ),
    )

    def __init__(self, *args, parameters: dict, **kwargs):
        self.parameters = parameters
        window = parameters.get("contact_window", {})
        cooldown = parameters.get("post_conversation_cooldown", {})
        initial = {
            "window_enabled": window.get("enabled", True),
            "window_start": window.get("start"),
            "window_end": window.get("end"),
            "window_days": window.get("days", ALL_DAYS),
            "window_channels": window.get("channels", []),
            "cooldown_enabled": cooldown.get("enabled", False),
            "cooldown_days": cooldown.get("days", 1),
            "blackout_enabled": parameters.get("holiday_blackout", {}).get("enabled"),
        }
        self.caps = parameters.get("frequency_caps", [])
        for i, cap in enumerate(self.caps):
            initial[f"cap_{i}_max"] = cap.get("max")
            initial[f"cap_{i}_days"] = cap.get("days", 1)
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for i, cap in enumerate(self.caps):
            # No min_value: the service's message ("at least 1") is the one to show.
            self.fields[f"cap_{i}_max"] = forms.IntegerField(
                label=_("%(cap)s: at most") % {"cap": cap_label(cap.get("id", ""))}
            )
            self.fields[f"cap_{i}_days"] = forms.IntegerField(
                label=_("%(cap)s: per days") % {"cap": cap_label(cap.get("id", ""))}
            )

    def cap_fields(self):
        return [
            (cap, self[f"cap_{i}_max"], self[f"cap_{i}_days"])
            for i, cap in enumerate(self.caps)
        ]

    def changes(self) -> dict:
        data = self.cleaned_data
        caps = []
        for i, cap in enumerate(self.caps):
            caps.append(
                {**cap, "max": data[f"cap_{i}_max"], "days": data[f"cap_{i}_days"]}
            )
        return {
            "contact_window": {
                "enabled": data["window_enabled"],
                "start": data["window_start"],
                "end": data["window_end"],
                "days": data["window_days"],
                "channels": data["window_channels"],
            },
            "post_conversation_cooldown": {
                "enabled": data["cooldown_enabled"],
                "days": data["cooldown_days"],
            },
            "holiday_blackout": {"enabled": data["blackout_enabled"]},
            "frequency_caps": caps,
        }

    def error_fields(self) -> dict[str, str]:
        fields = {
            "parameters.contact_window.start": "window_start",
            "parameters.contact_window.end": "window_end",
            "parameters.contact_window.days": "window_days",
            "parameters.contact_window.channels": "window_channels",
            "parameters.contact_window.enabled": "window_enabled",
            "parameters.post_conversation_cooldown.days": "cooldown_days",
            "parameters.post_conversation_cooldown.enabled": "cooldown_enabled",
            "reason": "reason",
            "override_reason": "override_reason",
        }
        for i in range(len(self.caps)):
            fields[f"parameters.frequency_caps.{i}.max"] = f"cap_{i}_max"
            fields[f"parameters.frequency_caps.{i}.days"] = f"cap_{i}_days"
        return fields


class HolidayForm(forms.ModelForm):
    class Meta:
        model = HolidayOverride
        fields = ["country", "date", "is_holiday", "name"]
        widgets = {"date": DateInput()}


# --- queues and teams ---


def _words(value: str) -> list[str]:
    return [w.strip() for w in (value or "").replace("，", ",").split(",") if w.strip()]


class QueueForm(forms.ModelForm):
    """A queue's membership criteria as fields, not JSON: buckets from the configured
    DPD bands, a minimum overdue amount, products and regions. They are stored as the
    criteria document the delinquency refresh reads (cases.WorkQueue)."""

    buckets = forms.MultipleChoiceField(
        label=_("Buckets (days past due)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every bucket."),
    )
    min_overdue = forms.DecimalField(
        label=_("Minimum overdue amount"),
        required=False,
        min_value=0,
        decimal_places=2,
        max_digits=14,
    )
    products = forms.CharField(
        label=_("Products"),
        required=False,
        help_text=_("Product codes, separated by commas; empty: every product."),
    )
    regions = forms.CharField(
        label=_("Regions"),
        required=False,
        help_text=_("Region codes, separated by commas; empty: every region."),
    )

    class Meta:
        model = WorkQueue
        fields = ["code", "name", "team", "priority", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buckets"].choices = [
            (label, label) for _low, _high, label in settings.DPD_BUCKETS
        ]
        criteria = (self.instance.criteria if self.instance.pk else None) or {}
        if isinstance(criteria, dict):
            self.initial.setdefault("buckets", criteria.get("buckets") or [])
            self.initial.setdefault("min_overdue", criteria.get("min_overdue"))
            for name in ("products", "regions"):
                self.initial.setdefault(name, ", ".join(criteria.get(name) or []))

    def clean(self):
        data = super().clean()
        criteria = {}
        if data.get("buckets"):
            criteria["buckets"] = list(data["buckets"])
        if data.get("min_overdue") is not None:
            criteria["min_overdue"] = str(data["min_overdue"])
        for name in ("products", "regions"):
            if _words(data.get(name, "")):
                criteria[name] = _words(data[name])
        for name in ("buckets", "min_overdue", "products", "regions"):
            data.pop(name, None)
        data["criteria"] = criteria
        return data


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "supervisors", "members"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(is_active=True).order_by("username")
        for name in ("supervisors", "members"):
            self.fields[name].queryset = users
            self.fields[name].required = False


# --- arrangement terms (decision 46) ---


class ArrangementTermsForm(forms.Form):
    promise_max_days = forms.IntegerField(
        label=_("Promise horizon (days)"), min_value=1
    )
    plan_max_instalments = forms.IntegerField(
        label=_("Plan: most instalments"), min_value=1
    )
    plan_max_days = forms.IntegerField(
        label=_("Plan: last instalment within (days)"), min_value=1
    )
    max_first_payment_days = forms.IntegerField(
        label=_("First payment within (days)"), min_value=1
    )
    min_instalment = forms.DecimalField(
        label=_("Smallest instalment"), min_value=0, max_digits=14, decimal_places=2
    )
    reason = forms.CharField(label=_("Why this change"), max_length=80)


class AsOfForm(forms.Form):
    at = forms.DateTimeField(
        label=_("Configuration as of"),
        required=False,
        widget=DateTimeLocalInput(),
    )
    decision = forms.IntegerField(
        label=_("…or the rules behind decision number"), required=False, min_value=1
    )

    def clean(self):
        data = super().clean()
        if not data.get("at") and not data.get("decision"):
            raise forms.ValidationError(_("Give a date and time, or a decision."))
        return data


class ApprovalAuthorityForm(forms.Form):
    """The authority matrix, one amount and one percentage per kind and role; the
    service (escalation.authority) checks the numbers and names the field."""

    reason = forms.CharField(label=_("Why this change"), max_length=100)

    def __init__(self, *args, cells, **kwargs):
        super().__init__(*args, **kwargs)
        for cell in cells:
            number = {"inputmode": "decimal", "min": "0", "step": "0.01"}
            self.fields[f"{cell.field}-amount"] = forms.CharField(
                label=_("Largest amount"),
                initial=cell.max_amount,
                widget=forms.NumberInput(attrs=number),
            )
            self.fields[f"{cell.field}-percent"] = forms.CharField(
                label=_("Largest share of the balance (%)"),
                initial=cell.max_percent,
                widget=forms.NumberInput(attrs={**number, "max": "100"}),
            )
        # The reason last, after the matrix.
        self.fields["reason"] = self.fields.pop("reason")

    def cell_fields(self, cell):
        return self[f"{cell.field}-amount"], self[f"{cell.field}-percent"]
