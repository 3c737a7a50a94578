"""API input and output shapes for the compliance check, restrictions and the ledger.

Inputs parse only; rules live in compliance.services and compliance.restrictions.
Related rows are named by reference; contact values leave masked.
"""

from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers

from cases.masking import mask_contact
from core.api import BoundedDateTimeField

from .models import (
    PREFERRED_CHANNELS,
    Channel,
    ContactAttempt,
    ContactPreference,
    ContactRestriction,
    Purpose,
)
from .packs import CALL_RESULTS, MESSAGE_RESULTS
from .rules.base import POINT_KIND_FOR_CHANNEL

# --------------------------------------------------------------------------------------
# Compliance check
# --------------------------------------------------------------------------------------


class ComplianceCheckInputSerializer(serializers.Serializer):
    customer = serializers.CharField(max_length=64, help_text="Customer reference.")
    channel = serializers.ChoiceField(choices=Channel.choices)
    contact_point = serializers.CharField(
        max_length=320,
        required=False,
        allow_blank=True,
        default="",
        help_text="The contact point's id (`cp_…`, given beside every masked "
        "value) or its value (phone, email, address); default: the customer's own "
        "primary point for the channel.",
    )
    loan = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default=""
    )
    case = serializers.CharField(
        max_length=32, required=False, allow_blank=True, default=""
    )
    at = BoundedDateTimeField(
        required=False, allow_null=True, default=None, help_text="Default: now."
    )
    purpose = serializers.ChoiceField(choices=Purpose.choices, default="collection")


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    rule = serializers.CharField()
    message = serializers.CharField()
    message_zh = serializers.CharField()
    citation = serializers.CharField()


class DecisionSerializer(serializers.Serializer):
    """The decision of DESIGN.md section 4 (documentation of Decision.to_dict())."""

    allowed = serializers.BooleanField()
    outcome = serializers.ChoiceField(
        choices=["allow", "allow_with_conditions", "defer", "deny", "review"]
    )
    reasons = ReasonSerializer(many=True)
    conditions = serializers.ListField(child=serializers.CharField())
    next_permitted_at = serializers.DateTimeField(
        allow_null=True, help_text="ISO 8601 with offset; null: blocked until an event."
    )
    rule_pack = serializers.CharField()
    rule_pack_version = serializers.IntegerField()


# --------------------------------------------------------------------------------------
# Restrictions
# --------------------------------------------------------------------------------------


class RestrictionInputSerializer(serializers.Serializer):
    customer = serializers.CharField(max_length=64, help_text="Customer reference.")
    kind = serializers.ChoiceField(choices=ContactRestriction.Kind.choices)
    channel = serializers.ChoiceField(
        choices=Channel.choices, required=False, allow_blank=True, default=""
    )
    contact_point = serializers.CharField(
        max_length=320,
        required=False,
        allow_blank=True,
        default="",
        help_text="One of the customer's contact points: its id (`cp_…`) or its "
        "full value.",
    )
    loan = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default=""
    )
    starts_at = BoundedDateTimeField(
        required=False, allow_null=True, default=None, help_text="Default: now."
    )
    ends_at = BoundedDateTimeField(required=False, allow_null=True, default=None)
    reason = serializers.CharField()
    source = serializers.CharField(max_length=50, required=False, default="manual")


class RestrictionEndInputSerializer(serializers.Serializer):
    reason = serializers.CharField()


class RestrictionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    customer = serializers.CharField(source="customer.reference")
    kind = serializers.CharField()
    channel = serializers.CharField()
    contact_point = serializers.SerializerMethodField(help_text="Masked value.")
    contact_point_id = serializers.CharField(
        source="contact_point.public_id", allow_null=True, default=None
    )
    loan = serializers.CharField(source="loan.reference", allow_null=True)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(allow_null=True)
    active = serializers.SerializerMethodField()
    reason = serializers.CharField()
    source = serializers.CharField()
    recorded_by = serializers.CharField(source="recorded_by.username", allow_null=True)
    created_at = serializers.DateTimeField()

    def get_contact_point(self, restriction: ContactRestriction) -> str | None:
        point = restriction.contact_point
        return mask_contact(point.channel, point.value) if point else None

    def get_active(self, restriction: ContactRestriction) -> bool:
        now = timezone.now()
        return restriction.starts_at <= now and (
            restriction.ends_at is None or restriction.ends_at > now
        )


# --------------------------------------------------------------------------------------
# Contact attempts (the ledger)
# --------------------------------------------------------------------------------------

EXTERNAL_OUTCOMES = list(dict.fromkeys(CALL_RESULTS + MESSAGE_RESULTS))


class ContactAttemptInputSerializer(serializers.Serializer):
    customer = serializers.CharField(max_length=64, help_text="Customer reference.")
    loan = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default=""
    )
    channel = serializers.ChoiceField(choices=Channel.choices)
    contact_point = serializers.CharField(
        max_length=320,
        help_text="The number, email or address used, or the customer's contact "
        "point id (`cp_…`).",
    )
    at = BoundedDateTimeField()
    outcome = serializers.ChoiceField(
        choices=EXTERNAL_OUTCOMES,
        help_text="Calls and visits: not_connected, no_answer, voicemail, "
        "third_party, conversation. Messages: sent, failed.",
    )
    source = serializers.CharField(
        max_length=50, help_text="Who made it, e.g. dialer-x, agency-y."
    )


class AttemptDecisionSerializer(serializers.Serializer):
    outcome = serializers.CharField()
    reasons = serializers.SerializerMethodField()
    next_permitted_at = serializers.DateTimeField(allow_null=True)
    rule_pack = serializers.CharField()
    rule_pack_version = serializers.IntegerField()

    def get_reasons(self, decision) -> list[str]:
        return [reason.get("code", "") for reason in decision.reasons or []]


class ContactAttemptOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    customer = serializers.CharField(source="customer.reference")
    case = serializers.CharField(source="case.reference", allow_null=True)
    loan = serializers.CharField(source="loan.reference", allow_null=True)
    channel = serializers.CharField()
    contact_point = serializers.SerializerMethodField(help_text="Masked value.")
    contact_point_id = serializers.CharField(
        source="contact_point.public_id", allow_null=True, default=None
    )
    third_party = serializers.BooleanField()
    purpose = serializers.CharField()
    at = serializers.DateTimeField()
    allowed = serializers.BooleanField()
    outcome = serializers.CharField(source="result")
    completed_at = serializers.DateTimeField(allow_null=True)
    source = serializers.CharField()
    decision = AttemptDecisionSerializer(allow_null=True)

    def get_contact_point(self, attempt: ContactAttempt) -> str:
        if not attempt.contact_value:
            return ""
        kind = POINT_KIND_FOR_CHANNEL.get(attempt.channel, "address")
        return mask_contact(kind, attempt.contact_value)


# --------------------------------------------------------------------------------------
# What the customer said: prior consent, inconvenient times and places (issue 16)
# --------------------------------------------------------------------------------------


class _Revocable(serializers.Serializer):
    source = serializers.CharField()
    recorded_by = serializers.CharField(source="recorded_by.username", allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)
    revoked_by = serializers.CharField(source="revoked_by.username", allow_null=True)
    revoke_reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class PriorConsentInputSerializer(serializers.Serializer):
    customer = serializers.CharField(max_length=64, help_text="Customer reference.")
    case = serializers.CharField(
        max_length=32, required=False, allow_blank=True, default=""
    )
    loan = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
        help_text="The debt the consent is about; blank: every debt of the case.",
    )
    starts_at = BoundedDateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="When the consented calls may start (default: now).",
    )
    ends_at = BoundedDateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="When the consent ends (default: the end of the start's day in "
        "the customer's calendar); at most 7 days after it is given.",
    )
    reason = serializers.CharField(help_text="What the customer said.")
    evidence = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="A call, recording or form reference.",
    )


class PriorConsentOutputSerializer(_Revocable):
    id = serializers.IntegerField()
    customer = serializers.CharField(source="customer.reference")
    case = serializers.CharField(source="case.reference", allow_null=True)
    loan = serializers.CharField(source="loan.reference", allow_null=True)
    given_at = serializers.DateTimeField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    active = serializers.SerializerMethodField()
    reason = serializers.CharField()
    evidence = serializers.CharField()

    def get_active(self, consent) -> bool:
        now = timezone.now()
        return consent.starts_at <= now < consent.ended_at()


class RevokeInputSerializer(serializers.Serializer):
    reason = serializers.CharField()


class ContactPreferenceInputSerializer(serializers.Serializer):
    customer = serializers.CharField(max_length=64, help_text="Customer reference.")
    kind = serializers.ChoiceField(choices=ContactPreference.Kind.choices)
    weekday = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=0,
        max_value=6,
        help_text="0 (Monday) to 6 (Sunday): the day of the hours (none: every "
        "day), or the inconvenient day.",
    )
    channel = serializers.ChoiceField(
        choices=PREFERRED_CHANNELS,
        required=False,
        allow_blank=True,
        default="",
        help_text="preferred_channel: the channel reminders use first where a rung "
        "offers it.",
    )
    start_time = serializers.TimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Hours from (the customer's local clock).",
    )
    end_time = serializers.TimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Hours until; 00:00 is midnight.",
    )
    starts_at = BoundedDateTimeField(
        required=False, allow_null=True, default=None, help_text="Default: now."
    )
    ends_at = BoundedDateTimeField(required=False, allow_null=True, default=None)
    contact_point = serializers.CharField(
        max_length=320,
        required=False,
        allow_blank=True,
        default="",
        help_text="not_at_work / not_at_home: the work or home contact point (its id "
        "`cp_…` or full value), marked as such.",
    )
    reason = serializers.CharField(help_text="What the customer said.")


class ContactPreferenceOutputSerializer(_Revocable):
    id = serializers.IntegerField()
    customer = serializers.CharField(source="customer.reference")
    kind = serializers.CharField()
    channel = serializers.CharField()
    weekday = serializers.IntegerField(allow_null=True)
    start_time = serializers.TimeField(allow_null=True)
    end_time = serializers.TimeField(allow_null=True)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(allow_null=True)
    active = serializers.SerializerMethodField()
    reason = serializers.CharField()

    def get_active(self, preference) -> bool:
        now = timezone.now()
        ends = [e for e in (preference.ends_at, preference.revoked_at) if e]
        return preference.starts_at <= now and all(now < e for e in ends)
