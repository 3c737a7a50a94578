"""The gate's vocabulary: channels, purposes, attempt results, roles, kinds."""

CHANNELS = ("call", "sms", "email", "letter", "visit")
PURPOSES = (
    "collection",
    "location",
    "statutory_notice",
    "reply_to_inbound",
    "settlement_followup",
)
CALL_RESULTS = (
    "not_connected",
    "no_answer",
    "voicemail",
    "third_party",
    "conversation",
)
MESSAGE_RESULTS = ("sent", "failed")
COUNTABLE_RESULTS = ("pending",) + CALL_RESULTS + MESSAGE_RESULTS
THIRD_PARTY_ROLES = ("spouse", "relative", "employer", "emergency_contact", "other")
RESTRICTION_KINDS = (
    "cease_communication",
    "dispute",
    "attorney",
    "legal_hold",
    "breathing_space",
    "deceased",
    "vulnerability",
    "channel_opt_out",
)
CAP_WINDOWS = ("calendar_day", "rolling_days")
CAP_SCOPES = ("contact_point", "debtor", "debtor_debt")
ALL_DAYS = [0, 1, 2, 3, 4, 5, 6]
# Letters are posted, not delivered at a chosen minute, so no window covers them.
TIMED_CHANNELS = ["call", "sms", "email", "visit"]
