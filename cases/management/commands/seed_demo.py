"""Seed a realistic, reproducible demo portfolio and one demo user per role.

    manage.py seed_demo [--customers 500] [--seed 2026] [--if-empty] [--dry-run]

Customers (mostly Chinese, a few in the US and UK) with valid phone numbers, emails and
third-party contacts; CNY loans with monthly schedules placed so that every DPD bucket
(current, 1-30, 31-60, 61-90, 90+) is populated; past payments, promises, repayment
plans, contact restrictions and past calls with their ledger rows; teams, bucket
queues and the demo users. Then runs the delinquency refresh so cases exist and are
queued, and records a few live payments through payment_record.

The portfolio is written with bulk_create for speed, so it has no history rows
(accepted for bulk writes, DESIGN.md section 8); the service calls at the end do.
The same --seed on the same day gives the same customers, names and loans.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
import time
from decimal import Decimal
from zoneinfo import ZoneInfo

import phonenumbers
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from calls.models import CallLog
from cases import services
from cases.models import (
    Case,
    ContactPoint,
    Customer,
    Instalment,
    Loan,
    Payment,
    PaymentAllocation,
    PromiseToPay,
    RepaymentPlan,
    RepaymentPlanInstalment,
    Team,
    WorkQueue,
)
from compliance.models import ContactAttempt, ContactRestriction

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
TEAM_NAMES = {"A": "上海一组 Shanghai A", "B": "Beijing B"}


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


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=500)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when any customer exists (used by `make run`).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Build everything, report the counts, then roll back.",
        )

    def handle(self, *args, customers: int, seed: int, if_empty: bool, **options):
        self.verbosity = options["verbosity"]
        if customers < 1:
            raise CommandError("--customers must be at least 1.")
        if Customer.objects.exists():
            if if_empty:
                self.say(1, "Customers exist already; nothing seeded (--if-empty).")
                return
            raise CommandError(
                "The database already has customers. Seed an empty database, or pass "
                "--if-empty to skip quietly."
            )
        started = time.monotonic()
        self.rng = random.Random(seed)
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.used_numbers: set[str] = set()
        with transaction.atomic():
            self.seed_people()
            self.seed_portfolio(customers)
            refresh = services.delinquency_refresh(today=self.today)
            self.say(2, f"Delinquency refresh: {refresh}")
            open_cases = list(
                Case.objects.open()
                .select_related("customer", "queue")
                .order_by("customer__reference")
            )
            self.assign_cases(open_cases)
            self.seed_restrictions()
            self.seed_calls(open_cases)
            self.seed_promises_and_plans(open_cases)
            self.seed_live_payments(open_cases)
            # The supervisor's workspace: recordings, flags, reviews, snapshots.
            from supervision.demo import seed as seed_supervision

            self.counts.update(
                seed_supervision(
                    users=self.users, open_cases=open_cases, now=self.now, seed=seed
                )
            )
            if options["dry_run"]:
                transaction.set_rollback(True)
        self.report(time.monotonic() - started, dry_run=options["dry_run"])

    def say(self, level: int, message: str) -> None:
        if self.verbosity >= level:
            self.stdout.write(message)

    # -- people --------------------------------------------------------------------

    def seed_people(self) -> None:
        teams = {
            key: Team.objects.get_or_create(name=name)[0]
            for key, name in TEAM_NAMES.items()
        }
        # One hash for all demo users: PBKDF2 is deliberately slow, and they share
        # the published demo password anyway.
        password = make_password(DEMO_PASSWORD)
        User = get_user_model()
        self.users = {}
        for username, first, last, role, team, supervises in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.first_name, user.last_name = first, last
            user.email = f"{username}@demo.example.com"
            user.password = password
            user.is_staff = role == "admin"
            user.is_active = True
            user.save()
            user.groups.add(Group.objects.get(name=role))
            if team:
                teams[team].members.add(user)
            if supervises:
                teams[supervises].supervisors.add(user)
            self.users[username] = user
        self.team_collectors = {
            teams["A"].pk: [self.users["collector"], self.users["collector2"]],
            teams["B"].pk: [self.users["collector3"]],
        }
        queues = [
            ("early", "早期 Early arrears (1-30)", ["1-30"], "A", 10),
            ("mid", "中期 Mid arrears (31-90)", ["31-60", "61-90"], "A", 20),
            ("late", "后期 Late arrears (90+)", ["90+"], "B", 30),
        ]
        for code, name, buckets, team, priority in queues:
            WorkQueue.objects.update_or_create(
                code=code,
                defaults={
                    "name": name,
                    "team": teams[team],
                    "criteria": {"buckets": buckets},
                    "priority": priority,
                    "is_active": True,
                },
            )

    # -- customers and loans ---------------------------------------------------------

    def unique_number(self, make) -> str:
        for _ in range(50):
            number = make()
            parsed = phonenumbers.parse(number)
            if number not in self.used_numbers and phonenumbers.is_valid_number(parsed):
                self.used_numbers.add(number)
                return number
        raise CommandError("Could not generate a valid phone number.")

    def cn_mobile(self) -> str:
        rng = self.rng
        return self.unique_number(
            lambda: (
                f"+86{rng.choice(CN_MOBILE_PREFIXES)}{rng.randint(0, 10**8 - 1):08d}"
            )
        )

    def us_mobile(self, area_codes: list[str]) -> str:
        rng = self.rng

        def make() -> str:
            exchange = rng.randint(200, 999)
            while exchange % 100 == 11 or exchange == 555:
                exchange = rng.randint(200, 999)
            return f"+1{rng.choice(area_codes)}{exchange}{rng.randint(0, 9999):04d}"

        return self.unique_number(make)

    def uk_mobile(self) -> str:
        rng = self.rng
        return self.unique_number(
            lambda: f"+447{rng.choice('45789')}{rng.randint(0, 10**8 - 1):08d}"
        )

    def cn_name(self) -> tuple[str, str]:
        surname, surname_py = self.rng.choice(CN_SURNAMES)
        given, given_py = self.rng.choice(CN_GIVEN)
        return surname + given, f"{given_py}.{surname_py}"

    def make_customer(self, number: int) -> tuple[Customer, list[ContactPoint]]:
        rng = self.rng
        reference = f"CUS{number:06d}"
        roll = rng.random()
        # Like the DPD states, the first customers cover every country.
        roll = {6: 0.0, 7: 0.07}.get(number, roll)
        birth = dt.date(rng.randint(1960, 2002), rng.randint(1, 12), rng.randint(1, 28))
        points: list[ContactPoint] = []
        if roll < 0.05:  # United States
            state, city, zone, area_codes = rng.choice(US_STATES)
            first, last = rng.choice(EN_FIRST), rng.choice(EN_LAST)
            customer = Customer(
                reference=reference,
                full_name=f"{first} {last}",
                national_id=f"9{rng.randint(0, 99):02d}-7{rng.randint(0, 9)}-"
                f"{rng.randint(0, 9999):04d}",
                language=Customer.Language.EN,
                country="US",
                region=state,
                address=f"{rng.randint(1, 999)} Main Street, {city}, {state}",
                time_zone=zone,
            )
            # Some keep a number from another state: two candidate time zones.
            other = rng.choice(US_STATES)[3] if rng.random() < 0.3 else area_codes
            phone = self.us_mobile(other)
            email_local = f"{first}.{last}{number}".lower()
            partner = (f"{rng.choice(EN_FIRST)} {last}", self.us_mobile(area_codes))
        elif roll < 0.10:  # United Kingdom
            region, city = rng.choice(UK_REGIONS)
            first, last = rng.choice(EN_FIRST), rng.choice(EN_LAST)
            customer = Customer(
                reference=reference,
                full_name=f"{first} {last}",
                national_id=f"QQ{rng.randint(0, 999999):06d}{rng.choice('ABCD')}",
                language=Customer.Language.EN,
                country="GB",
                region=region,
                address=f"{rng.randint(1, 200)} High Street, {city}",
                time_zone="Europe/London",
            )
            phone = self.uk_mobile()
            email_local = f"{first}.{last}{number}".lower()
            partner = (f"{rng.choice(EN_FIRST)} {last}", self.uk_mobile())
        else:  # China
            region, address, area = rng.choice(CN_REGIONS)
            name, pinyin = self.cn_name()
            customer = Customer(
                reference=reference,
                full_name=name,
                national_id=cn_national_id(rng, area, birth),
                language=Customer.Language.ZH_HANS,
                country="CN",
                region=region,
                address=f"{address}{rng.choice(CN_STREETS)}{rng.randint(1, 999)}号",
                time_zone="Asia/Shanghai",
            )
            phone = self.cn_mobile()
            email_local = f"{pinyin}{number}"
            partner = (self.cn_name()[0], self.cn_mobile())

        wrong_number = rng.random() < 0.03
        verified = rng.random() < 0.6
        points.append(
            ContactPoint(
                channel=ContactPoint.Channel.PHONE,
                value=phone,
                is_primary=True,
                consent_at=self.now - dt.timedelta(days=rng.randint(200, 900)),
                verified_at=self.now - dt.timedelta(days=rng.randint(30, 400))
                if verified
                else None,
                invalid_at=self.now - dt.timedelta(days=rng.randint(1, 30))
                if wrong_number
                else None,
                invalid_reason="wrong number" if wrong_number else "",
            )
        )
        if rng.random() < 0.8:
            domain = "example.cn" if customer.country == "CN" else "example.com"
            points.append(
                ContactPoint(
                    channel=ContactPoint.Channel.EMAIL,
                    value=f"{email_local}@{domain}",
                    opted_out_at=self.now - dt.timedelta(days=rng.randint(1, 60))
                    if rng.random() < 0.05
                    else None,
                )
            )
        if rng.random() < 0.35:
            relationship = rng.choice(
                [
                    ContactPoint.Relationship.SPOUSE,
                    ContactPoint.Relationship.EMERGENCY_CONTACT,
                    ContactPoint.Relationship.RELATIVE,
                ]
            )
            points.append(
                ContactPoint(
                    channel=ContactPoint.Channel.PHONE,
                    value=partner[1],
                    relationship=relationship,
                    contact_name=partner[0],
                    refused_at=self.now - dt.timedelta(days=rng.randint(1, 90))
                    if rng.random() < 0.1
                    else None,
                )
            )
        return customer, points

    def schedule(
        self, state: str
    ) -> tuple[list[tuple[dt.date, Decimal, Decimal]], str]:
        """Instalments (due date, amount due, amount paid) in `state`, and a product."""
        rng = self.rng
        product = rng.choice(list(PRODUCTS))
        low, high, step, terms = PRODUCTS[product]
        principal = Decimal(rng.randrange(low, high + 1, step))
        label, min_dpd, max_dpd, _ = next(s for s in STATES if s[0] == state)
        if state == "current":
            first_unpaid = self.today + dt.timedelta(days=rng.randint(0, 27))
        else:
            first_unpaid = self.today - dt.timedelta(days=rng.randint(min_dpd, max_dpd))
        # Instalments from the first unpaid one up to today, plus one to come.
        needed = (self.today - first_unpaid).days // 28 + 2
        term = rng.choice(terms)
        if term < needed + 1:
            term = needed + rng.randint(1, 6)
        paid_before = rng.randint(0, term - needed)
        amount = (principal / term).quantize(CENT)
        rows = []
        for index in range(term):
            due = add_months(first_unpaid, index - paid_before)
            due_amount = amount if index < term - 1 else principal - amount * (term - 1)
            if index < paid_before:
                paid = due_amount
            elif index == paid_before and state != "current" and rng.random() < 0.3:
                # A partial payment leaves the instalment (and its DPD) unpaid.
                paid = (due_amount * Decimal(rng.randint(20, 80)) / 100).quantize(CENT)
            else:
                paid = Decimal("0.00")
            rows.append((due, due_amount, paid))
        return rows, product

    def seed_portfolio(self, count: int) -> None:
        rng = self.rng
        customers, points_by_customer, loan_specs = [], [], []
        state_labels = [s[0] for s in STATES]
        weights = [s[3] for s in STATES]
        for number in range(1, count + 1):
            customer, points = self.make_customer(number)
            customers.append(customer)
            points_by_customer.append(points)
            # The first customers cycle through every state, so that even a small
            # portfolio populates every bucket; then the weights take over.
            if number <= len(STATES):
                state = state_labels[number - 1]
            else:
                state = rng.choices(state_labels, weights)[0]
            loan_specs.append((customer, state, False))
            if rng.random() < 0.3:
                # A second loan: mostly current, sometimes already paid off.
                paid_off = rng.random() < 0.2
                loan_specs.append((customer, "current", paid_off))

        Customer.objects.bulk_create(customers)
        points = []
        for customer, customer_points in zip(
            customers, points_by_customer, strict=True
        ):
            for point in customer_points:
                point.customer = customer
                points.append(point)
        ContactPoint.objects.bulk_create(points)

        loans, schedules = [], []
        for number, (customer, state, paid_off) in enumerate(loan_specs, start=1):
            rows, product = self.schedule(state)
            if paid_off:
                rows = [(due, amount, amount) for due, amount, _ in rows]
                shift = (rows[-1][0] - self.today).days + rng.randint(20, 200)
                rows = [(due - dt.timedelta(days=shift), a, p) for due, a, p in rows]
            balance = sum((a - p for _, a, p in rows), Decimal("0.00"))
            loans.append(
                Loan(
                    reference=f"LN{number:08d}",
                    customer=customer,
                    product=product,
                    currency="CNY",
                    principal=sum((a for _, a, _ in rows), Decimal("0.00")),
                    outstanding_balance=balance,
                    status=Loan.Status.PAID if paid_off else Loan.Status.ACTIVE,
                    opened_on=add_months(rows[0][0], -1),
                )
            )
            schedules.append(rows)
        Loan.objects.bulk_create(loans)

        instalments = []
        for loan, rows in zip(loans, schedules, strict=True):
            for sequence, (due, amount, paid) in enumerate(rows, start=1):
                instalments.append(
                    Instalment(
                        loan=loan,
                        sequence=sequence,
                        due_date=due,
                        amount_due=amount,
                        amount_paid=paid,
                    )
                )
        Instalment.objects.bulk_create(instalments, batch_size=2000)

        # One past payment per (partly) paid instalment, received around its due date.
        payments, allocations = [], []
        for instalment in instalments:
            if instalment.amount_paid <= 0:
                continue
            received = dt.datetime.combine(
                instalment.due_date - dt.timedelta(days=rng.randint(0, 3)),
                dt.time(rng.randint(8, 20), rng.randint(0, 59)),
                tzinfo=ZoneInfo("Asia/Shanghai"),
            )
            payment = Payment(
                reference=f"PAY-{instalment.loan.reference}-{instalment.sequence:03d}",
                loan=instalment.loan,
                amount=instalment.amount_paid,
                currency="CNY",
                received_at=received,
            )
            payments.append(payment)
            allocations.append((payment, instalment))
        Payment.objects.bulk_create(payments, batch_size=2000)
        PaymentAllocation.objects.bulk_create(
            [
                PaymentAllocation(payment=p, instalment=i, amount=p.amount)
                for p, i in allocations
            ],
            batch_size=2000,
        )
        self.counts = {
            "customers": len(customers),
            "contact points": len(points),
            "loans": len(loans),
            "instalments": len(instalments),
            "past payments": len(payments),
        }
        self.say(2, f"Portfolio: {self.counts}")

    # -- work on the cases ---------------------------------------------------------

    def assign_cases(self, open_cases: list[Case]) -> None:
        """Give about a fifth of the queued cases to a collector of the queue's team."""
        by_user: dict[int, list[int]] = {}
        for case in open_cases:
            if case.queue is None or self.rng.random() >= 0.2:
                continue
            user = self.rng.choice(self.team_collectors[case.queue.team_id])
            case.assigned_to = user
            by_user.setdefault(user.pk, []).append(case.pk)
        for user_id, case_ids in by_user.items():
            Case.objects.filter(pk__in=case_ids).update(assigned_to_id=user_id)

    def collector_for(self, case: Case):
        if case.assigned_to is not None:
            return case.assigned_to
        if case.queue is not None:
            return self.rng.choice(self.team_collectors[case.queue.team_id])
        return self.users["collector"]

    def seed_restrictions(self) -> None:
        rng = self.rng
        kinds_by_country = {
            "CN": [
                (
                    ContactRestriction.Kind.DISPUTE,
                    "",
                    "客户对账单金额提出异议，核查中。",
                ),
                (ContactRestriction.Kind.CHANNEL_OPT_OUT, "sms", "客户回复退订短信。"),
                (ContactRestriction.Kind.VULNERABILITY, "", "客户告知正在住院治疗。"),
            ],
            "US": [
                (ContactRestriction.Kind.ATTORNEY, "", "Represented by counsel."),
                (
                    ContactRestriction.Kind.CEASE_COMMUNICATION,
                    "",
                    "Written request to cease communication.",
                ),
            ],
            "GB": [
                (
                    ContactRestriction.Kind.BREATHING_SPACE,
                    "",
                    "Standard breathing space (Debt Respite Scheme).",
                ),
                (ContactRestriction.Kind.VULNERABILITY, "", "Bereavement disclosed."),
            ],
        }
        restrictions = []
        customers = Customer.objects.order_by("reference").only("pk", "country")
        for customer in customers:
            if rng.random() >= 0.04:
                continue
            kind, channel, reason = rng.choice(kinds_by_country[customer.country])
            starts = self.now - dt.timedelta(days=rng.randint(1, 40))
            ends = None
            if kind == ContactRestriction.Kind.BREATHING_SPACE:
                ends = starts + dt.timedelta(days=60)
            restrictions.append(
                ContactRestriction(
                    customer=customer,
                    kind=kind,
                    channel=channel,
                    starts_at=starts,
                    ends_at=ends,
                    reason=reason,
                    source="demo",
                    recorded_by=self.users["supervisor"],
                )
            )
        ContactRestriction.objects.bulk_create(restrictions)
        self.counts["restrictions"] = len(restrictions)

    def seed_calls(self, open_cases: list[Case]) -> None:
        """Past calls with their ledger rows, in the customer's daytime."""
        rng = self.rng
        phones = {}
        for point in ContactPoint.objects.filter(
            channel=ContactPoint.Channel.PHONE,
            relationship=ContactPoint.Relationship.SELF,
            invalid_at__isnull=True,
        ):
            phones.setdefault(point.customer_id, point)
        attempts, calls = [], []
        for case in open_cases:
            point = phones.get(case.customer_id)
            if point is None or rng.random() >= 0.45:
                continue
            zone = ZoneInfo(case.customer.time_zone or "Asia/Shanghai")
            days = sorted(rng.sample(range(1, 15), rng.randint(1, 3)), reverse=True)
            for days_ago in days:
                local_day = self.today - dt.timedelta(days=days_ago)
                started = dt.datetime.combine(
                    local_day,
                    dt.time(rng.randint(9, 19), rng.randint(0, 59)),
                    tzinfo=zone,
                )
                collector = self.collector_for(case)
                if rng.random() < 0.5:
                    result = ContactAttempt.Result.NO_ANSWER
                    outcome, attitude = (
                        CallLog.Outcome.NO_ANSWER,
                        CallLog.Attitude.UNKNOWN,
                    )
                    notes, seconds, talked = "", rng.randint(15, 40), False
                else:
                    result = ContactAttempt.Result.CONVERSATION
                    outcome, attitude, notes = rng.choice(CONVERSATION_OUTCOMES)
                    seconds, talked = rng.randint(60, 600), True
                ended = started + dt.timedelta(seconds=seconds)
                attempt = ContactAttempt(
                    customer_id=case.customer_id,
                    case=case,
                    contact_point=point,
                    contact_value=point.value,
                    channel="call",
                    at=started,
                    allowed=True,
                    result=result,
                    completed_at=ended,
                    source="demo",
                    actor=collector,
                )
                attempts.append(attempt)
                calls.append(
                    CallLog(
                        reference=f"CALL-{len(calls) + 1:07d}",
                        case=case,
                        collector=collector,
                        contact_point=point,
                        contact_attempt=attempt,
                        started_at=started,
                        ended_at=ended,
                        duration_seconds=seconds if talked else 0,
                        outcome=outcome,
                        right_party_contact=talked,
                        identity_confirmed=talked,
                        disclosure_made=talked,
                        attitude=attitude,
                        notes=notes,
                    )
                )
        ContactAttempt.objects.bulk_create(attempts, batch_size=2000)
        CallLog.objects.bulk_create(calls, batch_size=2000)
        last_contact = (
            ContactAttempt.objects.filter(
                case=OuterRef("pk"), result=ContactAttempt.Result.CONVERSATION
            )
            .values("case")
            .annotate(last=Max("at"))
            .values("last")
        )
        Case.objects.open().update(last_contact_at=Subquery(last_contact))
        self.counts["calls"] = len(calls)

    def seed_promises_and_plans(self, open_cases: list[Case]) -> None:
        rng = self.rng
        broken, active_plans, plan_rows = [], [], []
        proposed = pending = 0
        for case in open_cases:
            roll = rng.random()
            collector = self.collector_for(case)
            overdue = case.overdue_amount
            if roll < 0.12:
                # A promise to come, through the service (validated, with history).
                services.promise_record(
                    case=case,
                    amount=overdue,
                    due_date=self.today + dt.timedelta(days=rng.randint(1, 14)),
                    created_by=collector,
                )
                pending += 1
            elif roll < 0.20:
                due = self.today - dt.timedelta(days=rng.randint(1, 20))
                broken.append(
                    PromiseToPay(
                        case=case,
                        amount=(overdue / 2).quantize(CENT),
                        currency=case.currency,
                        due_date=due,
                        status=PromiseToPay.Status.BROKEN,
                        made_at=timezone.make_aware(
                            dt.datetime.combine(due - dt.timedelta(days=7), dt.time(10))
                        ),
                        resolved_at=timezone.make_aware(
                            dt.datetime.combine(due + dt.timedelta(days=1), dt.time(2))
                        ),
                        created_by=collector,
                    )
                )
            elif roll < 0.25 and case.max_days_past_due > 30:
                # An agreed plan: the overdue amount over three to six months.
                parts = rng.randint(3, 6)
                share = (overdue / parts).quantize(CENT)
                plan = RepaymentPlan(
                    reference=f"RP-DEMO{len(active_plans) + 1:05d}",
                    case=case,
                    kind=RepaymentPlan.Kind.INSTALMENTS,
                    status=RepaymentPlan.Status.ACTIVE,
                    total_amount=overdue,
                    currency=case.currency,
                    reason="客户收入下降，申请分期偿还逾期款项。",
                    requested_by_customer=True,
                    proposed_by=collector,
                    decided_by=self.users["supervisor"],
                    decided_at=self.now - dt.timedelta(days=rng.randint(1, 10)),
                    decision_reason="Income verified.",
                )
                active_plans.append(plan)
                first = self.today + dt.timedelta(days=rng.randint(3, 25))
                for sequence in range(1, parts + 1):
                    amount = (
                        share if sequence < parts else overdue - share * (parts - 1)
                    )
                    plan_rows.append(
                        RepaymentPlanInstalment(
                            plan=plan,
                            sequence=sequence,
                            due_date=add_months(first, sequence - 1),
                            amount=amount,
                        )
                    )
            elif roll < 0.29:
                # Waiting for the supervisor: instalments or a one-off deferral.
                if rng.random() < 0.5:
                    kind = RepaymentPlan.Kind.DEFERRAL
                    schedule = [
                        {
                            "due_date": self.today + dt.timedelta(days=30),
                            "amount": overdue,
                        }
                    ]
                    reason = "Customer between jobs; asks to defer one month."
                else:
                    kind = RepaymentPlan.Kind.INSTALMENTS
                    half = (overdue / 2).quantize(CENT)
                    schedule = [
                        {
                            "due_date": self.today + dt.timedelta(days=14),
                            "amount": half,
                        },
                        {
                            "due_date": self.today + dt.timedelta(days=44),
                            "amount": overdue - half,
                        },
                    ]
                    reason = "客户申请两期还清逾期金额。"
                services.plan_propose(
                    case=case,
                    kind=kind,
                    instalments=schedule,
                    reason=reason,
                    proposed_by=collector,
                    requested_by_customer=True,
                )
                proposed += 1
        PromiseToPay.objects.bulk_create(broken)
        RepaymentPlan.objects.bulk_create(active_plans)
        RepaymentPlanInstalment.objects.bulk_create(plan_rows)
        self.counts.update(
            {
                "pending promises": pending,
                "broken promises": len(broken),
                "active plans": len(active_plans),
                "proposed plans": proposed,
            }
        )

    def seed_live_payments(self, open_cases: list[Case]) -> None:
        """A few customers pay their arrears today, through payment_record: their cases
        close (cured, or paid when nothing is owed), promises are kept."""
        rng = self.rng
        recorded = 0
        for case in open_cases:
            if rng.random() >= 0.05:
                continue
            loans = Loan.objects.filter(
                customer_id=case.customer_id,
                status=Loan.Status.ACTIVE,
                overdue_amount__gt=0,
            ).order_by("reference")
            for loan in loans:
                recorded += 1
                amount = loan.overdue_amount
                if rng.random() < 0.2:
                    amount = loan.outstanding_balance  # settles the whole loan
                services.payment_record(
                    reference=f"DEMO-{self.today:%Y%m%d}-{recorded:05d}",
                    loan=loan,
                    amount=amount,
                    currency=loan.currency,
                    received_at=self.now - dt.timedelta(minutes=rng.randint(5, 600)),
                )
        self.counts["payments today"] = recorded

    def report(self, seconds: float, *, dry_run: bool) -> None:
        if self.verbosity < 1:
            return
        buckets = {}
        for state in STATES:
            label = "" if state[0] == "current" else state[0]
            buckets[state[0]] = Loan.objects.filter(
                status=Loan.Status.ACTIVE, bucket=label
            ).count()
        verb = "Would seed" if dry_run else "Seeded"
        figures = ", ".join(f"{n} {what}" for what, n in self.counts.items())
        self.stdout.write(self.style.SUCCESS(f"{verb} {figures} in {seconds:.1f} s."))
        if not dry_run:
            self.stdout.write(
                "Active loans by bucket: "
                + ", ".join(f"{k} {v}" for k, v in buckets.items())
                + f"; open cases {Case.objects.open().count()}."
            )
            self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
            for username, _, _, role, team, supervises in DEMO_USERS:
                where = TEAM_NAMES.get(team or supervises or "", "everything")
                self.stdout.write(f"  {username:<11} {role:<10} {where}")
