"""What the demo is made of: names, places, phone prefixes, products, delinquency
states, call notes, the demo users; and the state the seeding steps share.

The same --seed on the same day gives the same customers, names and loans: every step
draws from the one generator in `DemoRun`, in the same order.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_noop as N_

from calls.models import CallLog

DEMO_PASSWORD = "demo-pass-2026"
CENT = Decimal("0.01")

# (hanzi, pinyin): common surnames and given names, for names and email addresses.
CN_SURNAMES = [
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"),
    ("杨", "yang"), ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"),
    ("徐", "xu"), ("孙", "sun"), ("马", "ma"), ("朱", "zhu"), ("胡", "hu"),
    ("郭", "guo"), ("何", "he"), ("高", "gao"), ("林", "lin"), ("罗", "luo"),
    ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"), ("唐", "tang"),
    ("许", "xu"), ("韩", "han"), ("冯", "feng"), ("邓", "deng"), ("曹", "cao"),
]  # fmt: skip
CN_GIVEN = [
    ("伟", "wei"), ("娜", "na"), ("芳", "fang"), ("敏", "min"), ("静", "jing"),
    ("丽", "li"), ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"),
    ("勇", "yong"), ("艳", "yan"), ("杰", "jie"), ("娟", "juan"), ("涛", "tao"),
    ("明", "ming"), ("超", "chao"), ("秀英", "xiuying"), ("霞", "xia"), ("平", "ping"),
    ("建华", "jianhua"), ("志强", "zhiqiang"), ("晓东", "xiaodong"), ("海燕", "haiyan"),
    ("子涵", "zihan"), ("浩然", "haoran"), ("欣怡", "xinyi"), ("雨桐", "yutong"),
    ("宇航", "yuhang"), ("思远", "siyuan"),
]  # fmt: skip
EN_FIRST = [
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda",
    "David", "Elizabeth", "Oliver", "Amelia", "George", "Isla", "Harry", "Emily",
    "Jack", "Sophie", "Thomas", "Grace",
]  # fmt: skip
EN_LAST = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
    "Taylor", "Wilson", "Evans", "Thomas", "Roberts", "Walker", "Wright", "Clarke",
]  # fmt: skip

# region code, address prefix, national-id area code
CN_REGIONS = [
    ("SH", "上海市浦东新区", "310115"),
    ("SH", "上海市徐汇区", "310104"),
    ("BJ", "北京市朝阳区", "110105"),
    ("BJ", "北京市海淀区", "110108"),
    ("GD", "广东省广州市天河区", "440106"),
    ("GD", "广东省深圳市南山区", "440305"),
    ("ZJ", "浙江省杭州市西湖区", "330106"),
    ("JS", "江苏省南京市鼓楼区", "320106"),
    ("SC", "四川省成都市武侯区", "510107"),
]
CN_STREETS = ["人民路", "中山路", "解放路", "建设路", "南京路", "长江路", "世纪大道"]
CN_MOBILE_PREFIXES = [
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
    "152", "155", "156", "157", "158", "159", "176", "177", "180", "181", "182",
    "183", "185", "186", "187", "188", "189", "198", "199",
]  # fmt: skip
# state, city, time zone, area codes
US_STATES = [
    ("NY", "New York", "America/New_York", ["212", "646", "718"]),
    ("CA", "Los Angeles", "America/Los_Angeles", ["213", "310", "415"]),
    ("IL", "Chicago", "America/Chicago", ["312", "773"]),
    ("TX", "Houston", "America/Chicago", ["713", "832"]),
    ("AZ", "Phoenix", "America/Phoenix", ["602", "480"]),
    ("WA", "Seattle", "America/Los_Angeles", ["206"]),
]
UK_REGIONS = [
    ("ENG", "London"),
    ("ENG", "Manchester"),
    ("SCT", "Edinburgh"),
    ("WLS", "Cardiff"),
    ("NIR", "Belfast"),
]
PRODUCTS = {
    # product: (min principal, max principal, step, terms in months)
    "personal_loan": (5_000, 200_000, 1_000, [12, 24, 36]),
    "credit_card": (3_000, 50_000, 500, [6, 12]),
    "auto_loan": (50_000, 300_000, 5_000, [24, 36]),
    "business_loan": (100_000, 500_000, 10_000, [12, 24, 36]),
}
# Delinquency state of a loan: (label, min DPD, max DPD, weight).
STATES = [
    ("current", 0, 0, 40),
    ("1-30", 1, 30, 22),
    ("31-60", 31, 60, 13),
    ("61-90", 61, 90, 10),
    ("90+", 91, 270, 15),
]
CONVERSATION_OUTCOMES = [
    (CallLog.Outcome.PROMISE_TO_PAY, CallLog.Attitude.COOPERATIVE,
     "客户确认身份，承诺本月底前还款。"),
    (CallLog.Outcome.CALLBACK, CallLog.Attitude.ANXIOUS,
     "Customer confirmed identity and asked for a call back after payday."),
    (CallLog.Outcome.HARDSHIP, CallLog.Attitude.HELPLESS,
     "客户表示近期失业，希望申请分期还款，已告知可提交申请。"),
    (CallLog.Outcome.REFUSED, CallLog.Attitude.RESISTANT,
     "客户对逾期金额有疑问，已说明账单明细及逾期后果。"),
    (CallLog.Outcome.OTHER, CallLog.Attitude.EVASIVE,
     "Customer confirmed identity; amounts and options explained, no commitment."),
    (CallLog.Outcome.PAID, CallLog.Attitude.COOPERATIVE,
     "客户称已于昨日还款，请财务核实到账情况。"),
]  # fmt: skip
DEMO_USERS = [
    # username, first name, last name, role, team, supervises
    ("collector", "Wei", "Zhang", "collector", "A", None),
    ("collector2", "Na", "Li", "collector", "A", None),
    ("collector3", "Ben", "Carter", "collector", "B", None),
    ("supervisor", "Fang", "Wang", "supervisor", None, "A"),
    ("admin", "Admin", "User", "admin", None, None),
]
# Stored in English and shown in the reader's language (`|seeded`, core_tags).
TEAM_NAMES = {"A": N_("Shanghai A"), "B": N_("Beijing B")}


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier), clamped to the month's last day."""
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def cn_national_id(rng: random.Random, area: str, birth: dt.date) -> str:
    """An 18-character resident id with a valid GB 11643 check character."""
    body = f"{area}{birth:%Y%m%d}{rng.randint(1, 999):03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


@dataclass
class DemoRun:
    """What the seeding steps share: the random generator, the clock, the demo users
    and their teams' collectors, and the counts `seed_demo` reports at the end."""

    rng: random.Random
    today: dt.date
    now: dt.datetime
    say: Callable[[int, str], None]
    used_numbers: set[str] = field(default_factory=set)
    users: dict = field(default_factory=dict)
    team_collectors: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)
