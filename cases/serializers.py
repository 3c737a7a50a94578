"""API input and output shapes for customers, loans and payments.

Input serializers only parse (types, lengths, choices); rules live in the services.
Output serializers mask PII (cases.masking) and name related rows by reference.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import MONEY, BoundedDateField, BoundedDateTimeField
from core.errors import ApplicationError

from . import services_intake
from .masking import mask_contact, mask_national_id
from .models import ContactPoint, Customer

# --------------------------------------------------------------------------------------
# Customers
# --------------------------------------------------------------------------------------


@extend_schema_field(
    {"type": "string", "enum": sorted(services_intake.COUNTRIES)},
    component_name="Country",
)
class CountryField(serializers.CharField):
    """An ISO 3166-1 alpha-2 code; the schema lists the codes the service accepts
    (any case is read)."""

    def to_internal_value(self, data) -> str:
        value = super().to_internal_value(data)
        return _as_field_error(services_intake.country_normalize, value)


@extend_schema_field(
    {"type": "string", "enum": ["", *sorted(services_intake.time_zones())]},
    component_name="TimeZone",
)
class TimeZoneField(serializers.CharField):
    """An IANA zone name, or blank; the schema lists the zones this server knows."""

    def __init__(self, **kwargs) -> None:
        super().__init__(max_length=64, allow_blank=True, **kwargs)

    def to_internal_value(self, data) -> str:
        value = super().to_internal_value(data)
        return _as_field_error(services_intake.time_zone_normalize, value)


class ContactPointInputSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=ContactPoint.Channel.choices)
    value = serializers.CharField(max_length=320)
    relationship = serializers.ChoiceField(
        choices=ContactPoint.Relationship.choices,
        default=ContactPoint.Relationship.SELF,
    )
    consent = serializers.BooleanField(default=True)
    contact_name = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )

    # The value's form follows the channel (services_intake.contact_value_normalize):
    # a phone number valid by libphonenumber, E.164 or national in the customer's
    # country ("phone" is this API's format name), an email address, a postal
    # address.
    schema_rules = {
        "oneOf": [
            {
                "properties": {
                    "channel": {"enum": [ContactPoint.Channel.PHONE]},
                    "value": {"type": "string", "format": "phone"},
                }
            },
            {
                "properties": {
                    "channel": {"enum": [ContactPoint.Channel.EMAIL]},
                    "value": {"type": "string", "format": "email"},
                }
            },
            {"properties": {"channel": {"enum": [ContactPoint.Channel.ADDRESS]}}},
        ]
    }


class CustomerSearchInputSerializer(serializers.Serializer):
    """Exact identifiers, in the body so they stay out of URLs and access logs.
    None given, or one no customer could have (not a phone number), matches
    nobody: a search, not a validation."""

    phone = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
        help_text="Any form the validators accept: +8613800138000, 138 0013 8000.",
    )
    national_id = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default=""
    )
    email = serializers.CharField(
        max_length=320, required=False, allow_blank=True, default=""
    )


class CustomerInputSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=64)
    full_name = serializers.CharField(max_length=200)
    # The country and zone fields check their format (the service repeats it), so
    # that one answer lists every bad field instead of the contact points first and
    # the country next time.
    country = CountryField(help_text="ISO 3166-1 alpha-2, e.g. CN, US, GB.")
    time_zone = TimeZoneField(
        required=False,
        default="",
        help_text="IANA zone, e.g. Asia/Shanghai; blank to derive it.",
    )
    region = serializers.CharField(
        max_length=32, required=False, allow_blank=True, default=""
    )
    language = serializers.ChoiceField(
        choices=Customer.Language.choices, required=False, allow_blank=True, default=""
    )
    address = serializers.CharField(required=False, allow_blank=True, default="")
    national_id = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default=""
    )
    contact_points = ContactPointInputSerializer(
        many=True, required=False, default=list
    )


def _as_field_error(normalize, value: str) -> str:
    try:
        return normalize(value)
    except ApplicationError as exc:
        raise serializers.ValidationError(exc.message) from None


class ContactPointRefSerializer(serializers.Serializer):
    """A contact point as every output names it: its public id, which inputs accept
    in place of the full value, and the masked value."""

    id = serializers.CharField(
        source="public_id", help_text="Stable id; accepted wherever a contact point is"
    )
    channel = serializers.CharField()
    relationship = serializers.CharField()
    value = serializers.SerializerMethodField(help_text="Masked.")
    is_primary = serializers.BooleanField()

    def get_value(self, point: ContactPoint) -> str:
        return mask_contact(point.channel, point.value)


class ContactPointOutputSerializer(serializers.Serializer):
    id = serializers.CharField(
        source="public_id", help_text="Stable id; accepted wherever a contact point is"
    )
    channel = serializers.CharField()
    value = serializers.SerializerMethodField(help_text="Masked.")
    relationship = serializers.CharField()
    is_primary = serializers.BooleanField()
    consent = serializers.BooleanField()
    opted_out = serializers.SerializerMethodField()
    invalid = serializers.SerializerMethodField()

    def get_value(self, point: ContactPoint) -> str:
        return mask_contact(point.channel, point.value)

    def get_opted_out(self, point: ContactPoint) -> bool:
        return point.opted_out_at is not None

    def get_invalid(self, point: ContactPoint) -> bool:
        return point.invalid_at is not None


class StatedTimeZoneInputSerializer(serializers.Serializer):
    time_zone = TimeZoneField(
        help_text="IANA zone the customer stated, e.g. America/Los_Angeles; "
        "blank to clear it.",
    )
    reason = serializers.CharField(
        max_length=500, help_text="What the customer said (kept in the history)."
    )


class CustomerOutputSerializer(serializers.Serializer):
    reference = serializers.CharField()
    full_name = serializers.CharField()
    national_id = serializers.SerializerMethodField(help_text="Masked.")
    country = serializers.CharField()
    region = serializers.CharField()
    time_zone = serializers.CharField(
        help_text="The zone the bank's records carry: one location signal."
    )
    stated_time_zone = serializers.CharField(
        help_text="A zone the customer stated: overrides every other signal."
    )
    language = serializers.CharField()
    address = serializers.SerializerMethodField(help_text="Masked.")
    contact_points = ContactPointOutputSerializer(many=True)
    created_at = serializers.DateTimeField()

    def get_national_id(self, customer: Customer) -> str:
        return mask_national_id(customer.national_id) if customer.national_id else ""

    def get_address(self, customer: Customer) -> str:
        return mask_contact("address", customer.address) if customer.address else ""


# --------------------------------------------------------------------------------------
# Loans
# --------------------------------------------------------------------------------------


class InstalmentInputSerializer(serializers.Serializer):
    due_date = BoundedDateField()
    amount = serializers.DecimalField(**MONEY)


class LoanInputSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=64)
    customer = serializers.CharField(max_length=64, help_text="Customer reference.")
    product = serializers.CharField(max_length=50)
    currency = serializers.CharField(max_length=3, help_text="ISO 4217, e.g. CNY.")
    principal = serializers.DecimalField(**MONEY)
    opened_on = BoundedDateField(required=False, allow_null=True, default=None)
    # An empty list reaches the service, which says what is wrong with it.
    instalments = InstalmentInputSerializer(many=True, allow_empty=True)


class InstalmentOutputSerializer(serializers.Serializer):
    sequence = serializers.IntegerField()
    due_date = serializers.DateField()
    amount = serializers.DecimalField(source="amount_due", **MONEY)
    paid_amount = serializers.DecimalField(source="amount_paid", **MONEY)


class LoanOutputSerializer(serializers.Serializer):
    reference = serializers.CharField()
    customer = serializers.CharField(source="customer.reference")
    product = serializers.CharField()
    currency = serializers.CharField()
    principal = serializers.DecimalField(**MONEY)
    outstanding_balance = serializers.DecimalField(**MONEY)
    overdue_amount = serializers.DecimalField(**MONEY)
    days_past_due = serializers.IntegerField()
    bucket = serializers.CharField()
    status = serializers.CharField()
    opened_on = serializers.DateField(allow_null=True)
    instalments = InstalmentOutputSerializer(many=True)


# --------------------------------------------------------------------------------------
# Payments
# --------------------------------------------------------------------------------------


class PaymentInputSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=64)
    loan = serializers.CharField(max_length=64, help_text="Loan reference.")
    amount = serializers.DecimalField(**MONEY)
    currency = serializers.CharField(max_length=3)
    received_at = BoundedDateTimeField()


class PaymentOutputSerializer(serializers.Serializer):
    reference = serializers.CharField()
    loan = serializers.CharField(source="loan.reference")
    amount = serializers.DecimalField(**MONEY)
    currency = serializers.CharField()
    received_at = serializers.DateTimeField()
    unallocated_amount = serializers.DecimalField(**MONEY)
    created_at = serializers.DateTimeField()


class CustomerSearchPageSerializer(serializers.Serializer):
    """One page of a customer search: the list's envelope (limit and offset)."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = CustomerOutputSerializer(many=True)
