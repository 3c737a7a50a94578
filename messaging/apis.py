"""Provider webhooks and read access to the outbox."""

import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.masking import mask_contact
from core.api import ErrorSerializer
from core.errors import ApplicationError
from core.parsers import JsonTooDeep, json_parse
from core.permissions import ROLE_PERMISSIONS

from . import selectors
from .models import MessageTemplate, OutboundMessage
from .webhooks import signature_verify, webhook_receive


class SmsWebhookApi(APIView):
    """Delivery receipts and inbound replies, HMAC-signed by the provider."""

    authentication_classes: list = []  # the signature is the authentication
    permission_classes = [AllowAny]

    @extend_schema(
        request=inline_serializer(
            "SmsWebhookEvent",
            fields={
                "type": serializers.ChoiceField(choices=["delivery", "inbound"]),
                "id": serializers.CharField(),
                "message_id": serializers.CharField(required=False),
                "reference": serializers.CharField(required=False),
                "status": serializers.ChoiceField(
                    choices=["delivered", "failed"], required=False
                ),
                "from": serializers.CharField(required=False),
                "text": serializers.CharField(required=False),
                "at": serializers.DateTimeField(required=False),
            },
        ),
        responses={
            200: inline_serializer(
                "SmsWebhookResult",
                fields={
                    "duplicate": serializers.BooleanField(),
                    "outcome": serializers.CharField(),
                },
            ),
            403: OpenApiResponse(
                ErrorSerializer, description="Missing or wrong X-Signature."
            ),
        },
    )
    def post(self, request: Request) -> Response:
        body = request.body
        signature_verify(body, request.headers.get("X-Signature", ""))
        try:
            payload = json_parse(body)
        except JsonTooDeep as exc:
            raise ApplicationError(str(exc), code="parse_error") from None
        except ValueError:
            raise ApplicationError(
                _("The body is not JSON."), code="parse_error"
            ) from None
        if not isinstance(payload, dict):
            raise ApplicationError(
                _("The body must be a JSON object."), code="parse_error"
            )
        event, created = webhook_receive(payload=payload)
        return Response({"duplicate": not created, "outcome": event.outcome})


class OutboundMessageOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.CharField(source="case.reference", allow_null=True)
    customer = serializers.CharField(source="customer.reference")
    channel = serializers.CharField()
    to = serializers.SerializerMethodField(help_text="Masked.")
    contact_point_id = serializers.CharField(source="contact_point.public_id")
    status = serializers.CharField()
    template = serializers.CharField(source="template.code", allow_null=True)
    step = serializers.CharField(source="step.name", allow_null=True)
    send_after = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    attempts = serializers.IntegerField()
    last_error = serializers.CharField()
    idempotency_key = serializers.CharField()

    def get_to(self, message) -> str:
        point = message.contact_point
        return mask_contact(point.channel, point.value)


class OutboundMessageFilter(django_filters.FilterSet):
    case = django_filters.CharFilter(field_name="case__reference")
    customer = django_filters.CharFilter(field_name="customer__reference")
    status = django_filters.ChoiceFilter(choices=OutboundMessage.Status.choices)
    channel = django_filters.ChoiceFilter(choices=MessageTemplate.Channel.choices)
    since = django_filters.IsoDateTimeFilter(field_name="send_after", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="send_after", lookup_expr="lt")

    class Meta:
        model = OutboundMessage
        fields = ["case", "customer", "status", "channel"]


class OutboundMessageListApi(generics.ListAPIView):
    """Reminders queued or sent for the cases you may see (addresses masked)."""

    permission_classes = ROLE_PERMISSIONS
    required_scopes = {"GET": "messages:read"}
    serializer_class = OutboundMessageOutputSerializer
    filterset_class = OutboundMessageFilter
    ordering_fields = ["send_after", "created_at"]
    ordering = ["-send_after"]

    def get_queryset(self):
        # Webhook events for integrations have their own list (integrations.apis).
        return selectors.outbound_message_list_for_user(user=self.request.user).exclude(
            channel=OutboundMessage.Channel.WEBHOOK
        )
