"""Admin API for integration tokens and webhook subscriptions (/api/v1/).

Tokens are issued and revoked by a signed-in admin only: a token cannot mint tokens.
Webhook subscriptions are for admins, by session or with a `webhooks:manage` token.
"""

from __future__ import annotations

import django_filters
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import errors, parse
from core.permissions import ROLE_PERMISSIONS, require_admin
from messaging.models import OutboundMessage

from . import selectors, services
from .models import IntegrationToken, WebhookSubscription
from .permissions import NoIntegrationToken
from .serializers import (
    DeliveryOutputSerializer,
    IssuedTokenSerializer,
    SubscriptionCreatedSerializer,
    SubscriptionInputSerializer,
    SubscriptionOutputSerializer,
    SubscriptionUpdateSerializer,
    TokenInputSerializer,
    TokenOutputSerializer,
)

TOKEN_PERMISSIONS = [IsAuthenticated, NoIntegrationToken]


class AdminOnlyMixin:
    """Admins only, for every method (lists included)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        require_admin(request)


# --------------------------------------------------------------------------------------
# Integration tokens
# --------------------------------------------------------------------------------------


class TokenFilter(django_filters.FilterSet):
    user = django_filters.CharFilter(field_name="user__username")
    active = django_filters.BooleanFilter(method="filter_active", label="Usable now")
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = IntegrationToken
        fields = ["user", "active", "name"]

    def filter_active(self, queryset, name, value):
        usable = IntegrationToken.objects.usable().values("pk")
        return (
            queryset.filter(pk__in=usable) if value else queryset.exclude(pk__in=usable)
        )


class TokenListCreateApi(AdminOnlyMixin, generics.ListAPIView):
    permission_classes = TOKEN_PERMISSIONS
    serializer_class = TokenOutputSerializer
    filterset_class = TokenFilter
    ordering_fields = ["created_at", "last_used_at", "name"]
    ordering = ["-created_at"]

    def get_queryset(self):
        return selectors.token_list()

    @extend_schema(
        operation_id="integration_tokens_list",
        summary="Integration tokens, revoked ones included (admin, signed in)",
        responses={200: TokenOutputSerializer(many=True)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="integration_tokens_create",
        summary="Issue a token; the answer carries the secret, once (admin)",
        request=TokenInputSerializer,
        responses={201: IssuedTokenSerializer, **errors(400, 403, 404)},
    )
    def post(self, request: Request) -> Response:
        data = parse(TokenInputSerializer, request.data)
        username = data.get("user")
        issued = services.token_create(
            name=data["name"],
            user=selectors.token_user(username=username) if username else request.user,
            scopes=data["scopes"],
            created_by=request.user,
            expires_at=data.get("expires_at"),
            rate=data["rate"],
        )
        token = selectors.token_list().get(pk=issued.token.pk)
        token.token = issued.secret
        body = IssuedTokenSerializer(token).data
        return Response(body, status=status.HTTP_201_CREATED)


def _token(prefix: str) -> IntegrationToken:
    token = selectors.token_list().filter(prefix=prefix).first()
    if token is None:
        raise Http404("No such token.")
    return token


class TokenDetailApi(AdminOnlyMixin, APIView):
    permission_classes = TOKEN_PERMISSIONS

    @extend_schema(
        operation_id="integration_tokens_retrieve",
        responses={200: TokenOutputSerializer, **errors(403, 404)},
    )
    def get(self, request: Request, prefix: str) -> Response:
        return Response(TokenOutputSerializer(_token(prefix)).data)


class TokenRevokeApi(AdminOnlyMixin, APIView):
    permission_classes = TOKEN_PERMISSIONS

    @extend_schema(
        operation_id="integration_tokens_revoke",
        summary="Revoke a token at once (admin)",
        request=None,
        responses={200: TokenOutputSerializer, **errors(403, 404, 409)},
    )
    def post(self, request: Request, prefix: str) -> Response:
        services.token_revoke(token=_token(prefix), user=request.user)
        return Response(TokenOutputSerializer(_token(prefix)).data)


# --------------------------------------------------------------------------------------
# Webhook subscriptions
# --------------------------------------------------------------------------------------


class SubscriptionFilter(django_filters.FilterSet):
    active = django_filters.BooleanFilter()
    event = django_filters.ChoiceFilter(
        choices=WebhookSubscription.Event.choices, method="filter_event"
    )

    class Meta:
        model = WebhookSubscription
        fields = ["active", "event"]

    def filter_event(self, queryset, name, value):
        # Few rows; SQLite has no JSON `contains`.
        ids = [s.pk for s in queryset.only("pk", "events") if value in (s.events or [])]
        return queryset.filter(pk__in=ids)


class SubscriptionListCreateApi(AdminOnlyMixin, generics.ListAPIView):
    permission_classes = ROLE_PERMISSIONS
    required_scopes = {"GET": "webhooks:manage", "POST": "webhooks:manage"}
    serializer_class = SubscriptionOutputSerializer
    filterset_class = SubscriptionFilter
    ordering_fields = ["created_at", "name"]
    ordering = ["-created_at"]

    def get_queryset(self):
        return selectors.subscription_list()

    @extend_schema(
        operation_id="webhook_subscriptions_list",
        summary="Webhook subscriptions (admin)",
        responses={200: SubscriptionOutputSerializer(many=True)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="webhook_subscriptions_create",
        summary="Subscribe a URL to events; the answer carries the secret, once",
        request=SubscriptionInputSerializer,
        responses={201: SubscriptionCreatedSerializer, **errors(400, 403)},
    )
    def post(self, request: Request) -> Response:
        data = parse(SubscriptionInputSerializer, request.data)
        subscription = services.subscription_create(**data, user=request.user)
        body = SubscriptionCreatedSerializer(subscription).data
        return Response(body, status=status.HTTP_201_CREATED)


def _subscription(reference: str) -> WebhookSubscription:
    subscription = selectors.subscription_list().filter(reference=reference).first()
    if subscription is None:
        raise Http404("No such webhook subscription.")
    return subscription


class SubscriptionDetailApi(AdminOnlyMixin, APIView):
    permission_classes = ROLE_PERMISSIONS
    required_scopes = {
        "GET": "webhooks:manage",
        "PATCH": "webhooks:manage",
        "DELETE": "webhooks:manage",
    }

    @extend_schema(
        operation_id="webhook_subscriptions_retrieve",
        responses={200: SubscriptionOutputSerializer, **errors(403, 404)},
    )
    def get(self, request: Request, reference: str) -> Response:
        return Response(SubscriptionOutputSerializer(_subscription(reference)).data)

    @extend_schema(
        operation_id="webhook_subscriptions_update",
        summary="Change a subscription's URL, events, secret or active flag",
        request=SubscriptionUpdateSerializer,
        responses={200: SubscriptionOutputSerializer, **errors(400, 403, 404)},
    )
    def patch(self, request: Request, reference: str) -> Response:
        subscription = _subscription(reference)
        data = parse(SubscriptionUpdateSerializer, request.data)
        if not data.get("secret"):
            data.pop("secret", None)
        subscription = services.subscription_update(
            subscription=subscription, user=request.user, **data
        )
        return Response(SubscriptionOutputSerializer(subscription).data)

    @extend_schema(
        operation_id="webhook_subscriptions_destroy",
        summary="Switch a subscription off (kept: its deliveries refer to it)",
        responses={
            204: OpenApiResponse(description="Switched off."),
            **errors(403, 404),
        },
    )
    def delete(self, request: Request, reference: str) -> Response:
        services.subscription_deactivate(
            subscription=_subscription(reference), user=request.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class DeliveryFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=OutboundMessage.Status.choices)
    event = django_filters.ChoiceFilter(
        field_name="subject", choices=WebhookSubscription.Event.choices
    )

    class Meta:
        model = OutboundMessage
        fields = ["status", "event"]


class DeliveryListApi(AdminOnlyMixin, generics.ListAPIView):
    permission_classes = ROLE_PERMISSIONS
    required_scopes = {"GET": "webhooks:manage"}
    serializer_class = DeliveryOutputSerializer
    filterset_class = DeliveryFilter
    ordering_fields = ["created_at", "send_after"]
    ordering = ["-created_at"]

    def get_queryset(self):
        reference = self.kwargs.get("reference", "")
        if getattr(self, "swagger_fake_view", False):
            return OutboundMessage.objects.none()
        return selectors.delivery_list(subscription=_subscription(reference))

    @extend_schema(
        operation_id="webhook_subscriptions_deliveries",
        summary="A subscription's deliveries: status, attempts, last error",
        responses={200: DeliveryOutputSerializer(many=True)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class RedeliverInputSerializer(serializers.Serializer):
    delivery = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="One delivery's key; leave out to requeue every dead delivery.",
    )


class RedeliverApi(AdminOnlyMixin, APIView):
    permission_classes = ROLE_PERMISSIONS
    required_scopes = {"POST": "webhooks:manage"}

    @extend_schema(
        operation_id="webhook_subscriptions_redeliver",
        summary="Queue dead deliveries again (after fixing the receiver)",
        request=RedeliverInputSerializer,
        responses={
            200: inline_serializer(
                "RedeliverResult", fields={"requeued": serializers.IntegerField()}
            ),
            **errors(400, 403, 404, 409),
        },
    )
    def post(self, request: Request, reference: str) -> Response:
        data = parse(RedeliverInputSerializer, request.data)
        count = services.deliveries_redeliver(
            subscription=_subscription(reference),
            delivery=data["delivery"],
            user=request.user,
        )
        return Response({"requeued": count})
