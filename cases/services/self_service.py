"""The debtor's self-service link (issue 21, decision 50): issued when a reminder
that names `{{ self_service_link }}` is rendered, opened without a password, and
usable only after an identity check the link alone cannot pass.

- The token is 12 URL-safe characters (72 random bits), short enough for an SMS;
  only its sha256 is stored, so a database dump gives no working link.
- A link expires (SELF_SERVICE_LINK_DAYS), can be revoked, and locks for
  SELF_SERVICE_LOCK_MINUTES after SELF_SERVICE_MAX_FAILED_CHECKS wrong answers.
- The check asks the bank's configured question (SELF_SERVICE_IDENTITY_QUESTION;
  DESIGN.md: identity before disclosure): the last four characters of the national
  id, or the date of birth where the national id carries one (`identity_question`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError

from ..models import Case, Customer, SelfServiceEvent, SelfServiceLink

Kind = SelfServiceEvent.Kind


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def self_service_url(token: str) -> str:
    base = getattr(settings, "SELF_SERVICE_BASE_URL", "http://127.0.0.1:8000")
    return f"{base.rstrip('/')}/s/{token}/"


def self_service_link_issue(
    *, customer: Customer, case: Case | None = None, now: dt.datetime | None = None
) -> str:
    """A new link for `customer`; returns its URL (the only place the token is)."""
    now = now or timezone.now()
    token = secrets.token_urlsafe(9)
    SelfServiceLink.objects.create(
        customer=customer,
        case=case,
        token_hash=token_hash(token),
        expires_at=now + dt.timedelta(days=_setting("SELF_SERVICE_LINK_DAYS", 14)),
    )
    return self_service_url(token)


def self_service_link_get(
    token: str, *, now: dt.datetime | None = None
) -> SelfServiceLink | None:
    """The live link for `token`, or None (unknown, expired or revoked: the page
    says the same for each, so nobody learns which)."""
    now = now or timezone.now()
    if not token or len(token) > 64:
        return None
    link = (
        SelfServiceLink.objects.select_related("customer", "case")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if link is None or link.revoked_at is not None or link.expires_at <= now:
        return None
    return link


def self_service_event(
    link: SelfServiceLink, kind: str, detail: str = "", *, at=None
) -> None:
    SelfServiceEvent.objects.create(
        link=link,
        customer_id=link.customer_id,
        at=at or timezone.now(),
        kind=kind,
        detail=detail[:200],
    )


LAST4 = "national_id_last4"
DATE_OF_BIRTH = "date_of_birth"
# A PRC resident identity number (GB 11643-1999): 6 digits of region, the date of
# birth as YYYYMMDD, 3 digits of sequence and a check character.
RESIDENT_ID = re.compile(r"^\d{6}(\d{8})\d{3}[\dX]$")


def birth_date_from_national_id(national_id: str) -> dt.date | None:
    """The date of birth an 18-character PRC resident id carries, or None."""
    found = RESIDENT_ID.match((national_id or "").strip().upper())
    if not found:
        return None
    try:
        return dt.datetime.strptime(found.group(1), "%Y%m%d").date()
    except ValueError:
        return None


def identity_question(customer: Customer) -> str:
    """What the check asks this customer: the bank's question, except that the date
    of birth is asked only where the record carries it (the national id); the
    others get the last four characters of their id, which every record has."""
    question = getattr(settings, "SELF_SERVICE_IDENTITY_QUESTION", LAST4)
    if question == DATE_OF_BIRTH and birth_date_from_national_id(customer.national_id):
        return DATE_OF_BIRTH
    return LAST4


def _expected_answer(customer: Customer, question: str) -> str:
    if question == DATE_OF_BIRTH:
        born = birth_date_from_national_id(customer.national_id)
        return born.isoformat() if born else ""
    return (customer.national_id or "").strip().upper()[-4:]


def self_service_check(
    *, link: SelfServiceLink, answer: str, now: dt.datetime | None = None
) -> None:
    """Pass the identity check, or raise ApplicationError on `answer` (423 while
    the link is locked). Each try is recorded."""
    now = now or timezone.now()
    with transaction.atomic():
        link = SelfServiceLink.objects.select_for_update().get(pk=link.pk)
        if link.locked_until is not None and link.locked_until > now:
            raise ApplicationError(
                _("Too many wrong answers: try again later, or call us."),
                errors={"answer": [_("Too many wrong answers: try again later.")]},
                status=423,
            )
        # The answer to the question the page asked: four characters, or the date
        # of birth as an ISO date (the form's date field gives it so).
        question = identity_question(link.customer)
        expected = _expected_answer(link.customer, question)
        given = (answer or "").strip().upper()
        # Bytes: compare_digest refuses non-ASCII str (a 500, found by the fuzz test).
        if len(expected) >= 4 and hmac.compare_digest(
            given.encode(), expected.encode()
        ):
            link.failed_checks = 0
            link.locked_until = None
            link.last_verified_at = now
            link.save(
                update_fields=["failed_checks", "locked_until", "last_verified_at"]
            )
            self_service_event(link, Kind.CHECK_PASSED, at=now)
            return
        SelfServiceLink.objects.filter(pk=link.pk).update(
            failed_checks=F("failed_checks") + 1
        )
        link.refresh_from_db(fields=["failed_checks"])
        self_service_event(link, Kind.CHECK_FAILED, at=now)
        if link.failed_checks >= _setting("SELF_SERVICE_MAX_FAILED_CHECKS", 5):
            link.failed_checks = 0
            link.locked_until = now + dt.timedelta(
                minutes=_setting("SELF_SERVICE_LOCK_MINUTES", 30)
            )
            link.save(update_fields=["failed_checks", "locked_until"])
            self_service_event(link, Kind.LOCKED, at=now)
    raise ApplicationError(
        _("That does not match our records."),
        errors={"answer": [_("That does not match our records.")]},
        status=400,
    )


def self_service_link_revoke(*, link: SelfServiceLink, reason: str, user=None) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            _("Say why the link is revoked."), errors={"reason": [_("Required.")]}
        )
    now = timezone.now()
    SelfServiceLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_reason=reason[:200]
    )
    who = user.get_username() if user is not None else "-"
    self_service_event(link, Kind.REVOKED, f"{who}: {reason}", at=now)
