from django.urls import path

from . import apis

urlpatterns = [
    path("webhooks/sms/", apis.SmsWebhookApi.as_view(), name="webhook-sms"),
    path(
        "outbound-messages/",
        apis.OutboundMessageListApi.as_view(),
        name="outbound-messages",
    ),
]
