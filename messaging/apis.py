"""Provider webhooks and read access to the outbox."""

import json

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from collections_app.errors import ApplicationError

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
            )
        },
    )
    def post(self, request: Request) -> Response:
        body = request.body
        signature_verify(body, request.headers.get("X-Signature", ""))
        try:
            payload = json.loads(body)
        except ValueError:
            raise ApplicationError(
                "The body is not JSON.", code="parse_error"
            ) from None
        if not isinstance(payload, dict):
            raise ApplicationError(
                "The body must be a JSON object.", code="parse_error"
            )
        event, created = webhook_receive(payload=payload)
        return Response({"duplicate": not created, "outcome": event.outcome})
