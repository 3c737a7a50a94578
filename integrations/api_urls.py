"""API endpoints of the integrations app under /api/v1/ (namespace "api")."""

from django.urls import path

from . import apis

urlpatterns = [
    path(
        "integration-tokens/",
        apis.TokenListCreateApi.as_view(),
        name="integration-tokens",
    ),
    path(
        "integration-tokens/<str:prefix>/",
        apis.TokenDetailApi.as_view(),
        name="integration-token-detail",
    ),
    path(
        "integration-tokens/<str:prefix>/revoke/",
        apis.TokenRevokeApi.as_view(),
        name="integration-token-revoke",
    ),
    path(
        "webhook-subscriptions/",
        apis.SubscriptionListCreateApi.as_view(),
        name="webhook-subscriptions",
    ),
    path(
        "webhook-subscriptions/<str:reference>/",
        apis.SubscriptionDetailApi.as_view(),
        name="webhook-subscription-detail",
    ),
    path(
        "webhook-subscriptions/<str:reference>/deliveries/",
        apis.DeliveryListApi.as_view(),
        name="webhook-subscription-deliveries",
    ),
    path(
        "webhook-subscriptions/<str:reference>/redeliver/",
        apis.RedeliverApi.as_view(),
        name="webhook-subscription-redeliver",
    ),
]
