"""A formal overdue-notice letter on the demo's ladder (issue 17: `make run` shows
letters on the demo data). The standard ladder has no letter rung; the demo adds one
at 45 days past due the way an admin would: the letter templates (zh-hans, en) through
the template service and its content check, then a new version of the policy with the
letter rung, activated with a reason. The sweep `make run` starts with queues the
letters, the worker draws them to PDF after the send-time re-check, and the day's
print batch sends them (docs/escalation.md, "Letters").
"""

from __future__ import annotations

import dataclasses

from cases.models import EscalationPolicy
from escalation import services as policies
from messaging.services.templates import template_activate, template_draft_create

from .data import DemoRun

CODE = "formal-notice"
LETTER_DAYS = 45
TEMPLATES = [
    (
        "zh-hans",
        "逾期还款通知书",
        "{{ name }}您好：\n\n"
        "您尾号{{ account }}的贷款自{{ overdue_since }}起逾期，至今已逾期"
        "{{ days_past_due }}天，逾期金额为{{ overdue_amount }}。\n\n"
        "逾期将按借款合同计收逾期费用，并如实报送金融信用信息基础数据库。"
        "如您还款有困难，请致电{{ hotline }}，我们可以与您协商还款安排。\n\n"
        "如您已还款，请忽略本通知。\n\n示例银行 个人贷款催收部",
    ),
    (
        "en",
        "Notice of overdue payments",
        "Dear {{ name }},\n\n"
        "Your loan account {{ account }} has been overdue since {{ overdue_since }}, "
        "for {{ days_past_due }} days; the overdue amount is {{ overdue_amount }}.\n\n"
        "Late charges accrue under your loan contract and the overdue record is "
        "reported to the credit reference system. If you are having difficulty "
        "paying, call {{ hotline }} to discuss a repayment arrangement.\n\n"
        "If you have paid already, please ignore this notice.\n\n"
        "Example Bank, Retail Collections",
    ),
]


def seed_letter_rung(run: DemoRun) -> None:
    admin = run.users["admin"]
    why = "demo: formal notice letter at 45 DPD"
    for language, subject, body in TEMPLATES:
        template = template_draft_create(
            code=CODE,
            channel="letter",
            language=language,
            subject=subject,
            body=body,
            user=admin,
            reason=why,
        )
        template_activate(template=template, user=admin)
    live = EscalationPolicy.objects.get(is_default=True, status="active")
    steps = policies.policy_inputs(live)
    rung = next(
        (i for i, s in enumerate(steps) if s.trigger == "dpd" and s.trigger_days > 45),
        len(steps),
    )
    steps.insert(
        rung,
        policies.StepInput(
            order=0,
            name="Formal notice letter",
            trigger="dpd",
            trigger_days=LETTER_DAYS,
            action="letter",
            template=CODE,
        ),
    )
    steps = [
        dataclasses.replace(step, order=order) for order, step in enumerate(steps, 1)
    ]
    draft = policies.policy_create(
        code=live.code,
        name=live.name,
        description=live.description,
        steps=steps,
        user=admin,
        reason=why,
    )
    # Seeding is not a second admin approving a change: the demo installs its ladder
    # as the migrations install the standard one.
    policies.policy_activate(
        policy=draft, user=admin, approval_checked=True, reason=why
    )
    run.counts["letter rung"] = f"{live.code} v{draft.version}, {LETTER_DAYS} DPD"
