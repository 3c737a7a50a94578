"""Reasons a collector can read, in English and Chinese, each citing its rule.

Templates follow the catalogue's explanation templates (section 3.1, section 5). A
reason is rendered from a rule's `Block` once the engine knows the next permitted
time, so every message can say when contact may resume.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import get_language

from .rules.base import Block

REASON_CODES = (
    "contact_window",
    "frequency_cap",
    "post_conversation_cooldown",
    "channel_opt_out",
    "cease_communication",
    "represented_by_attorney",
    "dispute_hold",
    "legal_hold",
    "breathing_space",
    "deceased",
    "vulnerability_review",
    "holiday_blackout",
    "third_party_contact",
    "content_prohibited",
    "invalid_contact_point",
    "no_consent",
    # Issue 16: customer-stated inconvenient times and places (blocks), and the notes
    # on an allowed decision that say which exception let it through.
    "customer_inconvenient_time",
    "customer_inconvenient_place",
    "prior_consent",
    "reply_to_inbound",
)
WEEKDAY_EN = (
    "Mondays",
    "Tuesdays",
    "Wednesdays",
    "Thursdays",
    "Fridays",
    "Saturdays",
    "Sundays",
)
WEEKDAY_ZH = ("每周一", "每周二", "每周三", "每周四", "每周五", "每周六", "每周日")
PLACE_EN = {"work": "work", "home": "home"}
PLACE_ZH = {"work": "工作场所", "home": "家中"}

CHANNEL_EN = {
    "call": "phone call",
    "sms": "text message (SMS)",
    "email": "email",
    "letter": "letter",
}
CHANNEL_ZH = {
    "call": "电话",
    "sms": "短信",
    "email": "邮件",
    "letter": "信函",
    "visit": "上门",
}
ROLE_ZH = {
    "spouse": "配偶",
    "relative": "亲属",
    "employer": "工作单位",
    "emergency_contact": "紧急联系人",
    "other": "其他联系人",
}
SCOPE_EN = {
    "contact_point": "at this contact point",
    "debtor": "with this person",
    "debtor_debt": "to this person about this debt",
}
SCOPE_ZH = {
    "contact_point": "该联系方式",
    "debtor": "该客户",
    "debtor_debt": "该客户该笔债务",
}

# (code, variant) -> (English, Chinese). `{next}` is the decision's next permitted
# time, or a phrase saying there is none.
TEMPLATES: dict[tuple[str, str], tuple[str, str]] = {
    ("contact_window", ""): (
        "Blocked: {local_time} is outside the permitted window {start}-{end} ({tz}). "
        "Next permitted: {next}.",
        "拦截：当前时间{local_time}不在允许时段{start}-{end}（{tz}）内，最早可于{next_zh}联系。",
    ),
    ("contact_window", "later"): (
        "Then the permitted window {start}-{end} ({tz}) applies. "
        "Next permitted: {next}.",
        "随后须在允许时段{start}-{end}（{tz}）内联系，最早可于{next_zh}联系。",
    ),
    ("contact_window", "no_common_window"): (
        "No convenient time across the candidate locations ({zones}); obtain a "
        "confirmed location or the customer's consent.",
        "候选所在地（{zones}）没有共同的可联系时段；请确认客户所在地或取得客户同意。",
    ),
    ("holiday_blackout", ""): (
        "Blocked: {date} is a holiday ({calendar}). Next permitted: {next}.",
        "拦截：{date}为节假日（{calendar}），最早可于{next_zh}联系。",
    ),
    ("frequency_cap", "calendar_day"): (
        "Blocked: {count} {what} {scope} on {date} (limit {max} a day). "
        "Next permitted: {next}.",
        "拦截：{scope_zh}{date}{what_zh}已达{count}次（每日上限{max}次），最早可于{next_zh}联系。",
    ),
    ("frequency_cap", "rolling_days"): (
        "Blocked: {count} {what} {scope} in the {days} days to {date} "
        "(limit {max} in {days} days). Next permitted: {next}.",
        "拦截：{scope_zh}截至{date}的{days}日内{what_zh}已达{count}次（上限{max}次），"
        "最早可于{next_zh}联系。",
    ),
    ("post_conversation_cooldown", ""): (
        "Blocked: telephone conversation with this person on {date} (day 1); no call "
        "for {days} days. Next permitted: {next}.",
        "拦截：已于{date}与客户通话（当日为第1天），{days}日内不再致电，最早可于{next_zh}联系。",
    ),
    ("channel_opt_out", ""): (
        "Blocked: the customer opted out of {channel} here (since {since}); contact "
        "again only after new consent.",
        "拦截：客户已退订此处的{channel_zh}（自{since}起），须重新取得同意后方可联系。",
    ),
    ("cease_communication", ""): (
        "Blocked: the customer asked us to stop contacting them (since {since}).",
        "拦截：客户已要求停止联系（自{since}起）。",
    ),
    ("represented_by_attorney", ""): (
        "Blocked: the customer is represented (since {since}); contact the "
        "representative instead.",
        "拦截：客户已委托代理人（自{since}起），请联系其代理人。",
    ),
    ("dispute_hold", ""): (
        "Blocked: the debt is disputed (since {since}); collection is on hold until "
        "the dispute is answered.",
        "拦截：客户对债务提出异议（自{since}起），核实答复前暂停催收。",
    ),
    ("legal_hold", ""): (
        "Blocked: legal hold (bankruptcy or litigation) since {since}.",
        "拦截：存在法律冻结（破产或诉讼），自{since}起。",
    ),
    ("breathing_space", ""): (
        "Blocked: breathing space since {since}{planned}; no payment requests or "
        "enforcement until it ends.",
        "拦截：客户处于债务喘息期（自{since}起{planned_zh}），期间不得催收或执行。",
    ),
    ("deceased", ""): (
        "Blocked: the customer is recorded as deceased (since {since}); contact the "
        "estate only.",
        "拦截：客户已登记身故（自{since}起），仅可联系遗产管理人。",
    ),
    ("vulnerability_review", ""): (
        "Review: the customer is flagged as vulnerable (since {since}); a specialist "
        "must review before contact.",
        "待复核：客户被标记为弱势客户（自{since}起），须专人复核后方可联系。",
    ),
    ("third_party_contact", "refused"): (
        "Blocked: this third party refused further contact on {date}; never contact "
        "them again.",
        "拦截：该联系人已于{date}拒绝再被联系，不得再次联系。",
    ),
    ("third_party_contact", "not_allowed"): (
        "Blocked: this rule pack does not allow contacting third parties.",
        "拦截：本规则包不允许联系第三方。",
    ),
    ("third_party_contact", "role"): (
        "Blocked: a contact of kind '{role}' may not be contacted about this debt.",
        "拦截：不得就该笔债务联系{role_zh}。",
    ),
    ("third_party_contact", "purpose"): (
        "Blocked: third parties may only be asked for the customer's contact details "
        "or to pass on a message, never asked to pay.",
        "拦截：联系人仅可用于询问债务人联系方式或转告，不得向其催收。",
    ),
    ("third_party_contact", "reachable"): (
        "Blocked: the customer can still be reached, so third parties may not be "
        "called (that needs {attempts} failed calls on every own phone and no "
        "conversation in {days} days); contact the customer.",
        "拦截：债务人未失联（须近{days}日内每个本人号码未接通至少{attempts}次且无通话），"
        "请直接联系债务人。",
    ),
    ("third_party_contact", "once"): (
        "Blocked: this third party has already been contacted ({count}); location "
        "contacts are limited to {max} per person.",
        "拦截：该联系人已被联系{count}次，查找联系方式的联系每人限{max}次。",
    ),
    ("invalid_contact_point", ""): (
        "Blocked: this contact point is marked invalid ({reason}) since {since}.",
        "拦截：该联系方式已标记为无效（{reason}），自{since}起。",
    ),
    ("invalid_contact_point", "missing"): (
        "Blocked: the customer has no usable contact point for {channel}.",
        "拦截：客户没有可用于{channel_zh}的联系方式。",
    ),
    ("no_consent", ""): (
        "Blocked: no consent to contact at this contact point.",
        "拦截：该联系方式未取得联系同意。",
    ),
    ("customer_inconvenient_time", ""): (
        "Blocked: the customer said {what} is inconvenient ({tz}); it is "
        "{local_time} there. Next permitted: {next}.",
        "拦截：客户表示{what_zh}不便联系（{tz}），当地现在为{local_time}，"
        "最早可于{next_zh}联系。",
    ),
    ("customer_inconvenient_time", "preferred"): (
        "Blocked: the customer asked to be contacted only {what} ({tz}); it is "
        "{local_time} there. Next permitted: {next}.",
        "拦截：客户要求仅在{what_zh}联系（{tz}），当地现在为{local_time}，"
        "最早可于{next_zh}联系。",
    ),
    ("customer_inconvenient_time", "always"): (
        "Review: the times the customer said are inconvenient leave no time to "
        "contact them; confirm with the customer.",
        "待复核：客户表示不便联系的时间已覆盖全部时段，请与客户确认。",
    ),
    ("customer_inconvenient_place", "work"): (
        "Blocked: the customer said their employer prohibits contact at work (since "
        "{since}); do not contact them at work.",
        "拦截：客户表示其工作单位禁止在工作场所联系（自{since}起），不得在工作场所联系。",
    ),
    ("customer_inconvenient_place", "home"): (
        "Blocked: the customer said contact at home is inconvenient (home landline "
        "and visits) since {since}.",
        "拦截：客户表示不便在家中被联系（住宅电话及上门），自{since}起。",
    ),
    ("prior_consent", "cap"): (
        "Allowed: {count} calls to this person about this debt in {days} days (the "
        "presumption's limit is {max}), but the customer gave prior consent to calls "
        "from {consent_from} to {consent_until}; calls under it are not counted.",
        "允许：{days}日内已就该笔债务呼叫该客户{count}次（推定上限{max}次），但客户已事先"
        "同意在{consent_from}至{consent_until}期间接受来电，期间的呼叫不计入次数。",
    ),
    ("prior_consent", "excluded"): (
        "Allowed: {count} earlier calls were placed with the customer's prior consent "
        "and are not counted toward the limit of {max} in {days} days.",
        "允许：此前有{count}次呼叫系经客户事先同意拨打，不计入{days}日内{max}次的上限。",
    ),
    ("prior_consent", "cooldown"): (
        "Allowed: the telephone conversation on {date} would bar calls for {days} "
        "days, but the customer gave prior consent to calls from {consent_from} to "
        "{consent_until}.",
        "允许：虽已于{date}通话（{days}日内通常不再致电），但客户已事先同意在"
        "{consent_from}至{consent_until}期间接受来电。",
    ),
    ("reply_to_inbound", "time"): (
        "Allowed once: a reply to a contact the customer started at a time they said "
        "is inconvenient ({what}); answer once through the same medium and ask "
        "whether that time is still inconvenient.",
        "允许一次：客户在其表示不便的时间（{what_zh}）主动联系，可通过同一方式答复一次，"
        "并询问该时间是否仍不便。",
    ),
    ("reply_to_inbound", "place"): (
        "Allowed once: a reply to a contact the customer started while at {place_en}, "
        "where they said contact is inconvenient; answer once through the same medium.",
        "允许一次：客户在其表示不便联系的{place_zh}主动联系，可通过同一方式答复一次。",
    ),
    ("content_prohibited", ""): (
        "Blocked: the content contains prohibited wording: {spans}.",
        "拦截：内容包含禁止用语：{spans}。",
    ),
}

HORIZON = (
    "No permitted time within the next {days} days; re-evaluate later.",
    "{days}日内没有可联系时间，请稍后重新评估。",
)
DEFER_UNTIL = (" Until {until}.", "（至{until}止）")


def _what(counted: frozenset[str], channels: frozenset[str]) -> tuple[str, str]:
    if channels <= {"sms", "email"}:
        return "messages", "消息"
    real = counted - {"pending"}
    if real and real <= {"not_connected", "no_answer", "voicemail"}:
        return "unanswered calls", "未接通"
    if real == {"conversation"}:
        return "conversations", "有效通话"
    return "calls", "呼叫"


def _clock(value: dt.time | None, *, end: bool = False) -> str:
    if value is None:
        return ""
    if end and value == dt.time(0):
        return "24:00"
    return value.strftime("%H:%M")


def _stated_time(p: dict) -> tuple[str, str]:
    """A stated inconvenient time in words: "Sundays", "Mondays 12:00-14:00",
    "every day 20:00-24:00" (and in Chinese)."""
    day = p.get("weekday")
    if p.get("kind") == "inconvenient_day":
        return WEEKDAY_EN[day], WEEKDAY_ZH[day]
    hours = f"{_clock(p.get('start'))}-{_clock(p.get('end'), end=True)}"
    if day is None:
        return f"every day {hours}", f"每天{hours}"
    return f"{WEEKDAY_EN[day]} {hours}", f"{WEEKDAY_ZH[day]}{hours}"


def statement_text(
    *,
    kind: str,
    weekday: int | None,
    start: dt.time | None,
    end: dt.time | None,
    channel: str = "",
) -> tuple[str, str]:
    """A customer's statement in words (en, zh), for pages that list them."""
    if kind in ("inconvenient_hours", "inconvenient_day", "preferred_hours"):
        en, zh = _stated_time(
            {"kind": kind, "weekday": weekday, "start": start, "end": end}
        )
        if kind == "preferred_hours":
            return f"Contact only: {en}", f"仅在此时联系：{zh}"
        return f"Inconvenient: {en}", f"不便联系：{zh}"
    if kind in ("preferred_channel", "channel_opt_out"):
        en, zh = CHANNEL_EN.get(channel, channel), CHANNEL_ZH.get(channel, channel)
        if kind == "channel_opt_out":
            return f"No {en}", f"不接收{zh}"
        return f"Prefers contact by {en}", f"希望通过{zh}联系"
    if kind == "not_at_work":
        return (
            "Not at work (employer prohibits contact)",
            "不得在工作场所联系（单位禁止）",
        )
    return "Not at home (landline and visits)", "不便在家中联系（住宅电话及上门）"


def preference_text(preference) -> tuple[str, str]:
    """`statement_text` of a ContactPreference row (en, zh)."""
    return statement_text(
        kind=preference.kind,
        weekday=preference.weekday,
        start=preference.start_time,
        end=preference.end_time,
        channel=preference.channel,
    )


def _when(value: dt.datetime | None, zone: ZoneInfo) -> str:
    if value is None:
        return ""
    return f"{value.astimezone(zone):%Y-%m-%d %H:%M} ({zone.key})"


def _day(value: dt.datetime | dt.date, zone: ZoneInfo) -> str:
    if isinstance(value, dt.datetime):
        value = value.astimezone(zone).date()
    return value.isoformat()


def render(
    block: Block,
    *,
    pack_code: str,
    next_at: dt.datetime | None,
    zone: ZoneInfo,
) -> dict[str, Any]:
    """The reason dict of DESIGN.md section 4 for one fired rule."""
    en, zh = TEMPLATES.get(
        (block.code, block.variant),
        TEMPLATES.get((block.code, ""), ("{code}", "{code}")),
    )
    p = dict(block.params)
    if block.code in ("customer_inconvenient_time", "reply_to_inbound") and "kind" in p:
        p["what"], p["what_zh"] = _stated_time(p)
    if "place" in p:
        p["place_en"] = PLACE_EN.get(p["place"], p["place"])
        p["place_zh"] = PLACE_ZH.get(p["place"], p["place"])
    for key in ("consent_from", "consent_until"):
        if isinstance(p.get(key), dt.datetime):
            p[key] = _when(p[key], zone)
    for key in ("local_time", "start", "end"):
        if isinstance(p.get(key), dt.datetime | dt.time):
            p[key] = p[key].strftime("%H:%M")
    if isinstance(p.get("tz"), tuple):
        p["tz"] = " / ".join(z.key for z in p["tz"])
    for key in ("since", "date"):
        if isinstance(p.get(key), dt.date):
            p[key] = _day(p[key], zone)
    planned = p.pop("planned_end", None)
    p["planned"] = f", planned end {_day(planned, zone)}" if planned else ""
    p["planned_zh"] = f"，预计{_day(planned, zone)}结束" if planned else ""
    p["next"] = _when(next_at, zone) or "none until the block is lifted"
    p["next_zh"] = _when(next_at, zone) or "（暂无，须待限制解除）"
    channel = p.get("channel", "")
    p["channel_zh"] = CHANNEL_ZH.get(channel, channel)
    p["role_zh"] = ROLE_ZH.get(p.get("role", ""), p.get("role", ""))
    if block.code == "frequency_cap":
        p["what"], p["what_zh"] = _what(p.pop("counted"), p.pop("channels"))
        p["scope_zh"] = SCOPE_ZH[p["scope"]]
        p["scope"] = SCOPE_EN[p["scope"]]
    p["code"] = block.code
    message, message_zh = en.format(**p), zh.format(**p)
    until = p.get("until")
    if isinstance(until, dt.datetime):
        message += DEFER_UNTIL[0].format(until=_when(until, zone))
        message_zh += DEFER_UNTIL[1].format(until=_when(until, zone))
    return {
        "code": block.code,
        "rule": f"{pack_code}.{block.rule}",
        "message": message,
        "message_zh": message_zh,
        "citation": block.citation,
    }


def render_horizon(block: Block, *, pack_code: str, days: int) -> dict[str, Any]:
    """The reason added when the next permitted time lies beyond the horizon."""
    return {
        "code": block.code,
        "rule": f"{pack_code}.horizon",
        "message": HORIZON[0].format(days=days),
        "message_zh": HORIZON[1].format(days=days),
        "citation": block.citation,
    }


def content_reason(
    *, pack_code: str, spans: list[str], citation: str
) -> dict[str, Any]:
    """A `content_prohibited` reason, for callers that lint content."""
    joined = ", ".join(spans)
    en, zh = TEMPLATES[("content_prohibited", "")]
    return {
        "code": "content_prohibited",
        "rule": f"{pack_code}.content",
        "message": en.format(spans=joined),
        "message_zh": zh.format(spans=joined),
        "citation": citation,
    }


def reason_text(reason: dict[str, Any]) -> str:
    """A gate reason in the reader's language (each reason carries both)."""
    if (get_language() or "").startswith("zh"):
        return reason.get("message_zh") or reason.get("message", "")
    return reason.get("message", "")
