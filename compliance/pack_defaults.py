"""The shipped rule packs (cn, us, uk) as data, following
reference/compliance-catalogue.md. `rule_packs_install` writes them as RulePack rows
(for migration 0002 and the test set-up); admins then edit the rows
(compliance.services.rule_pack_update).

Each rule carries its citation so a decision can quote it. Values the catalogue marks
[P] are policy defaults, not legal requirements, and their citations say so.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop as N_

from .vocabulary import ALL_DAYS, THIRD_PARTY_ROLES, TIMED_CHANNELS


def _restrictions(**overrides: dict) -> dict:
    base = {
        "cease_communication": {
            "allowed_purposes": ["statutory_notice"],
            "citation": "Customer request to cease contact",
        },
        "dispute": {"allowed_purposes": [], "citation": "Dispute under investigation"},
        "attorney": {
            "allowed_purposes": [],
            "citation": "Customer represented; contact the representative",
        },
        "legal_hold": {
            "allowed_purposes": [],
            "citation": "Legal hold (bankruptcy, litigation)",
        },
        "breathing_space": {
            "allowed_purposes": ["statutory_notice"],
            "citation": "Debt respite (breathing space)",
        },
        "deceased": {
            "allowed_purposes": [],
            "citation": "Customer deceased; contact the estate only",
        },
        "vulnerability": {
            "allowed_purposes": [],
            "citation": "Vulnerable customer: specialist review first",
        },
        "channel_opt_out": {
            "allowed_purposes": [],
            "citation": "Customer opted out of this channel",
        },
    }
    for kind, values in overrides.items():
        base[kind] = {**base[kind], **values}
    return base


DEFAULT_PACKS: dict[str, dict[str, Any]] = {
    "cn": {
        "name": N_("China (banking)"),
        "description": (
            "CBA 2026 collection guideline, GB/T 2025 post-loan collection standard, "
            "2011 credit-card measures, PIPL and Civil Code."
        ),
        "parameters": {
            "time_zone": "Asia/Shanghai",
            "horizon_days": 30,
            "contact_window": {
                "enabled": True,
                "start": "08:00",
                "end": "22:00",
                "days": ALL_DAYS,
                "zones": "single",
                # Phone, visits and "other collection" (SMS/IM); email is not named
                # (catalogue 3.1, worked example 2: email stays available at 21:52).
                "channels": ["call", "sms", "visit"],
                # [P] The catalogue's worked example uses 10 minutes; 0 keeps the
                # regulatory edge (22:00) exact.
                "last_dial_buffer_minutes": 0,
                "citation": "CBA 2026 guideline; GB/T 2025 (no collection 22:00-08:00)",
            },
            # No regulatory blackout in China (catalogue 3.13): off by default.
            "holiday_blackout": {
                "enabled": False,
                "country": "CN",
                "subdivision": "",
                "channels": ["call", "visit"],
                "citation": "[P] policy holiday calendar",
            },
            "frequency_caps": [
                {
                    "id": "unanswered_per_point",
                    "channels": ["call"],
                    "max": 6,
                    "window": "calendar_day",
                    "days": 1,
                    "scope": "contact_point",
                    # A pending call may yet go unanswered: counted until completed.
                    "counted": ["pending", "not_connected", "no_answer", "voicemail"],
                    "citation": "CBA 2026 guideline (同一联系方式每日未接通不超过6次)",
                },
                {
                    "id": "conversations_per_debtor",
                    "channels": ["call"],
                    "max": 3,
                    "window": "calendar_day",
                    "days": 1,
                    "scope": "debtor",
                    # Stricter reading of GB/T's unit (catalogue 6): every connected
                    # call with the debtor, bank and agencies combined.
                    "counted": ["pending", "conversation"],
                    "citation": "GB/T 2025 (每日有效通话不超过3次, 含AI语音)",
                },
            ],
            "post_conversation_cooldown": {
                "enabled": False,
                "days": 7,
                "channels": ["call"],
                "citation": "",
            },
            # The cn caps are per contact point and per debtor and day; a callback
            # request lifts none of them (decision 38).
            "prior_consent": {
                "enabled": False,
                "caps": [],
                "cooldown": False,
                "max_days": 7,
                "citation": "",
            },
            "customer_preferences": {
                "enabled": True,
                "time_channels": TIMED_CHANNELS,
                "place_channels": ["call", "sms", "email", "letter", "visit"],
                "reply_to_inbound_once": True,
                "time_citation": "CBA 2026 guideline; GB/T 2025 (双方另有约定的除外："
                "尊重债务人约定的联系时间)",
                "place_citation": "CBA 2026 guideline (未经同意不得进入债务人工作场所)",
            },
            "third_party": {
                "allowed": True,
                "roles": ["spouse", "relative", "emergency_contact"],
                "purposes": ["location"],
                "only_when_unreachable": True,
                # 失联 (unreachable), concretely: no conversation with the debtor and
                # at least `unreachable_attempts` failed calls on every own phone in
                # the last `unreachable_days` days (or no usable own phone at all).
                "unreachable_attempts": 3,
                "unreachable_days": 7,
                "max_contacts_per_third_party": 0,
                "citation": "GB/T 2025; CBA 2026 (联系人仅限失联时询问联系方式或转告)",
            },
            "restrictions": _restrictions(
                deceased={
                    "allowed_purposes": [],
                    "third_party_allowed": True,
                    "citation": (
                        "GB/T 2025 (债务人死亡可联系联系人); Civil Code Art. 1161"
                    ),
                },
                dispute={
                    "citation": "2011 Measures Art. 69 (异议核实处理); [P] hold until "
                    "verification is sent",
                },
            ),
            "conditions": {
                "record_call": ["call", "visit"],
                "include_opt_out": [],
                "verify_identity_before_disclosure": ["call", "visit"],
                "limited_content_voicemail": [],
            },
            "citations": {
                "record_call": "CBA 2026 (电话催收全程录音); 2011 Measures Art. 68",
                "verify_identity_before_disclosure": "CBA 2026; 2011 Measures Art. 68",
            },
        },
    },
    "us": {
        "name": N_("United States (Regulation F as policy)"),
        "description": (
            "FDCPA and CFPB Regulation F (12 CFR 1006) adopted as policy for "
            "first-party collections."
        ),
        "parameters": {
            "time_zone": "America/New_York",
            "horizon_days": 30,
            "contact_window": {
                "enabled": True,
                "start": "08:00",
                "end": "21:00",
                "days": ALL_DAYS,
                "zones": "intersection",
                "channels": TIMED_CHANNELS,
                "last_dial_buffer_minutes": 0,
                "citation": "FDCPA §805(a)(1); Reg F §1006.6(b)(1)(i), (b)(4)",
            },
            "holiday_blackout": {
                "enabled": False,
                "country": "US",
                "subdivision": "",
                "channels": ["call"],
                "citation": "[P] policy holiday calendar",
            },
            "frequency_caps": [
                {
                    "id": "calls_7_in_7",
                    "channels": ["call"],
                    "max": 7,
                    "window": "rolling_days",
                    "days": 7,
                    "scope": "debtor_debt",
                    # Calls that do not connect are excluded (§1006.14(b)(3));
                    # unanswered calls and voicemails count.
                    "counted": [
                        "pending",
                        "no_answer",
                        "voicemail",
                        "third_party",
                        "conversation",
                    ],
                    "citation": "Reg F §1006.14(b)(2)(i)(A)",
                },
                {
                    "id": "sms_per_day",
                    "channels": ["sms"],
                    "max": 1,
                    "window": "calendar_day",
                    "days": 1,
                    "scope": "debtor",
                    "counted": ["pending", "sent"],
                    "citation": "[P] policy under Reg F §1006.14(a) (harassment)",
                },
                {
                    "id": "emails_per_week",
                    "channels": ["email"],
                    "max": 3,
                    "window": "rolling_days",
                    "days": 7,
                    "scope": "debtor",
                    "counted": ["pending", "sent"],
                    "citation": "[P] policy under Reg F §1006.14(a) (harassment)",
                },
            ],
            "post_conversation_cooldown": {
                "enabled": True,
                "days": 7,
                "channels": ["call"],
                "citation": "Reg F §1006.14(b)(2)(i)(B)",
            },
            "prior_consent": {
                "enabled": True,
                "caps": ["calls_7_in_7"],
                "cooldown": True,
                "max_days": 7,
                "citation": "Reg F §1006.14(b)(3)(i)",
            },
            "customer_preferences": {
                "enabled": True,
                "time_channels": TIMED_CHANNELS,
                "place_channels": ["call", "sms", "email", "letter", "visit"],
                "reply_to_inbound_once": True,
                "time_citation": "FDCPA §805(a)(1); Reg F §1006.6(b)(1)(i), "
                "comment 6(b)(1)-2",
                "place_citation": "FDCPA §805(a)(1), (3); Reg F §1006.6(b)(1)(ii), "
                "(b)(3), comment 6(b)(1)-2",
            },
            "third_party": {
                "allowed": True,
                "roles": list(THIRD_PARTY_ROLES),
                "purposes": ["location"],
                "only_when_unreachable": False,
                "unreachable_attempts": 3,
                "unreachable_days": 7,
                # Location contacts: each third party once (15 USC 1692b(3)).
                "max_contacts_per_third_party": 1,
                "citation": "15 USC 1692b, 1692c(b); Reg F §1006.6(d)(1), §1006.10",
            },
            "restrictions": _restrictions(
                cease_communication={
                    "allowed_purposes": ["statutory_notice"],
                    "citation": "15 USC 1692c(c); Reg F §1006.6(c)",
                },
                dispute={"citation": "15 USC 1692g(b); Reg F §1006.34, §1006.38(d)"},
                attorney={"citation": "15 USC 1692c(a)(2); Reg F §1006.6(b)(2)"},
                legal_hold={"citation": "11 USC 362(a)(6), 524(a)(2)"},
                deceased={"citation": "Reg F §1006.6(a)(4)"},
                channel_opt_out={"citation": "Reg F §1006.14(h), §1006.6(e)"},
            ),
            "conditions": {
                "record_call": ["call"],
                "include_opt_out": ["sms", "email"],
                "verify_identity_before_disclosure": ["call", "visit"],
                "limited_content_voicemail": ["call"],
            },
            "citations": {
                "record_call": "Reg F §1006.100(b) (keep recordings 3 years)",
                "include_opt_out": "Reg F §1006.6(e)",
                "verify_identity_before_disclosure": "15 USC 1692c(b)",
                "limited_content_voicemail": "Reg F §1006.2(j)",
            },
        },
    },
    "uk": {
        "name": N_("United Kingdom (FCA CONC 7)"),
        "description": (
            "FCA CONC 7, Consumer Duty, FG21/1 and the Debt Respite Scheme "
            "(Breathing Space) Regulations 2020."
        ),
        "parameters": {
            "time_zone": "Europe/London",
            "horizon_days": 30,
            "contact_window": {
                "enabled": True,
                "start": "08:00",
                "end": "21:00",
                # [P] Monday to Saturday; Sunday off.
                "days": [0, 1, 2, 3, 4, 5],
                "zones": "single",
                "channels": TIMED_CHANNELS,
                "last_dial_buffer_minutes": 0,
                "citation": "CONC 7.9.4R; [P] 08:00-21:00 Mon-Sat",
            },
            "holiday_blackout": {
                "enabled": True,
                "country": "GB",
                "subdivision": "ENG",
                "channels": ["call", "sms", "visit"],
                "citation": "CONC 7.9.4R; [P] no contact on bank holidays",
            },
            "frequency_caps": [
                {
                    "id": "attempts_per_day",
                    "channels": ["call"],
                    "max": 3,
                    "window": "calendar_day",
                    "days": 1,
                    "scope": "debtor",
                    "counted": [
                        "pending",
                        "not_connected",
                        "no_answer",
                        "voicemail",
                        "third_party",
                        "conversation",
                    ],
                    "citation": "CONC 7.9.4R; Consumer Duty; [P] 3 attempts a day",
                },
                {
                    "id": "conversations_per_day",
                    "channels": ["call"],
                    "max": 1,
                    "window": "calendar_day",
                    "days": 1,
                    "scope": "debtor",
                    "counted": ["conversation"],
                    "citation": "CONC 7.9.4R; [P] 1 right-party conversation a day",
                },
                {
                    "id": "attempts_per_week",
                    "channels": ["call"],
                    "max": 7,
                    "window": "rolling_days",
                    "days": 7,
                    "scope": "debtor",
                    "counted": [
                        "pending",
                        "not_connected",
                        "no_answer",
                        "voicemail",
                        "third_party",
                        "conversation",
                    ],
                    "citation": "AJA 1970 s.40; [P] 7 attempts in 7 days",
                },
            ],
            "post_conversation_cooldown": {
                "enabled": False,
                "days": 7,
                "channels": ["call"],
                "citation": "",
            },
            # No statutory call counts in the UK: the policy caps stay whole.
            "prior_consent": {
                "enabled": False,
                "caps": [],
                "cooldown": False,
                "max_days": 7,
                "citation": "",
            },
            "customer_preferences": {
                "enabled": True,
                "time_channels": TIMED_CHANNELS,
                "place_channels": ["call", "sms", "email", "letter", "visit"],
                "reply_to_inbound_once": True,
                "time_citation": "CONC 7.9.4R (customer's reasonable requests)",
                "place_citation": "CONC 7.9.4R, 7.9.7R",
            },
            "third_party": {
                "allowed": True,
                "roles": list(THIRD_PARTY_ROLES),
                "purposes": ["location"],
                "only_when_unreachable": False,
                "unreachable_attempts": 3,
                "unreachable_days": 7,
                "max_contacts_per_third_party": 0,
                "citation": "CONC 7.9.6R, 7.9.10R",
            },
            "restrictions": _restrictions(
                cease_communication={
                    "allowed_purposes": ["statutory_notice"],
                    "citation": "CONC 7.9.4R (a strong preference; CCA notices go)",
                },
                dispute={"citation": "CONC 7.14"},
                attorney={"citation": "CONC 7.3 (deal with debt-advice bodies)"},
                breathing_space={
                    "allowed_purposes": ["statutory_notice"],
                    "standard_days": 60,
                    "citation": "Debt Respite Scheme Regs 2020 (SI 2020/1311) regs. "
                    "7, 17, 18",
                },
                vulnerability={"citation": "CONC 7.2.1R; FG21/1; CONC 7.9.12R"},
                channel_opt_out={"citation": "CONC 7.9.4R"},
            ),
            "conditions": {
                "record_call": [],
                "include_opt_out": [],
                "verify_identity_before_disclosure": ["call", "visit"],
                "limited_content_voicemail": [],
            },
            "citations": {
                "verify_identity_before_disclosure": "CONC 7.9.10R",
            },
        },
    },
}


def rule_packs_install(apps) -> None:
    """Install the shipped packs as RulePack rows, version 1 (idempotent): called by
    migration 0002 and the test set-up. `apps` is a migration's app registry, or
    `django.apps.apps`."""
    RulePack = apps.get_model("compliance", "RulePack")
    for code, spec in DEFAULT_PACKS.items():
        # Never overwrite a pack an admin has already edited.
        RulePack.objects.get_or_create(
            code=code,
            defaults={
                "name": spec["name"],
                "description": spec["description"],
                "parameters": spec["parameters"],
                "version": 1,
            },
        )
