"""Factories for the compliance ledger: restrictions and contact attempts."""

import datetime as dt

import factory
from django.utils import timezone

from compliance import models
from tests.cases.factories import ContactPointFactory, CustomerFactory


class UsCustomerFactory(CustomerFactory):
    country = "US"
    region = "CA"
    language = "en"


class UkCustomerFactory(CustomerFactory):
    country = "GB"
    region = "ENG"
    language = "en"


class ContactRestrictionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ContactRestriction

    customer = factory.SubFactory(CustomerFactory)
    kind = models.ContactRestriction.Kind.CEASE_COMMUNICATION
    starts_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    reason = "Test restriction"


class ContactAttemptFactory(factory.django.DjangoModelFactory):
    """An allowed, completed call to the customer's own number."""

    class Meta:
        model = models.ContactAttempt

    customer = factory.SubFactory(CustomerFactory)
    contact_point = factory.SubFactory(
        ContactPointFactory, customer=factory.SelfAttribute("..customer")
    )
    contact_value = factory.LazyAttribute(
        lambda o: o.contact_point.value if o.contact_point else ""
    )
    third_party = factory.LazyAttribute(
        lambda o: bool(o.contact_point and o.contact_point.is_third_party)
    )
    channel = models.Channel.CALL
    at = factory.LazyFunction(timezone.now)
    allowed = True
    result = models.ContactAttempt.Result.NO_ANSWER
    source = "test"


# --- pure inputs for rule and engine tests (no database) ----------------------------

OWN_PHONE = "+8613800138000"


def own_point(value: str = OWN_PHONE, *, id: int = 1, kind: str = "phone", **kwargs):
    from compliance.rules.base import Point

    return Point(id=id, kind=kind, value=value, is_primary=True, **kwargs)


def third_party_point(value: str = "+8613900139000", *, id: int = 2, **kwargs):
    from compliance.rules.base import Point

    kwargs.setdefault("relationship", "emergency_contact")
    return Point(id=id, kind="phone", value=value, **kwargs)


def call(at, result="no_answer", *, value: str = OWN_PHONE, loan_id=None, **kwargs):
    from compliance.rules.base import Event

    return Event(
        at=at, channel="call", result=result, contact_value=value, loan_id=loan_id,
        **kwargs,
    )  # fmt: skip


def rule_context(
    pack="cn",
    *,
    channel: str = "call",
    purpose: str = "collection",
    point="own",
    loan_id=None,
    country: str | None = None,
    region: str = "",
    time_zone: str = "",
    stated_time_zone: str = "",
    restrictions=(),
    events=(),
    own_phones=None,
    holidays=frozenset(),
    consents=(),
    preferences=(),
    **parameters,
):
    """A Context as the selectors would build it, from plain values.

    `pack` is a pack code (shipped defaults, with `parameters` merged over them) or a
    compiled Pack. `point="own"` is the customer's own phone (or email/address by
    channel); pass a Point or None to choose.
    """
    from compliance.packs import compile_pack, default_parameters, merge_parameters
    from compliance.rules.base import POINT_KIND_FOR_CHANNEL, Context
    from compliance.rules.zones import candidate_zones, person_phones

    if isinstance(pack, str):
        params = merge_parameters(default_parameters(pack), parameters)
        pack = compile_pack(pack, 1, params)
    if point == "own":
        kind = POINT_KIND_FOR_CHANNEL[channel]
        value = {"phone": OWN_PHONE, "email": "a@example.com", "address": "1 Road"}[
            kind
        ]
        point = own_point(value, kind=kind)
    country = country or {"cn": "CN", "us": "US", "uk": "GB"}.get(pack.code, "CN")
    if own_phones is None:
        own_phones = (
            (point.value,)
            if point is not None and point.kind == "phone" and not point.third_party
            else (OWN_PHONE,)
        )
    phones = [own_point(v) for v in own_phones]
    zones = candidate_zones(
        stated=stated_time_zone,
        held=time_zone,
        country=country,
        region=region,
        # As the selectors do: every own number, the dialled one first.
        phones=person_phones(phones, point) if pack.window_intersection else (),
        fallback=pack.zone.key,
        intersection=pack.window_intersection,
    )
    return Context(
        pack=pack,
        channel=channel,
        purpose=purpose,
        point=point,
        loan_id=loan_id,
        zones=zones,
        calendar_zone=zones[0],
        restrictions=list(restrictions),
        events=list(events),
        own_phones=tuple(own_phones),
        holidays=frozenset(holidays),
        consents=list(consents),
        preferences=list(preferences),
    )
