"""Input and output shapes of the integrations API."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from messaging.models import OutboundMessage

from .models import IntegrationToken, WebhookSubscription
from .scopes import SCOPES

SCOPE_CHOICES = list(SCOPES)
EVENT_CHOICES = WebhookSubscription.Event.choices


class TokenInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=SCOPE_CHOICES), min_length=1
    )
    user = serializers.CharField(
        required=False,
        help_text="Username the token acts as (its role applies); default: you.",
    )
    expires_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="In the future; null or left out: the token does not expire.",
    )
    rate = serializers.RegexField(
        r"^\d+/(s|sec|second|m|min|minute|h|hour|d|day)$",
        required=False,
        allow_blank=True,
        default="",
        help_text="Requests per period for this token, e.g. 600/min; blank: default.",
    )


class TokenOutputSerializer(serializers.Serializer):
    prefix = serializers.CharField(help_text="The token's public reference.")
    name = serializers.CharField()
    user = serializers.CharField(source="user.username")
    created_by = serializers.CharField(
        source="created_by.username", allow_null=True, default=None
    )
    scopes = serializers.ListField(child=serializers.CharField())
    rate = serializers.CharField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)
    last_used_at = serializers.DateTimeField(allow_null=True)
    active = serializers.BooleanField(source="is_active")


class IssuedTokenSerializer(TokenOutputSerializer):
    token = serializers.CharField(
        help_text="The bearer value. Shown once: store it now; only a hash is kept."
    )


class SubscriptionInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    url = serializers.URLField(max_length=500)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_CHOICES), min_length=1
    )
    secret = serializers.CharField(
        required=False,
        allow_blank=True,
        min_length=16,
        max_length=128,
        help_text="Signing secret; generated when left out (then shown once).",
    )
    active = serializers.BooleanField(required=False, default=True)


class SubscriptionUpdateSerializer(SubscriptionInputSerializer):
    name = serializers.CharField(max_length=100, required=False)
    url = serializers.URLField(max_length=500, required=False)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_CHOICES),
        min_length=1,
        required=False,
    )
    active = serializers.BooleanField(required=False)


class SubscriptionOutputSerializer(serializers.Serializer):
    reference = serializers.CharField()
    name = serializers.CharField()
    url = serializers.URLField()
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_CHOICES))
    active = serializers.BooleanField()
    secret_hint = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(serializers.CharField())
    def get_secret_hint(self, obj: WebhookSubscription) -> str:
        return f"…{obj.secret[-4:]}"


class SubscriptionCreatedSerializer(SubscriptionOutputSerializer):
    secret = serializers.CharField(
        help_text="The signing secret. Shown once, at creation."
    )


class DeliveryOutputSerializer(serializers.Serializer):
    delivery = serializers.CharField(source="idempotency_key")
    event = serializers.CharField(source="subject")
    status = serializers.ChoiceField(choices=OutboundMessage.Status.choices)
    attempts = serializers.IntegerField()
    last_error = serializers.CharField()
    send_after = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    case = serializers.CharField(source="case.reference", allow_null=True, default=None)
    customer = serializers.CharField(source="customer.reference")


__all__ = [
    "DeliveryOutputSerializer",
    "IntegrationToken",
    "IssuedTokenSerializer",
    "SubscriptionCreatedSerializer",
    "SubscriptionInputSerializer",
    "SubscriptionOutputSerializer",
    "SubscriptionUpdateSerializer",
    "TokenInputSerializer",
    "TokenOutputSerializer",
]
