"""The demo's people and portfolio: teams, bucket queues and the demo users; then
customers (mostly Chinese, a few in the US and UK) with valid phone numbers, emails and
third-party contacts, CNY loans with monthly schedules placed so that every DPD bucket
is populated, and past payments.

Written with bulk_create for speed, so it has no history rows (accepted for bulk
writes, DESIGN.md section 8).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import phonenumbers
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import CommandError
from django.utils.translation import gettext_noop as N_

from cases.models import (
    ContactPoint,
    Customer,
    Instalment,
    Loan,
    Payment,
    PaymentAllocation,
    Team,
    WorkQueue,
)

from .data import (
    CENT,
    CN_GIVEN,
    CN_MOBILE_PREFIXES,
    CN_REGIONS,
    CN_STREETS,
    CN_SURNAMES,
    DEMO_PASSWORD,
    DEMO_USERS,
    EN_FIRST,
    EN_LAST,
    PRODUCTS,
    STATES,
    TEAM_NAMES,
    UK_REGIONS,
    US_STATES,
    DemoRun,
    add_months,
    cn_national_id,
)

# -- people --------------------------------------------------------------------------


def seed_people(run: DemoRun) -> None:
    teams = {
        key: Team.objects.get_or_create(name=name)[0]
        for key, name in TEAM_NAMES.items()
    }
    # One hash for all demo users: PBKDF2 is deliberately slow, and they share
    # the published demo password anyway.
    password = make_password(DEMO_PASSWORD)
    User = get_user_model()
    run.users = {}
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
        run.users[username] = user
    run.team_collectors = {
        teams["A"].pk: [run.users["collector"], run.users["collector2"]],
        teams["B"].pk: [run.users["collector3"]],
    }
    queues = [
        ("early", N_("Early arrears (1-30)"), ["1-30"], "A", 10),
        ("mid", N_("Mid arrears (31-90)"), ["31-60", "61-90"], "A", 20),
        ("late", N_("Late arrears (90+)"), ["90+"], "B", 30),
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


# -- customers and loans -------------------------------------------------------------


def unique_number(run: DemoRun, make) -> str:
    for _ in range(50):
        number = make()
        parsed = phonenumbers.parse(number)
        if number not in run.used_numbers and phonenumbers.is_valid_number(parsed):
            run.used_numbers.add(number)
            return number
    raise CommandError("Could not generate a valid phone number.")


def cn_mobile(run: DemoRun) -> str:
    rng = run.rng
    return unique_number(
        run,
        lambda: f"+86{rng.choice(CN_MOBILE_PREFIXES)}{rng.randint(0, 10**8 - 1):08d}",
    )


def us_mobile(run: DemoRun, area_codes: list[str]) -> str:
    rng = run.rng

    def make() -> str:
        exchange = rng.randint(200, 999)
        while exchange % 100 == 11 or exchange == 555:
            exchange = rng.randint(200, 999)
        return f"+1{rng.choice(area_codes)}{exchange}{rng.randint(0, 9999):04d}"

    return unique_number(run, make)


def uk_mobile(run: DemoRun) -> str:
    rng = run.rng
    return unique_number(
        run, lambda: f"+447{rng.choice('45789')}{rng.randint(0, 10**8 - 1):08d}"
    )


def cn_name(run: DemoRun) -> tuple[str, str]:
    surname, surname_py = run.rng.choice(CN_SURNAMES)
    given, given_py = run.rng.choice(CN_GIVEN)
    return surname + given, f"{given_py}.{surname_py}"


def make_customer(run: DemoRun, number: int) -> tuple[Customer, list[ContactPoint]]:
    rng = run.rng
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
        phone = us_mobile(run, other)
        email_local = f"{first}.{last}{number}".lower()
        partner = (f"{rng.choice(EN_FIRST)} {last}", us_mobile(run, area_codes))
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
        phone = uk_mobile(run)
        email_local = f"{first}.{last}{number}".lower()
        partner = (f"{rng.choice(EN_FIRST)} {last}", uk_mobile(run))
    else:  # China
        region, address, area = rng.choice(CN_REGIONS)
        name, pinyin = cn_name(run)
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
        phone = cn_mobile(run)
        email_local = f"{pinyin}{number}"
        partner = (cn_name(run)[0], cn_mobile(run))

    wrong_number = rng.random() < 0.03
    verified = rng.random() < 0.6
    points.append(
        ContactPoint(
            channel=ContactPoint.Channel.PHONE,
            value=phone,
            is_primary=True,
            consent_at=run.now - dt.timedelta(days=rng.randint(200, 900)),
            verified_at=run.now - dt.timedelta(days=rng.randint(30, 400))
            if verified
            else None,
            invalid_at=run.now - dt.timedelta(days=rng.randint(1, 30))
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
                opted_out_at=run.now - dt.timedelta(days=rng.randint(1, 60))
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
                refused_at=run.now - dt.timedelta(days=rng.randint(1, 90))
                if rng.random() < 0.1
                else None,
            )
        )
    if customer.address:
        # The postal address letters go to (no random draw: the rest of the demo
        # stays the same for a given seed).
        points.append(
            ContactPoint(channel=ContactPoint.Channel.ADDRESS, value=customer.address)
        )
    return customer, points


def schedule(
    run: DemoRun, state: str
) -> tuple[list[tuple[dt.date, Decimal, Decimal]], str]:
    """Instalments (due date, amount due, amount paid) in `state`, and a product."""
    rng = run.rng
    product = rng.choice(list(PRODUCTS))
    low, high, step, terms = PRODUCTS[product]
    principal = Decimal(rng.randrange(low, high + 1, step))
    label, min_dpd, max_dpd, _ = next(s for s in STATES if s[0] == state)
    if state == "current":
        first_unpaid = run.today + dt.timedelta(days=rng.randint(0, 27))
    else:
        first_unpaid = run.today - dt.timedelta(days=rng.randint(min_dpd, max_dpd))
    # Instalments from the first unpaid one up to today, plus one to come.
    needed = (run.today - first_unpaid).days // 28 + 2
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


def seed_portfolio(run: DemoRun, count: int) -> None:
    rng = run.rng
    customers, points_by_customer, loan_specs = [], [], []
    state_labels = [s[0] for s in STATES]
    weights = [s[3] for s in STATES]
    for number in range(1, count + 1):
        customer, points = make_customer(run, number)
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
    for customer, customer_points in zip(customers, points_by_customer, strict=True):
        for point in customer_points:
            point.customer = customer
            points.append(point)
    ContactPoint.objects.bulk_create(points)

    loans, schedules = [], []
    for number, (customer, state, paid_off) in enumerate(loan_specs, start=1):
        rows, product = schedule(run, state)
        if paid_off:
            rows = [(due, amount, amount) for due, amount, _ in rows]
            shift = (rows[-1][0] - run.today).days + rng.randint(20, 200)
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
    run.counts = {
        "customers": len(customers),
        "contact points": len(points),
        "loans": len(loans),
        "instalments": len(instalments),
        "past payments": len(payments),
    }
    run.say(2, f"Portfolio: {run.counts}")
