"""Masking of debtor PII for lists and screens that do not need the full value."""


def mask_phone(value: str) -> str:
    """+8613812345678 -> +86138****5678: enough to recognise, not to dial."""
    if len(value) <= 7:
        return "*" * len(value)
    return (
        value[:6] + "*" * (len(value) - 10) + value[-4:]
        if len(value) > 10
        else (value[:3] + "*" * (len(value) - 7) + value[-4:])
    )


def mask_email(value: str) -> str:
    local, _, domain = value.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def mask_national_id(value: str) -> str:
    return (
        value[:3] + "*" * max(len(value) - 7, 0) + value[-4:]
        if len(value) > 7
        else "****"
    )


def mask_account(value: str) -> str:
    return "****" + value[-4:] if len(value) > 4 else value


def mask_contact(channel: str, value: str) -> str:
    if channel == "phone":
        return mask_phone(value)
    if channel == "email":
        return mask_email(value)
    return value.split(",")[0][:12] + "…" if len(value) > 12 else value


def point_masked(point) -> str:
    """A contact point's value_masked column (core.fields.MaskedField)."""
    return mask_contact(point.channel, point.value)
