"""Rule packs, contact restrictions, and the append-only ledger of contact attempts and
the compliance decisions that allowed or blocked them."""

import pgtrigger
from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.fields import EncryptedTextField, LookupHashField


class Channel(models.TextChoices):
    """Channels a contact attempt can use (the gate's vocabulary)."""

    CALL = "call", _("Call")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")
    LETTER = "letter", _("Letter")
    VISIT = "visit", _("Visit")


# The ledger also holds contacts the customer made (issue 21): a visit to the
# self-service page, identity confirmed, and each thing done there. The gate never
# proposes this channel, so it is the ledger's, not in Channel: no rule counts it.
SELF_SERVICE_CHANNEL = "web"
ATTEMPT_CHANNELS = [*Channel.choices, (SELF_SERVICE_CHANNEL, _("Self-service page"))]
# The channels a customer may prefer (a visit is never a customer's preference).
PREFERRED_CHANNELS = [c for c in Channel.choices if c[0] != Channel.VISIT]


class Purpose(models.TextChoices):
    COLLECTION = "collection", _("Collection")
    LOCATION = "location", _("Locating the debtor")
    STATUTORY_NOTICE = "statutory_notice", _("Statutory notice")
    REPLY_TO_INBOUND = "reply_to_inbound", _("Reply to the customer")
    SETTLEMENT_FOLLOWUP = "settlement_followup", _("Settlement follow-up")


class Outcome(models.TextChoices):
    ALLOW = "allow", _("Allow")
    ALLOW_WITH_CONDITIONS = "allow_with_conditions", _("Allow with conditions")
    DEFER = "defer", _("Defer")
    DENY = "deny", _("Deny")
    REVIEW = "review", _("Review")


class RulePack(models.Model):
    """A jurisdiction's contact rules as data. Admins edit `parameters`; every save
    bumps `version`, and history keeps each version a decision may cite."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    parameters = models.JSONField(_("parameters"), default=dict)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class HolidayOverride(models.Model):
    """Corrections to the `holidays` package: a day off it misses, or a make-up working
    day (调休) it has wrong."""

    country = models.CharField(_("country"), max_length=2)
    date = models.DateField(_("date"))
    is_holiday = models.BooleanField(_("is a holiday"))
    name = models.CharField(_("name"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["country", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "date"], name="holiday_override_unique"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.country} {self.date} {'holiday' if self.is_holiday else 'working'}"
        )


class ContactRestriction(models.Model):
    """Something that stops or limits contact: a cease request, dispute, attorney,
    legal hold, breathing space, death, vulnerability review or channel opt-out."""

    class Kind(models.TextChoices):
        CEASE_COMMUNICATION = "cease_communication", _("Cease communication")
        DISPUTE = "dispute", _("Dispute")
        ATTORNEY = "attorney", _("Represented by attorney or adviser")
        LEGAL_HOLD = "legal_hold", _("Legal hold (bankruptcy, litigation)")
        BREATHING_SPACE = "breathing_space", _("Breathing space")
        DECEASED = "deceased", _("Deceased")
        VULNERABILITY = "vulnerability", _("Vulnerability review")
        CHANNEL_OPT_OUT = "channel_opt_out", _("Channel opt-out")

    customer = models.ForeignKey(
        "cases.Customer", on_delete=models.PROTECT, related_name="restrictions"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, blank=True
    )
    contact_point = models.ForeignKey(
        "cases.ContactPoint",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="restrictions",
    )
    loan = models.ForeignKey(
        "cases.Loan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="restrictions",
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    source = models.CharField(_("source"), max_length=50, default="manual")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True)
                | Q(ends_at__gt=models.F("starts_at")),
                name="restriction_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(
                fields=["customer", "starts_at"], name="restriction_customer_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.customer_id})"


class StatementSource(models.TextChoices):
    """Who recorded what the customer said: the collector from a call, an
    integration through the API, or the customer on the self-service page."""

    COLLECTOR = "collector", _("Collector")
    API = "api", _("API")
    CUSTOMER_SELF_SERVICE = "customer_self_service", _("Customer (self-service)")


class CustomerStatement(models.Model):
    """What every statement of the customer's carries: where it came from, who
    recorded it, and its one revocation (who, when, why). Never edited otherwise."""

    source = models.CharField(
        _("source"), max_length=24, choices=StatementSource.choices
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoke_reason = models.TextField(_("reason for revoking"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class PriorConsent(CustomerStatement):
    """The consumer's prior consent, given directly to us, to be called in a stated
    period of at most seven days ("call me back on Monday"): calls placed in it are
    not counted toward the call frequencies (Reg F §1006.14(b)(3)(i)). It ends at
    `ends_at`, on revocation, or at the next conversation about the debt
    (compliance.rules.consent). Append-only in spirit: never deleted or edited,
    only revoked once; history keeps who and why."""

    customer = models.ForeignKey(
        "cases.Customer", on_delete=models.PROTECT, related_name="prior_consents"
    )
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="prior_consents",
    )
    # The debt it is about; empty: every debt of the case.
    loan = models.ForeignKey(
        "cases.Loan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="prior_consents",
    )
    given_at = models.DateTimeField(_("given at"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    reason = models.TextField(_("reason"))
    # A call log, recording or form the consent was given in.
    evidence = models.CharField(_("evidence"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="prior_consent_ends_after_start",
            ),
        ]
        indexes = [
            # The gate's read: a customer's consents still open after a time.
            models.Index(fields=["customer", "ends_at"], name="prior_consent_gate_idx"),
        ]

    def __str__(self) -> str:
        return f"prior consent {self.starts_at:%Y-%m-%d %H:%M} ({self.customer_id})"

    def ended_at(self):
        return min(self.ends_at, self.revoked_at) if self.revoked_at else self.ends_at


class ContactPreference(CustomerStatement):
    """A time or place the customer said is inconvenient (Reg F §1006.6(b)(1)(i)-(ii),
    (b)(3); cn "unless agreed with the debtor"; CONC 7.9.4R): gate inputs in every
    pack. Never edited: a change of mind revokes one and records another."""

    class Kind(models.TextChoices):
        INCONVENIENT_HOURS = "inconvenient_hours", _("Inconvenient hours")
        INCONVENIENT_DAY = "inconvenient_day", _("Inconvenient day")
        NOT_AT_WORK = "not_at_work", _("Not at work (employer prohibits contact)")
        NOT_AT_HOME = "not_at_home", _("Not at home (landline and visits)")
        # What suits the customer: hours that make every other time of the day
        # inconvenient (never wider than the pack's window), and the channel that
        # reminders use first where the rung offers it (decision 53).
        PREFERRED_HOURS = "preferred_hours", _("Contact only during these hours")
        PREFERRED_CHANNEL = "preferred_channel", _("Preferred channel")

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    customer = models.ForeignKey(
        "cases.Customer", on_delete=models.PROTECT, related_name="contact_preferences"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # Hours: on this weekday (empty: every day); day: the weekday itself.
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), choices=Weekday.choices, null=True, blank=True
    )
    # Preferred channel only: one of the message channels or a call.
    channel = models.CharField(
        _("channel"), max_length=10, choices=PREFERRED_CHANNELS, blank=True
    )
    # The customer's local clock; an end of 00:00 is midnight.
    start_time = models.TimeField(_("from"), null=True, blank=True)
    end_time = models.TimeField(_("until"), null=True, blank=True)
    starts_at = models.DateTimeField(_("in force from"))
    ends_at = models.DateTimeField(_("in force until"), null=True, blank=True)
    reason = models.TextField(_("what the customer said"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True)
                | Q(ends_at__gt=models.F("starts_at")),
                name="preference_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(weekday__isnull=True) | Q(weekday__lte=6),
                name="preference_weekday_valid",
            ),
        ]
        indexes = [
            # The gate's read: a customer's statements in force.
            models.Index(fields=["customer", "starts_at"], name="preference_gate_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.customer_id})"


class Decision(models.Model):
    """The compliance verdict for one proposed contact. Append-only."""

    # References to rows outside the ledger, which the sweep writes by the hundred
    # thousand, are kept by the application (PROTECT, and nothing deletes customers,
    # cases, contact points, loans or users), not by per-row database triggers;
    # unread indexes are left out too (decision 20).
    customer = models.ForeignKey(
        "cases.Customer",
        on_delete=models.PROTECT,
        related_name="decisions",
        db_constraint=False,
        db_index=False,  # decision_customer_idx leads with it
    )
    contact_point = models.ForeignKey(
        "cases.ContactPoint",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        db_constraint=False,
        db_index=False,
    )
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        db_constraint=False,
    )
    loan = models.ForeignKey(
        "cases.Loan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    purpose = models.CharField(
        max_length=24, choices=Purpose.choices, default=Purpose.COLLECTION
    )
    proposed_at = models.DateTimeField()
    # Set by the writer, not auto_now_add: the row's chain hash covers it, and is
    # computed before the row is written (compliance.chain).
    evaluated_at = models.DateTimeField(default=timezone.now)
    allowed = models.BooleanField()
    outcome = models.CharField(max_length=24, choices=Outcome.choices)
    reasons = models.JSONField(default=list)
    conditions = models.JSONField(default=list)
    next_permitted_at = models.DateTimeField(null=True, blank=True)
    rule_pack = models.CharField(max_length=20)
    rule_pack_version = models.PositiveIntegerField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    # Tamper evidence (issue 15, finding 3): the row's place in one of
    # LEDGER_CHAIN_SHARDS hash chains, and SHA-256 over its content and the previous
    # link's hash (compliance.chain). NULL only on rows written before the chain.
    chain_shard = models.SmallIntegerField(null=True, editable=False)
    chain_seq = models.BigIntegerField(null=True, editable=False)
    chain_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-evaluated_at"]
        indexes = [
            models.Index(
                fields=["customer", "-evaluated_at"], name="decision_customer_idx"
            ),
        ]
        constraints = [
            # One row per link; the index is what ledger_verify walks, shard by
            # shard in order, and what an anchor looks its head row up by.
            models.UniqueConstraint(
                fields=["chain_shard", "chain_seq"], name="decision_chain_link_unique"
            ),
        ]
        # Append-only in the database, not only in save(): a raw UPDATE or DELETE
        # (a console, a script, the admin's revert) is refused (issue 15, finding 2).
        # Row triggers on UPDATE and DELETE cost the sweep's inserts nothing;
        # TRUNCATE (the test suite's flush) does not fire them. PostgreSQL only.
        triggers = [
            pgtrigger.Protect(
                name="decision_append_only",
                operation=pgtrigger.Update | pgtrigger.Delete,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.proposed_at:%Y-%m-%d %H:%M} {self.outcome}"

    def save(self, *args, **kwargs):
        # The ledger is evidence: a decision, once written, is never rewritten.
        if self.pk is not None:
            raise ValueError("Decisions are append-only.")
        # Every row joins a chain, whichever path writes it (the gate, the demo, a
        # test): an unchained row written after the chain began is reported by
        # ledger_verify as tampering.
        from .chain import chain_decisions

        with transaction.atomic(using=kwargs.get("using")):
            if self.chain_seq is None:
                chain_decisions([self])
            super().save(*args, **kwargs)


# What an attempt records as having happened; only its settling columns (result,
# completed_at) may change, and only once.
ATTEMPT_FACTS = [
    "customer",
    "case",
    "loan",
    "contact_point",
    "contact_value",
    "third_party",
    "channel",
    "purpose",
    "at",
    "allowed",
    "decision",
    "source",
    "actor",
]


class ContactAttempt(models.Model):
    """Every contact attempt on every channel, allowed or blocked, made here or reported
    by an outside dialer or agency so that shared counters stay right."""

    class Result(models.TextChoices):
        BLOCKED = "blocked", _("Blocked")
        PENDING = "pending", _("Pending")
        NOT_CONNECTED = "not_connected", _("Not connected")
        NO_ANSWER = "no_answer", _("No answer")
        VOICEMAIL = "voicemail", _("Voicemail")
        THIRD_PARTY = "third_party", _("Third party reached")
        CONVERSATION = "conversation", _("Conversation with the debtor")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        # A queued message's attempt once the dispatcher has re-checked it at send
        # time: the send-time decision and its own attempt (blocked, or sent or
        # failed) carry on from here, so this one no longer counts (decision 33).
        RECHECKED = "rechecked", _("Re-checked at send time")
        # A contact the customer made (the self-service page): no decision of ours.
        INBOUND = "inbound", _("Made by the customer")

    # As on Decision (decision 20): the application keeps the references to rows
    # outside the ledger; `decision` keeps its database constraint.
    customer = models.ForeignKey(
        "cases.Customer",
        on_delete=models.PROTECT,
        related_name="contact_attempts",
        db_constraint=False,
    )
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contact_attempts",
        db_constraint=False,
        db_index=False,  # attempt_case_idx leads with it
    )
    loan = models.ForeignKey(
        "cases.Loan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    contact_point = models.ForeignKey(
        "cases.ContactPoint",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contact_attempts",
        db_constraint=False,
        db_index=False,  # attempt_point_time_idx leads with it
    )
    # The address as dialled or sent to; kept even when the contact point changes.
    # Encrypted at rest (core.crypto); per-number comparisons in SQL go by the hash,
    # equal to the contact point's value_hash.
    contact_value = EncryptedTextField(max_length=320, blank=True)
    contact_value_hash = LookupHashField(source="contact_value", purpose="contact")
    third_party = models.BooleanField(default=False)
    channel = models.CharField(max_length=10, choices=ATTEMPT_CHANNELS)
    purpose = models.CharField(
        max_length=24, choices=Purpose.choices, default=Purpose.COLLECTION
    )
    at = models.DateTimeField()
    allowed = models.BooleanField()
    result = models.CharField(max_length=16, choices=Result.choices)
    completed_at = models.DateTimeField(null=True, blank=True)
    decision = models.OneToOneField(
        Decision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attempt",
    )
    source = models.CharField(max_length=50, default="system")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-at"]
        indexes = [
            # Frequency caps and cooldowns: allowed attempts per person since a time
            # (compliance.selectors.gate_inputs). Covering, so the gate's ledger read
            # is an index-only scan on PostgreSQL (INCLUDE is ignored on SQLite).
            models.Index(
                fields=["customer", "at"],
                include=["channel", "result", "contact_value", "loan", "third_party"],
                condition=Q(allowed=True),
                name="attempt_gate_read_idx",
            ),
            models.Index(
                fields=["contact_point", "at"],
                condition=Q(allowed=True),
                name="attempt_point_time_idx",
            ),
            models.Index(fields=["case", "-at"], name="attempt_case_idx"),
            # The supervisor dashboard: each collector's blocked attempts in a period
            # (supervision.selectors). The sweep's rows have no actor: none here.
            models.Index(
                fields=["actor", "at"],
                condition=Q(allowed=False, actor__isnull=False),
                name="attempt_blocked_actor_idx",
            ),
            # The gate's ledger read: "once per third party" counts third-party
            # contacts of any age (compliance.selectors.gate_inputs).
            models.Index(
                fields=["customer", "contact_value"],
                condition=Q(allowed=True, third_party=True),
                name="attempt_third_party_idx",
            ),
        ]

        # Recorded facts never change and attempts are never deleted; an attempt is
        # settled once, from pending to its result (compliance.services.
        # contact_attempt_complete, ledger_complete_many). PostgreSQL only.
        triggers = [
            pgtrigger.Protect(name="attempt_no_delete", operation=pgtrigger.Delete),
            pgtrigger.ReadOnly(name="attempt_facts_read_only", fields=ATTEMPT_FACTS),
            pgtrigger.Protect(
                name="attempt_settles_once",
                operation=pgtrigger.Update,
                condition=pgtrigger.Condition(
                    "((OLD.result IS DISTINCT FROM NEW.result"
                    " OR OLD.completed_at IS DISTINCT FROM NEW.completed_at)"
                    " AND (OLD.result <> 'pending' OR NEW.result = 'pending'))"
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.at:%Y-%m-%d %H:%M} {self.result}"


class LedgerChainHead(models.Model):
    """The last link of one shard's decision chain. A writer locks one free head row
    (SELECT ... FOR UPDATE SKIP LOCKED) for its transaction and chains its decisions
    there, so the sweep's parallel batches never wait on a global lock."""

    shard = models.SmallIntegerField(primary_key=True)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["shard"]

    def __str__(self) -> str:
        return f"shard {self.shard} @ {self.last_seq}"


class LedgerAnchor(models.Model):
    """A shard's head as it was on a day (compliance.chain.ledger_anchor), also
    written to the log and /metrics, where it is kept out of the database's reach:
    a chain rewritten from an earlier link no longer matches its anchors."""

    date = models.DateField()
    shard = models.SmallIntegerField()
    head_seq = models.BigIntegerField()
    head_id = models.BigIntegerField(null=True)
    head_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "shard"]
        constraints = [
            models.UniqueConstraint(
                fields=["date", "shard"], name="ledger_anchor_once_a_day"
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="anchor_append_only",
                operation=pgtrigger.Update | pgtrigger.Delete,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} shard {self.shard} @ {self.head_seq}"
