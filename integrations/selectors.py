"""Reads for the integrations admin API."""

from django.db.models import QuerySet

from messaging.models import OutboundMessage

from .models import IntegrationToken, WebhookSubscription


def token_list() -> QuerySet[IntegrationToken]:
    return IntegrationToken.objects.select_related("user", "created_by")


def subscription_list() -> QuerySet[WebhookSubscription]:
    return WebhookSubscription.objects.all()


def delivery_list(*, subscription: WebhookSubscription) -> QuerySet[OutboundMessage]:
    return OutboundMessage.objects.select_related("case", "customer").filter(
        webhook_subscription=subscription, channel=OutboundMessage.Channel.WEBHOOK
    )
