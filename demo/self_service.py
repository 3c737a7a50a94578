"""The demo's SMS reminder carries the customer's self-service link (issue 21: a
reminder in `make run`'s demo carries a working link). A new version of the standard
`overdue-sms` template in each language, through the template service and its content
check, as an admin would write it; the dispatcher issues each message its own link
when it renders the text (decision 50)."""

from __future__ import annotations

from messaging.models import MessageTemplate
from messaging.services.templates import template_activate, template_draft_create

from .data import DemoRun

LINK = {
    "zh-hans": "查看账户、申请还款安排：{{ self_service_link }}",
    "en": "See your account or ask for an arrangement: {{ self_service_link }}",
}


def seed_self_service_sms(run: DemoRun) -> None:
    admin = run.users["admin"]
    for language, line in LINK.items():
        live = MessageTemplate.objects.get(
            code="overdue-sms", channel="sms", language=language, status="active"
        )
        body = live.body.replace("{{ opt_out }}", "").rstrip()
        gap = "" if language == "zh-hans" else " "
        draft = template_draft_create(
            code=live.code,
            channel=live.channel,
            language=language,
            subject=live.subject,
            body=f"{body}{gap}{line} {{{{ opt_out }}}}",
            user=admin,
            reason="demo: the self-service link in the SMS reminder",
        )
        template_activate(template=draft, user=admin)
    run.counts["sms with link"] = "overdue-sms v2 (zh-hans, en)"
