import pytest
from django.urls import reverse

from core.errors import ApplicationError
from messaging import services
from messaging.models import MessageTemplate
from tests.messaging.factories import MessageTemplateFactory

pytestmark = pytest.mark.django_db


def test_a_threatening_template_cannot_be_activated():
    template = MessageTemplateFactory(
        status="draft", body="{{ name }}，再不还款就把你列入黑名单，通知你单位。"
    )
    with pytest.raises(ApplicationError) as exc:
        services.template_activate(template=template)
    assert exc.value.code == "content_prohibited"
    assert "黑名单" in " ".join(exc.value.errors["body"])
    template.refresh_from_db()
    assert template.status == "draft"


def test_activating_a_clean_version_retires_the_live_one():
    live = MessageTemplate.objects.get(code="overdue-sms", language="zh-hans")
    draft = MessageTemplate.objects.create(
        code="overdue-sms",
        channel="sms",
        language="zh-hans",
        version=2,
        body="{{ name }}您好，您的贷款已逾期，请致电{{ hotline }}。",
    )
    services.template_activate(template=draft)
    live.refresh_from_db()
    assert (live.status, draft.status) == ("retired", "active")
    assert live.history.first().history_change_reason == "replaced by v2"


def test_the_admin_refuses_to_activate_a_template_that_fails_the_check(
    client, admin_user
):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:messaging_messagetemplate_add"),
        {
            "code": "bad",
            "channel": "sms",
            "language": "en",
            "version": 1,
            "status": "active",
            "subject": "",
            "html_body": "",
            "body": "Pay now or we send the police to your home. {{ customer.id }}",
        },
    )
    assert response.status_code == 200  # the form again, with errors
    assert not MessageTemplate.objects.filter(code="bad").exists()
    errors = str(response.context["adminform"].form.errors)
    assert "Unknown variable" in errors
