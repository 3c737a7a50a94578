"""Call tasks for collectors, the calls they make and supervisors' reviews of them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .recordings import recording_storage, recording_upload_to


class CallTask(models.Model):
    """A call to make for a case; claimed by one collector at a time."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLAIMED = "claimed", _("Claimed")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="call_tasks"
    )
    queue = models.ForeignKey(
        "cases.WorkQueue",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="call_tasks",
    )
    step = models.ForeignKey(
        "cases.EscalationStep",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    due_at = models.DateTimeField(_("due at"))
    priority = models.IntegerField(_("priority"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="claimed_call_tasks",
    )
    claimed_until = models.DateTimeField(null=True, blank=True)
    # (case, step, due window): a repeated sweep creates nothing new.
    idempotency_key = models.CharField(
        max_length=100, unique=True, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-priority", "due_at"]
        indexes = [
            # "Next case": open tasks in a queue, best first.
            models.Index(
                fields=["queue", "-priority", "due_at"],
                condition=Q(status__in=["open", "claimed"]),
                name="calltask_claimable_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Call {self.case_id} due {self.due_at:%Y-%m-%d %H:%M}"


class CallLog(models.Model):
    """One call, as the reference process records it: who, when, identity confirmed
    before disclosure, outcome, the customer's attitude, notes and recording."""

    class Outcome(models.TextChoices):
        NOT_CONNECTED = "not_connected", _("Not connected")
        NO_ANSWER = "no_answer", _("No answer")
        VOICEMAIL = "voicemail", _("Voicemail")
        WRONG_NUMBER = "wrong_number", _("Wrong number")
        THIRD_PARTY = "third_party", _("Third party reached")
        PROMISE_TO_PAY = "promise_to_pay", _("Promise to pay")
        PLAN_AGREED = "plan_agreed", _("Repayment plan agreed")
        CALLBACK = "callback", _("Callback requested")
        DISPUTE = "dispute", _("Disputes the debt")
        HARDSHIP = "hardship", _("Hardship")
        REFUSED = "refused", _("Refuses to pay")
        PAID = "paid", _("Says already paid")
        OTHER = "other", _("Other conversation")

    class Attitude(models.TextChoices):
        COOPERATIVE = "cooperative", _("Cooperative")
        ANXIOUS = "anxious", _("Anxious")
        RESISTANT = "resistant", _("Resistant")
        HOSTILE = "hostile", _("Hostile")
        HELPLESS = "helpless", _("Helpless")
        EVASIVE = "evasive", _("Evasive")
        UNKNOWN = "unknown", _("Not assessed")

    reference = models.CharField(_("reference"), max_length=32, unique=True)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="calls"
    )
    task = models.ForeignKey(
        CallTask, on_delete=models.SET_NULL, null=True, blank=True, related_name="calls"
    )
    collector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="calls",
    )
    contact_point = models.ForeignKey(
        "cases.ContactPoint", on_delete=models.PROTECT, related_name="calls"
    )
    contact_attempt = models.OneToOneField(
        "compliance.ContactAttempt",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="call",
    )
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (s)"), default=0)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    right_party_contact = models.BooleanField(_("right-party contact"), default=False)
    identity_confirmed = models.BooleanField(_("identity confirmed"), default=False)
    disclosure_made = models.BooleanField(_("debt disclosed"), default=False)
    attitude = models.CharField(
        _("attitude"), max_length=12, choices=Attitude.choices, default=Attitude.UNKNOWN
    )
    notes = models.TextField(_("notes"), blank=True)
    notes_flagged = models.BooleanField(
        _("notes flagged by content check"), default=False
    )
    # Kept outside the media URL space (calls.recordings.RecordingStorage) and
    # served only by supervision's call_recording view, with the audio type detected
    # from the content at upload (issue 15, finding 1).
    recording = models.FileField(
        _("recording"),
        upload_to=recording_upload_to,
        storage=recording_storage,
        null=True,
        blank=True,
    )
    recording_content_type = models.CharField(
        _("recording type"), max_length=50, blank=True
    )
    callback_at = models.DateTimeField(_("callback at"), null=True, blank=True)
    # When the script's steps happened, as a dialer or an import reports them. The
    # guided call cannot disclose before identity (the debt is not rendered until
    # then); a reported call whose disclosure came first is flagged for review
    # (supervision.selectors.FLAGGED), CONC 7.9.10R / CN.DISCL.
    identity_confirmed_at = models.DateTimeField(
        _("identity confirmed at"), null=True, blank=True
    )
    disclosed_at = models.DateTimeField(_("debt disclosed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            # Identity before disclosure (CONC 7.9.10R, CN.DISCL): never the other way.
            models.CheckConstraint(
                condition=~Q(disclosure_made=True, identity_confirmed=False),
                name="call_no_disclosure_without_identity",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True)
                | Q(ended_at__gte=models.F("started_at")),
                name="call_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(
                fields=["collector", "-started_at"], name="call_collector_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class CallReview(models.Model):
    """A supervisor's scorecard of one call."""

    call = models.ForeignKey(CallLog, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="call_reviews"
    )
    identity_before_disclosure = models.BooleanField(
        _("identity confirmed before disclosure"), default=False
    )
    accurate_amounts = models.BooleanField(
        _("amounts and consequences stated accurately"), default=False
    )
    professional_tone = models.BooleanField(
        _("professional, respectful tone"), default=False
    )
    no_threats = models.BooleanField(
        _("no threats or false consequences"), default=False
    )
    options_offered = models.BooleanField(_("repayment options offered"), default=False)
    notes_complete = models.BooleanField(_("notes complete"), default=False)
    score = models.PositiveSmallIntegerField(_("score"), default=0)
    violation = models.BooleanField(_("violation"), default=False)
    comments = models.TextField(_("comments"), blank=True)
    # QA sampling: the review was of a call drawn by the weekly random sample.
    sampled = models.BooleanField(_("from the QA sample"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__lte=100), name="review_score_max_100"
            ),
        ]

    def __str__(self) -> str:
        return f"Review of {self.call_id} by {self.reviewer_id}"


class PiiReveal(models.Model):
    """Who saw which masked value of which customer, and when (DESIGN.md section 9:
    full values are revealed on demand and the reveal is audited). Append-only."""

    class Field(models.TextChoices):
        NATIONAL_ID = "national_id", _("National id")
        ADDRESS = "address", _("Address")
        CONTACT_POINT = "contact_point", _("Contact point")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pii_reveals"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="pii_reveals"
    )
    customer = models.ForeignKey(
        "cases.Customer", on_delete=models.PROTECT, related_name="pii_reveals"
    )
    field = models.CharField(_("field"), max_length=20, choices=Field.choices)
    contact_point = models.ForeignKey(
        "cases.ContactPoint",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revealed_at = models.DateTimeField(_("revealed at"), auto_now_add=True)
    # Why the full value was needed, as the person typed it (required since the
    # reason prompt; rows from before it have none).
    reason = models.CharField(_("reason"), max_length=500, blank=True, default="")

    class Meta:
        ordering = ["-revealed_at"]
        indexes = [
            # "Who looked at this customer's data": the case page's audit list.
            models.Index(
                fields=["customer", "-revealed_at"], name="pii_reveal_customer_idx"
            ),
            # The per-user hourly limit (PII_REVEAL_LIMIT_PER_HOUR) counts these.
            models.Index(fields=["user", "-revealed_at"], name="pii_reveal_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} saw {self.field} of {self.customer_id}"
