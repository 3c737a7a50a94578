import datetime as dt
import zoneinfo

import pytest

from cases.models import EscalationPolicy
from compliance.content import content_check
from escalation.sweep import escalation_sweep
from messaging import services, sms
from messaging.models import MessageTemplate, OutboundMessage
from messaging.rendering import template_validate
from tests.cases.factories import CaseFactory, ContactPointFactory, LoanFactory

pytestmark = pytest.mark.django_db
AT = dt.datetime(2026, 12, 1, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


def test_a_fresh_install_has_an_active_default_ladder_with_lint_clean_templates():
    policy = EscalationPolicy.objects.get(is_default=True, status="active")
    assert [s.action for s in policy.steps.order_by("order")] == [
        "sms",
        "email",
        "call_task",
        "supervisor_review",
        "legal_referral",
    ]
    templates = MessageTemplate.objects.filter(status="active")
    assert {(t.code, t.language) for t in templates} >= {
        ("overdue-sms", "zh-hans"),
        ("overdue-sms", "en"),
        ("overdue-email", "zh-hans"),
        ("overdue-email", "en"),
    }
    for t in templates:
        template_validate(subject=t.subject, body=t.body, html_body=t.html_body)
        assert content_check(f"{t.subject}\n{t.body}", t.language).ok


def test_the_default_ladder_sends_a_rendered_sms_in_the_customers_language():
    case = CaseFactory(
        max_days_past_due=3, customer__language="en", customer__full_name="Li Na"
    )
    LoanFactory(
        customer=case.customer, reference="L0000123456", overdue_amount="1500.00"
    )
    ContactPointFactory(customer=case.customer, value="+8613800138077")
    assert escalation_sweep(at=AT).created == 1
    sms.outbox.clear()
    services.outbox_dispatch(now=AT, backend=sms.LocmemBackend())
    [sent] = sms.outbox
    assert sent.to == "+8613800138077"
    assert sent.body.startswith("Example Bank: Li Na, your loan account ****3456 is 3")
    assert "1,500.00 CNY" in sent.body or "1500.00 CNY" in sent.body
    assert OutboundMessage.objects.get().status == "sent"
