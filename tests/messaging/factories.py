import factory
from django.utils import timezone

from messaging.models import MessageTemplate, OutboundMessage
from tests.cases.factories import CaseFactory, ContactPointFactory


class MessageTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MessageTemplate

    code = factory.Sequence(lambda n: f"reminder-{n}")
    channel = MessageTemplate.Channel.SMS
    language = "zh-hans"
    status = MessageTemplate.Status.ACTIVE
    body = (
        "【示例银行】{{ name }}您好，您尾号{{ account }}的贷款已逾期，"
        "逾期金额{{ overdue_amount }}。{{ opt_out }}"
    )


class OutboundMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboundMessage

    case = factory.SubFactory(CaseFactory)
    customer = factory.SelfAttribute("case.customer")
    contact_point = factory.SubFactory(
        ContactPointFactory, customer=factory.SelfAttribute("..customer")
    )
    channel = "sms"
    body = "Your payment is overdue. Call 400-820-0000."
    idempotency_key = factory.Sequence(lambda n: f"test-key-{n}")
    send_after = factory.LazyFunction(timezone.now)
