"""Structured logs: one JSON object a line, with the request id, and no PII.

`pii_scrub` is a structlog processor, the last line of defence: code should not log
personal data at all, but a query string, an exception message or a third-party
library can carry a phone number or an email into a log line. It masks whatever looks
like one (phone numbers, emails, Chinese resident identity numbers) in every string
value of the event, keeping the last digits an operator needs to tell rows apart.
"""

from __future__ import annotations

import re

# Phone numbers as the app stores them (E.164, +8613812345678, also URL-encoded),
# Chinese mobiles written without the country code, and North American numbers with
# separators.
# Plain long numbers (counts, ids, dates) are left alone.
_PHONE = re.compile(
    r"(?:\+|%2[Bb])\d[\d \-]{6,}\d"  # %2B: a + in a logged query string
    r"|(?<!\d)1[3-9]\d{9}(?!\d)"
    r"|(?<![\w])\(?\d{3}\)?[ \-.]\d{3}[ \-.]\d{4}(?![\w])"
)
_EMAIL = re.compile(r"([\w.+-]+)@([\w-]+(?:\.[\w-]+)+)")
# 18-character resident identity numbers (17 digits and a digit or X).
_NATIONAL_ID = re.compile(r"(?<!\d)(\d{17}[\dXx])(?!\d)")


# A debtor's self-service link (/s/<token>/): the token opens the identity check.
_SELF_SERVICE = re.compile(r"/s/[A-Za-z0-9_-]{6,64}")


def _mask_digits(match: re.Match) -> str:
    text = match.group(0)
    digits = re.sub(r"\D", "", text)
    if len(digits) < 8:  # counts, ids and years are not phone numbers
        return text
    return "•" * (len(digits) - 4) + digits[-4:]


def scrub(text: str) -> str:
    """`text` with phone numbers, emails, national ids and self-service tokens
    masked."""
    text = _SELF_SERVICE.sub("/s/••••", text)
    text = _NATIONAL_ID.sub(lambda m: "•" * 14 + m.group(1)[-4:], text)
    text = _EMAIL.sub(lambda m: f"{m.group(1)[:1]}•••@{m.group(2)}", text)
    return _PHONE.sub(_mask_digits, text)


def _scrub_value(value):
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {k: _scrub_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub_value(v) for v in value]
    return value


def pii_scrub(logger, method_name: str, event_dict: dict) -> dict:
    """structlog processor: mask PII in every string of the event (see module doc)."""
    return {key: _scrub_value(value) for key, value in event_dict.items()}


def log_chain() -> list:
    """The processors every line goes through first, ours and other libraries'."""
    import structlog

    return [
        structlog.contextvars.merge_contextvars,  # request_id, task_id, user_id
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.stdlib.PositionalArgumentsFormatter(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]


def log_formatter(log_format: str):
    """The logging formatter of settings.LOGGING: JSON lines or readable lines,
    PII masked either way."""
    import structlog

    renderer = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if log_format == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=log_chain(),
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            pii_scrub,
            renderer,
        ],
    )


def structlog_configure() -> None:
    """structlog's own loggers hand their events to the stdlib formatter above."""
    import structlog

    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *log_chain(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
