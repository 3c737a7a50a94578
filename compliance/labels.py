"""Short names of the gate's reason codes, for tables and charts in both languages
(the dashboard and the policy simulation showed `contact_window`, `dispute_hold`...
in the Chinese UI too). The full sentences stay in compliance.reasons."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.labels import code_as_words

REASON_LABELS = {
    "contact_window": _("Outside the contact window"),
    "frequency_cap": _("Frequency cap reached"),
    "post_conversation_cooldown": _("Cooldown after a conversation"),
    "channel_opt_out": _("Opted out of the channel"),
    "cease_communication": _("Cease-communication request"),
    "represented_by_attorney": _("Represented by an attorney"),
    "dispute_hold": _("Debt disputed"),
    "legal_hold": _("Legal hold"),
    "breathing_space": _("Breathing space"),
    "deceased": _("Customer deceased"),
    "vulnerability_review": _("Vulnerability review"),
    "holiday_blackout": _("Holiday"),
    "third_party_contact": _("Third-party contact rule"),
    "content_prohibited": _("Prohibited content"),
    "invalid_contact_point": _("Invalid contact point"),
    "no_consent": _("No consent for the channel"),
    "customer_inconvenient_time": _("Time the customer said is inconvenient"),
    "customer_inconvenient_place": _("Place the customer said is inconvenient"),
    "prior_consent": _("Prior consent"),
    "reply_to_inbound": _("Reply to the customer's contact"),
    "rung_skipped": _("Rung skipped: no usable contact point"),
}


def reason_label(code: str) -> str:
    """The reason's short name in the reader's language; an unknown code as is."""
    return str(REASON_LABELS.get(code, code))


# The rule packs' frequency caps, by id (pack_defaults); an admin's own cap id is
# shown as words.
CAP_LABELS = {
    "unanswered_per_point": _("Unanswered calls per number"),
    "conversations_per_debtor": _("Conversations per debtor"),
    "calls_7_in_7": _("Calls in 7 days (7-in-7)"),
    "sms_per_day": _("SMS per day"),
    "emails_per_week": _("Emails per week"),
    "attempts_per_day": _("Contact attempts per day"),
    "conversations_per_day": _("Conversations per day"),
    "attempts_per_week": _("Contact attempts per week"),
}


def cap_label(cap_id: str) -> str:
    label = CAP_LABELS.get(cap_id)
    if label is not None:
        return str(label)
    return code_as_words(cap_id)
