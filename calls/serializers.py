"""API shapes for cases, calls, promises and repayment plans (collector work).

Input serializers only parse; the rules live in calls.services and cases.services.
Customer PII leaves masked (cases.masking); rows are named by public reference.
"""

from __future__ import annotations

from rest_framework import serializers

from cases.masking import mask_contact, mask_national_id
from cases.models import Customer, PromiseToPay, RepaymentPlan
from cases.serializers import ContactPointRefSerializer
from core.api import MONEY, BoundedDateField, BoundedDateTimeField

from .models import CallLog

# --------------------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------------------


class MaskedCustomerSerializer(serializers.Serializer):
    reference = serializers.CharField()
    full_name = serializers.CharField()
    national_id = serializers.SerializerMethodField(help_text="Masked.")
    language = serializers.CharField()
    phones = serializers.SerializerMethodField(help_text="Masked phone numbers.")
    contact_points = ContactPointRefSerializer(many=True)

    def get_national_id(self, customer: Customer) -> str:
        return mask_national_id(customer.national_id) if customer.national_id else ""

    def get_phones(self, customer: Customer) -> list[str]:
        return [
            mask_contact(p.channel, p.value)
            for p in customer.contact_points.all()
            if p.channel == "phone"
        ]


class OverdueSummarySerializer(serializers.Serializer):
    overdue_amount = serializers.DecimalField(**MONEY)
    currency = serializers.CharField()
    days_past_due = serializers.IntegerField(source="max_days_past_due")
    bucket = serializers.CharField()


class CaseOutputSerializer(serializers.Serializer):
    reference = serializers.CharField()
    status = serializers.CharField()
    customer = MaskedCustomerSerializer()
    overdue = OverdueSummarySerializer(source="*")
    priority = serializers.IntegerField()
    queue = serializers.CharField(source="queue.code", allow_null=True, default=None)
    assigned_to = serializers.CharField(
        source="assigned_to.username", allow_null=True, default=None
    )
    next_action_at = serializers.DateTimeField(allow_null=True)
    # The call queue's next action time and why (decision 42): "next" hands the case
    # out no earlier.
    next_call_at = serializers.DateTimeField(allow_null=True)
    next_call_reason = serializers.CharField()
    last_contact_at = serializers.DateTimeField(allow_null=True)
    opened_at = serializers.DateTimeField()


class LoanSummarySerializer(serializers.Serializer):
    reference = serializers.CharField()
    product = serializers.CharField()
    currency = serializers.CharField()
    outstanding_balance = serializers.DecimalField(**MONEY)
    overdue_amount = serializers.DecimalField(**MONEY)
    days_past_due = serializers.IntegerField()
    bucket = serializers.CharField()
    status = serializers.CharField()


class CaseDetailSerializer(CaseOutputSerializer):
    loans = LoanSummarySerializer(many=True, source="customer.loans")


class ClaimedCaseSerializer(serializers.Serializer):
    """POST cases/next/: the case claimed and how long the claim lasts."""

    reference = serializers.CharField(source="case.reference")
    customer = MaskedCustomerSerializer(source="case.customer")
    overdue = OverdueSummarySerializer(source="case")
    task_reason = serializers.CharField(source="reason")
    claimed_until = serializers.DateTimeField()


# --------------------------------------------------------------------------------------
# Calls
# --------------------------------------------------------------------------------------


class CallInputSerializer(serializers.Serializer):
    case = serializers.CharField(max_length=32, help_text="Case reference.")
    contact_point = serializers.CharField(
        max_length=320,
        help_text="The phone called: the contact point's id (`cp_…`, given beside "
        "every masked value) or its number (E.164 or local form).",
    )
    started_at = BoundedDateTimeField()
    ended_at = BoundedDateTimeField(required=False, allow_null=True, default=None)
    outcome = serializers.ChoiceField(choices=CallLog.Outcome.choices)
    identity_confirmed = serializers.BooleanField()
    disclosure_made = serializers.BooleanField()
    right_party_contact = serializers.BooleanField(
        required=False, allow_null=True, default=None
    )
    attitude = serializers.ChoiceField(
        choices=CallLog.Attitude.choices, default=CallLog.Attitude.UNKNOWN
    )
    notes = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=10000
    )
    callback_at = BoundedDateTimeField(required=False, allow_null=True, default=None)


class CallOutputSerializer(serializers.Serializer):
    reference = serializers.CharField()
    case = serializers.CharField(source="case.reference")
    contact_point = serializers.SerializerMethodField(help_text="Masked.")
    contact_point_id = serializers.CharField(source="contact_point.public_id")
    collector = serializers.CharField(
        source="collector.username", allow_null=True, default=None
    )
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    duration_seconds = serializers.IntegerField()
    outcome = serializers.CharField()
    right_party_contact = serializers.BooleanField()
    identity_confirmed = serializers.BooleanField()
    disclosure_made = serializers.BooleanField()
    attitude = serializers.CharField()
    notes = serializers.CharField()
    notes_flagged = serializers.BooleanField()
    callback_at = serializers.DateTimeField(allow_null=True)

    def get_contact_point(self, call: CallLog) -> str:
        return mask_contact(call.contact_point.channel, call.contact_point.value)


# --------------------------------------------------------------------------------------
# Promises and plans
# --------------------------------------------------------------------------------------


class PromiseInputSerializer(serializers.Serializer):
    case = serializers.CharField(max_length=32)
    amount = serializers.DecimalField(**MONEY)
    due_date = BoundedDateField()
    loan = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default=""
    )
    supersede = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Confirms that the promise replaces the case's arrangement in "
        "force (a pending promise, a proposed or active plan), which is cancelled.",
    )
    supersede_reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200
    )


class PromiseOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.CharField(source="case.reference")
    loan = serializers.CharField(source="loan.reference", allow_null=True, default=None)
    amount = serializers.DecimalField(**MONEY)
    currency = serializers.CharField()
    due_date = serializers.DateField()
    status = serializers.ChoiceField(choices=PromiseToPay.Status.choices)
    made_at = serializers.DateTimeField()


class PlanInstalmentInputSerializer(serializers.Serializer):
    due_date = BoundedDateField()
    amount = serializers.DecimalField(**MONEY)


class PlanInputSerializer(serializers.Serializer):
    case = serializers.CharField(max_length=32)
    kind = serializers.ChoiceField(choices=RepaymentPlan.Kind.choices)
    # An empty schedule reaches the service, which says what is wrong with it.
    instalments = PlanInstalmentInputSerializer(many=True, allow_empty=True)
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000
    )
    requested_by_customer = serializers.BooleanField(required=False, default=False)
    supersede = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Confirms that the plan replaces the case's arrangement in force "
        "(cancelled when this plan becomes active).",
    )


class PlanInstalmentOutputSerializer(serializers.Serializer):
    sequence = serializers.IntegerField()
    due_date = serializers.DateField()
    amount = serializers.DecimalField(**MONEY)


class PlanOutputSerializer(serializers.Serializer):
    reference = serializers.CharField()
    case = serializers.CharField(source="case.reference")
    kind = serializers.CharField()
    status = serializers.CharField()
    total_amount = serializers.DecimalField(**MONEY)
    currency = serializers.CharField()
    reason = serializers.CharField()
    requested_by_customer = serializers.BooleanField()
    outside_terms = serializers.SerializerMethodField(
        help_text="Where the plan is beyond its products' arrangement terms (then "
        "a supervisor decides); empty within them."
    )
    supersedes = serializers.BooleanField()
    instalments = PlanInstalmentOutputSerializer(many=True)
    created_at = serializers.DateTimeField()

    def get_outside_terms(self, plan) -> list[str]:
        return [line for line in plan.outside_terms.splitlines() if line]


class SkipInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=200, help_text="Why you skip the case (kept in its history)."
    )
