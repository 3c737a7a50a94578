"""Reads for the integrations admin API."""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from core.errors import not_found
from messaging.models import OutboundMessage

from .models import IntegrationToken, WebhookSubscription

NO_ACTIVE_USER = gettext_lazy("No active user with reference %(reference)r.")


def token_list() -> QuerySet[IntegrationToken]:
    return IntegrationToken.objects.select_related("user", "created_by")


def token_user(*, username: str):
    """The active user a new token acts as; an unknown or inactive one is the API's
    404 for a reference (docs/api.md), naming the field."""
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise not_found("user", NO_ACTIVE_USER, username)
    return user


def subscription_list() -> QuerySet[WebhookSubscription]:
    return WebhookSubscription.objects.all()


def delivery_list(*, subscription: WebhookSubscription) -> QuerySet[OutboundMessage]:
    return OutboundMessage.objects.select_related("case", "customer").filter(
        webhook_subscription=subscription, channel=OutboundMessage.Channel.WEBHOOK
    )
