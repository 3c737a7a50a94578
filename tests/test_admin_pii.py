"""The Django admin shows PII masked, in lists, change pages and history, as the case
page does until an audited reveal; restrictions cannot be deleted there and call logs
cannot be edited (corrections are new records with a reason)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from calls.models import CallLog
from cases.models import ContactPoint, Customer
from compliance.models import ContactAttempt, ContactRestriction
from core.history import history_save
from tests.cases.factories import CaseFactory, ContactPointFactory, CustomerFactory

pytestmark = pytest.mark.django_db

NATIONAL_ID = "110101199001011234"
ADDRESS = "上海市黄浦区南京东路100号3号楼502室"
PHONE = "+8613800138000"
EMAIL = "hanmeimei@example.cn"
SECRETS = (NATIONAL_ID, ADDRESS, PHONE, EMAIL, PHONE[3:], "hanmeimei@")


@pytest.fixture
def customer(db):
    customer = CustomerFactory(national_id=NATIONAL_ID, address=ADDRESS)
    ContactPointFactory(customer=customer, value=PHONE)
    ContactPointFactory(customer=customer, channel="email", value=EMAIL)
    return customer


@pytest.fixture
def web(client, admin_user):
    client.force_login(admin_user)
    return client


def url(model, page, *args):
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{page}", args=args)


def assert_no_pii(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, secret


def test_the_customer_change_page_masks_national_id_address_and_contact_points(
    web, customer
):
    page = web.get(url(Customer, "change", customer.pk))

    assert page.status_code == 200
    assert_no_pii(page.text)
    assert "110***********1234" in page.text
    assert "+86138****8000" in page.text
    assert "h***@example.cn" in page.text


def test_saving_a_customer_in_the_admin_keeps_the_masked_values(web, customer):
    page = web.get(url(Customer, "change", customer.pk))
    form = page.context["adminform"].form

    assert "national_id" not in form.fields and "address" not in form.fields
    customer.refresh_from_db()
    assert customer.national_id == NATIONAL_ID


def test_the_customer_history_masks_old_and_new_values(web, customer):
    customer.national_id = "110101198001015678"
    history_save(customer, reason="corrected national id")
    record = customer.history.order_by("history_id").first()

    listing = web.get(url(Customer, "history", customer.pk))
    version = web.get(
        reverse("admin:cases_customer_simple_history", args=[customer.pk, record.pk])
    )

    for page in (listing, version):
        assert page.status_code == 200
        assert_no_pii(page.text)
        assert "110101198001015678" not in page.text


def test_the_contact_point_pages_mask_the_value(web, customer):
    point = customer.contact_points.get(channel="phone")

    listing = web.get(url(ContactPoint, "changelist"))
    change = web.get(url(ContactPoint, "change", point.pk))
    history = web.get(url(ContactPoint, "history", point.pk))

    for page in (listing, change, history):
        assert page.status_code == 200
        assert_no_pii(page.text)
    assert "+86138****8000" in change.text


def test_the_call_and_attempt_pages_mask_the_number(web, customer, collector, queue):
    case = CaseFactory(customer=customer, queue=queue)
    point = customer.contact_points.get(channel="phone")
    now = timezone.now()
    attempt = ContactAttempt.objects.create(
        customer=customer,
        case=case,
        contact_point=point,
        contact_value=PHONE,
        channel="call",
        at=now,
        allowed=True,
        result=ContactAttempt.Result.CONVERSATION,
    )
    call = CallLog.objects.create(
        reference="CALL-PII",
        case=case,
        collector=collector,
        contact_point=point,
        contact_attempt=attempt,
        started_at=now,
        ended_at=now + dt.timedelta(minutes=2),
        outcome=CallLog.Outcome.OTHER,
    )

    for page in (
        web.get(url(CallLog, "changelist")),
        web.get(url(CallLog, "change", call.pk)),
        web.get(url(ContactAttempt, "change", attempt.pk)),
    ):
        assert page.status_code == 200
        assert_no_pii(page.text)


def test_a_restriction_cannot_be_deleted_in_the_admin(web, customer):
    restriction = ContactRestriction.objects.create(
        customer=customer,
        kind=ContactRestriction.Kind.CEASE_COMMUNICATION,
        starts_at=timezone.now(),
        reason="Written request.",
    )

    page = web.get(url(ContactRestriction, "delete", restriction.pk))
    bulk = web.post(
        url(ContactRestriction, "changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [restriction.pk],
            "post": "yes",
        },
    )
    listing = web.get(url(ContactRestriction, "changelist"))

    assert page.status_code == 403
    assert bulk.status_code in (200, 302)
    assert ContactRestriction.objects.filter(pk=restriction.pk).exists()
    assert "delete_selected" not in listing.text


def test_a_call_log_cannot_be_edited_in_the_admin(web, customer, collector, queue):
    case = CaseFactory(customer=customer, queue=queue)
    now = timezone.now()
    call = CallLog.objects.create(
        reference="CALL-EVIDENCE",
        case=case,
        collector=collector,
        contact_point=customer.contact_points.get(channel="phone"),
        started_at=now,
        ended_at=now + dt.timedelta(minutes=2),
        outcome=CallLog.Outcome.OTHER,
        notes="Customer disputes the amount.",
    )

    response = web.post(
        url(CallLog, "change", call.pk),
        {"reference": "CALL-EVIDENCE", "notes": "Customer agreed to pay."},
    )

    assert response.status_code == 403
    call.refresh_from_db()
    assert call.notes == "Customer disputes the amount."
    assert web.get(url(CallLog, "add")).status_code == 403
