"""Reference data the escalation app installs: reminder templates (zh-hans, en) and
the standard ladder SMS day 1 -> email 2 days later -> call task 4 days after that ->
supervisor review at 60 DPD -> legal referral at 90 DPD. Admins change it from there;
an installation that already has a default policy is left alone.

Also the approval authority matrix's default rows (decision 48). Called by the data
migrations (messaging 0004, escalation 0003) and by the test set-up (tests/conftest.py),
so both install the same thing.
"""

# The templates' text as the migration first installed it (wide characters count
# twice toward the line length).
# ruff: noqa: E501

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_noop as N_

# Names and descriptions are stored in English; pages show the seeded ones in the
# reader's language until an admin renames them (`{{ name|seeded }}`, core_tags).

TEMPLATES = [
    (
        "overdue-sms",
        "sms",
        "zh-hans",
        "",
        "【示例银行】{{ name }}您好，您尾号{{ account }}的贷款已逾期{{ days_past_due }}天，"
        "逾期金额{{ overdue_amount }}。请尽快还款，如有困难可致电{{ hotline }}协商还款安排。"
        "{{ opt_out }}",
        "",
    ),
    (
        "overdue-sms",
        "sms",
        "en",
        "",
        "Example Bank: {{ name }}, your loan account {{ account }} is {{ days_past_due }} "
        "days overdue ({{ overdue_amount }}). Please pay, or call {{ hotline }} to agree "
        "a repayment arrangement. {{ opt_out }}",
        "",
    ),
    (
        "overdue-email",
        "email",
        "zh-hans",
        "贷款逾期提醒（尾号{{ account }}）",
        "{{ name }}您好：\n\n您尾号{{ account }}的贷款自{{ overdue_since }}起逾期，"
        "当前逾期金额为{{ overdue_amount }}。逾期可能产生罚息并影响您的个人征信记录。\n\n"
        "如您在还款方面有困难，请致电{{ hotline }}，我们可以与您协商分期或延期还款方案。\n\n"
        "示例银行\n{{ opt_out }}",
        "<p>{{ name }}您好：</p><p>您尾号{{ account }}的贷款自{{ overdue_since }}起逾期，"
        "当前逾期金额为<strong>{{ overdue_amount }}</strong>。逾期可能产生罚息并影响您的"
        "个人征信记录。</p><p>如您在还款方面有困难，请致电{{ hotline }}协商还款方案。</p>"
        "<p>示例银行</p><p><small>{{ opt_out }}</small></p>",
    ),
    (
        "overdue-email",
        "email",
        "en",
        "Your loan account {{ account }} is overdue",
        "Dear {{ name }},\n\nYour loan account {{ account }} has been overdue since "
        "{{ overdue_since }}; the overdue amount is {{ overdue_amount }}. Late payment "
        "may incur charges and be reported to credit reference agencies.\n\nIf you are "
        "having difficulty paying, call {{ hotline }} and we will discuss instalments or "
        "a deferral with you.\n\nExample Bank\n{{ opt_out }}",
        "<p>Dear {{ name }},</p><p>Your loan account {{ account }} has been overdue since "
        "{{ overdue_since }}; the overdue amount is <strong>{{ overdue_amount }}</strong>."
        "</p><p>If you are having difficulty paying, call {{ hotline }} to discuss a "
        "repayment arrangement.</p><p>Example Bank</p><p><small>{{ opt_out }}</small></p>",
    ),
]

STEPS = [
    # order, name, trigger, days, action, template
    (1, N_("SMS reminder"), "dpd", 1, "sms", "overdue-sms"),
    (2, N_("Email notice"), "after_previous", 2, "email", "overdue-email"),
    (3, N_("Phone call"), "after_previous", 4, "call_task", ""),
    (4, N_("Supervisor review"), "dpd", 60, "supervisor_review", ""),
    (5, N_("Legal referral"), "dpd", 90, "legal_referral", ""),
]


def default_ladder_install(apps) -> None:
    """Install the reminder templates and the standard ladder with `apps`' models
    (a migration's historical ones, or the live registry in the test set-up).
    Idempotent: templates that exist are kept, and so is any default policy."""
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    EscalationPolicy = apps.get_model("cases", "EscalationPolicy")
    EscalationStep = apps.get_model("cases", "EscalationStep")
    for code, channel, language, subject, body, html in TEMPLATES:
        MessageTemplate.objects.get_or_create(
            code=code,
            channel=channel,
            language=language,
            version=1,
            defaults={
                "status": "active",
                "subject": subject,
                "body": body,
                "html_body": html,
            },
        )
    if EscalationPolicy.objects.filter(is_default=True).exists():
        return
    policy = EscalationPolicy.objects.create(
        code="standard",
        version=1,
        name=N_("Standard ladder"),
        status="active",
        is_default=True,
        description=N_(
            "SMS, then email, then a call; supervisor review at 60 DPD and "
            "legal referral at 90 DPD. Skipped while a promise or plan is in good standing."
        ),
    )
    for order, name, trigger, days, action, template in STEPS:
        EscalationStep.objects.create(
            policy=policy,
            order=order,
            name=name,
            trigger=trigger,
            trigger_days=days,
            action=action,
            template_code=template,
        )


# role, kind, largest amount, largest share of the balance (%)
APPROVAL_AUTHORITY_DEFAULTS = [
    ("collector", "settlement", "1000.00", "10.00"),
    ("supervisor", "settlement", "20000.00", "30.00"),
    ("admin", "settlement", "200000.00", "60.00"),
    ("collector", "write_off", "0.00", "0.00"),
    ("supervisor", "write_off", "10000.00", "100.00"),
    ("admin", "write_off", "500000.00", "100.00"),
]


def approval_authority_install(apps) -> None:
    """The default approval authority rows (decision 48), each with its first
    history row; idempotent (the migration and the test set-up both run it)."""
    Authority = apps.get_model("escalation", "ApprovalAuthority")
    History = apps.get_model("escalation", "HistoricalApprovalAuthority")
    now = timezone.now()
    for role, kind, amount, percent in APPROVAL_AUTHORITY_DEFAULTS:
        row, created = Authority.objects.get_or_create(
            role=role,
            kind=kind,
            defaults={"max_amount": Decimal(amount), "max_percent": Decimal(percent)},
        )
        if created:
            History.objects.create(
                id=row.pk,
                role=row.role,
                kind=row.kind,
                max_amount=row.max_amount,
                max_percent=row.max_percent,
                updated_at=row.updated_at,
                history_date=now,
                history_type="+",
                history_change_reason="default authority",
            )
