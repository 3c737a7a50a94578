"""API shapes for reviews, approvals, reassignment, follow-ups and reports. Inputs only
parse; the services decide. Related rows are named by reference or username."""

from __future__ import annotations

from rest_framework import serializers

from calls.serializers import PlanOutputSerializer
from cases.masking import mask_contact
from core.api import CHOSEN, MONEY, BoundedDateField, BoundedDateTimeField

from . import selectors
from .models import Approval
from .services import MAX_REASSIGN, REASSIGN_NO_CASES, REASSIGN_NO_REASON

# --------------------------------------------------------------------------------------
# Call records and reviews
# --------------------------------------------------------------------------------------


class CallRecordSerializer(serializers.Serializer):
    reference = serializers.CharField()
    case = serializers.CharField(source="case.reference")
    collector = serializers.CharField(
        source="collector.username", allow_null=True, default=None
    )
    contact_point = serializers.SerializerMethodField(help_text="Masked.")
    contact_point_id = serializers.CharField(source="contact_point.public_id")
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    duration_seconds = serializers.IntegerField()
    outcome = serializers.CharField()
    attitude = serializers.CharField()
    right_party_contact = serializers.BooleanField()
    identity_confirmed = serializers.BooleanField()
    disclosure_made = serializers.BooleanField()
    identity_confirmed_at = serializers.DateTimeField(allow_null=True)
    disclosed_at = serializers.DateTimeField(allow_null=True)
    notes = serializers.CharField()
    has_recording = serializers.SerializerMethodField()
    reviewed = serializers.BooleanField()
    last_score = serializers.IntegerField(allow_null=True)
    flags = serializers.SerializerMethodField()

    def get_contact_point(self, call) -> str:
        return mask_contact(call.contact_point.channel, call.contact_point.value)

    def get_has_recording(self, call) -> bool:
        return bool(call.recording)

    def get_flags(self, call) -> list[str]:
        return selectors.call_flags(call)


class ReviewInputSerializer(serializers.Serializer):
    call = serializers.CharField(max_length=32, help_text="Call reference.")
    identity_before_disclosure = serializers.BooleanField(default=False)
    accurate_amounts = serializers.BooleanField(default=False)
    professional_tone = serializers.BooleanField(default=False)
    no_threats = serializers.BooleanField(default=False)
    options_offered = serializers.BooleanField(default=False)
    notes_complete = serializers.BooleanField(default=False)
    score = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=0,
        max_value=100,
        help_text="Blank: the share of criteria met.",
    )
    violation = serializers.BooleanField(default=False)
    comments = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=5000
    )
    sampled = serializers.BooleanField(default=False)


class ReviewOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    call = serializers.CharField(source="call.reference")
    collector = serializers.CharField(
        source="call.collector.username", allow_null=True, default=None
    )
    reviewer = serializers.CharField(source="reviewer.username")
    identity_before_disclosure = serializers.BooleanField()
    accurate_amounts = serializers.BooleanField()
    professional_tone = serializers.BooleanField()
    no_threats = serializers.BooleanField()
    options_offered = serializers.BooleanField()
    notes_complete = serializers.BooleanField()
    score = serializers.IntegerField()
    violation = serializers.BooleanField()
    comments = serializers.CharField()
    sampled = serializers.BooleanField()
    follow_up = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_follow_up(self, review) -> str | None:
        follow_up = getattr(review, "follow_up", None)
        return follow_up.reference if follow_up else None


# --------------------------------------------------------------------------------------
# Approvals
# --------------------------------------------------------------------------------------


class DecisionInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["approve", "reject"])
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000
    )


class PlanWaitingSerializer(PlanOutputSerializer):
    proposed_by = serializers.CharField(
        source="proposed_by.username", allow_null=True, default=None
    )
    decided_by = serializers.CharField(
        source="decided_by.username", allow_null=True, default=None
    )
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class ApprovalInputSerializer(serializers.Serializer):
    case = serializers.CharField(max_length=32)
    kind = serializers.ChoiceField(choices=Approval.Kind.choices)
    reason = serializers.CharField(max_length=2000)
    restriction = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Restriction id."
    )
    promise = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Promise id."
    )
    rule_code = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=40
    )
    evidence = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=5000
    )
    expires_at = BoundedDateTimeField(required=False, allow_null=True, default=None)


class ApprovalOutputSerializer(serializers.Serializer):
    reference = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    case = serializers.CharField(source="case.reference")
    restriction = serializers.IntegerField(source="restriction_id", allow_null=True)
    promise = serializers.IntegerField(source="promise_id", allow_null=True)
    rule_code = serializers.CharField()
    evidence = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField()
    requested_by = serializers.CharField(source="requested_by.username")
    requested_at = serializers.DateTimeField()
    decided_by = serializers.CharField(
        source="decided_by.username", allow_null=True, default=None
    )
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_reason = serializers.CharField()


# --------------------------------------------------------------------------------------
# Reassignment and follow-ups
# --------------------------------------------------------------------------------------


class ReassignInputSerializer(serializers.Serializer):
    cases = serializers.ListField(
        child=serializers.CharField(max_length=32),
        allow_empty=False,
        min_length=1,
        max_length=MAX_REASSIGN,
        error_messages={"empty": REASSIGN_NO_CASES},
    )
    collector = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Username."
    )
    queue = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Queue code."
    )
    unassign = serializers.BooleanField(
        default=False, help_text="Back to the queue; not with a collector."
    )
    reason = serializers.CharField(
        max_length=500, error_messages={"blank": REASSIGN_NO_REASON}
    )

    # services.cases_reassign's rule across fields: a collector, a queue or
    # unassign, and not a collector and unassign. Blank is not chosen.
    schema_rules = {
        "anyOf": [
            {"required": ["collector"], "properties": {"collector": CHOSEN}},
            {"required": ["queue"], "properties": {"queue": CHOSEN}},
            {"required": ["unassign"], "properties": {"unassign": {"enum": [True]}}},
        ],
        "not": {
            "required": ["collector", "unassign"],
            "properties": {"collector": CHOSEN, "unassign": {"enum": [True]}},
        },
    }


class ReassignOutputSerializer(serializers.Serializer):
    moved = serializers.IntegerField()


class FollowUpSerializer(serializers.Serializer):
    reference = serializers.CharField()
    collector = serializers.CharField(source="collector.username")
    call = serializers.CharField(source="call.reference")
    reason = serializers.CharField()
    status = serializers.CharField()
    due_date = serializers.DateField()
    created_by = serializers.CharField(source="created_by.username")
    created_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)


class FollowUpStatusSerializer(serializers.Serializer):
    status = serializers.CharField(
        max_length=14, help_text="acknowledged (collector) or closed (supervisor)."
    )


# --------------------------------------------------------------------------------------
# Reports
# --------------------------------------------------------------------------------------


class PeriodInputSerializer(serializers.Serializer):
    start = BoundedDateField(required=False, allow_null=True, default=None)
    end = BoundedDateField(required=False, allow_null=True, default=None)
    days = serializers.IntegerField(
        required=False, min_value=1, max_value=366, default=30
    )
    team = serializers.IntegerField(required=False, allow_null=True, default=None)

    def validate(self, data):
        """The chosen period (`period`, None for the last `days`), by the page's
        rules (selectors.Period.problems)."""
        period = selectors.Period.chosen(data.get("start"), data.get("end"))
        if period is not None and (problems := period.problems()):
            raise serializers.ValidationError(
                {name: [str(problem)] for name, problem in problems.items()}
            )
        return {**data, "period": period}


class CollectorFiguresSerializer(serializers.Serializer):
    collector = serializers.CharField()
    name = serializers.CharField()
    attempts = serializers.IntegerField()
    right_party_contacts = serializers.IntegerField()
    promises = serializers.IntegerField()
    promises_kept = serializers.IntegerField()
    promises_broken = serializers.IntegerField()
    promise_kept_rate = serializers.FloatField(allow_null=True)
    amount_collected = serializers.DecimalField(**MONEY)
    plans_agreed = serializers.IntegerField()
    average_handling_seconds = serializers.IntegerField(allow_null=True)
    reviews = serializers.IntegerField()
    qa_score = serializers.FloatField(allow_null=True)
    compliance_blocks = serializers.IntegerField()
    flagged_calls = serializers.IntegerField()


class TeamReportSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    team = serializers.CharField(allow_null=True)
    collectors = CollectorFiguresSerializer(many=True)
    total = CollectorFiguresSerializer()
    compliance_blocks_by_reason = serializers.DictField(
        child=serializers.IntegerField()
    )
    roll_rates = serializers.DictField(help_text="Empty without bucket snapshots.")
    computed_at = serializers.DateTimeField(
        help_text="When the figures were computed (they are cached briefly)."
    )
