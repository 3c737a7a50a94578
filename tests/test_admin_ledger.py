"""The admin cannot rewrite the ledger, payments, restrictions or call logs (issue 15,
finding 2): simple-history's revert view is off, and the evidence admins are view-only
(or add-only)."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse

from calls.models import CallLog
from cases.models import Payment, PaymentAllocation
from compliance.models import ContactAttempt, ContactRestriction, Decision
from tests.test_admin import portfolio  # noqa: F401 - the shared fixture


def _url(model, page, *args):
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{page}", args=args)


@pytest.mark.django_db
def test_the_history_revert_view_does_not_rewrite_an_attempt_or_a_payment(
    client,
    admin_user,
    portfolio,  # noqa: F811
):
    """The review's finding: a POST to the revert URL, with view permission only,
    turned a conversation into `no_answer` and a payment of 100 into 999,999."""
    client.force_login(admin_user)
    attempt = ContactAttempt.objects.get()
    old = attempt.history.earliest()
    payment = Payment.objects.get()
    old_payment = payment.history.earliest()
    forged = {
        ContactAttempt: (
            attempt,
            old,
            {
                "customer": attempt.customer_id,
                "channel": "call",
                "purpose": "collection",
                "at_0": "2026-01-01",
                "at_1": "10:00:00",
                "allowed": "on",
                "result": "no_answer",
                "source": "system",
                "contact_value": "+8613900000000",
            },
        ),
        Payment: (
            payment,
            old_payment,
            {
                "reference": "PAY-1",
                "loan": payment.loan_id,
                "amount": "999999.00",
                "currency": "CNY",
                "received_at_0": "2026-01-01",
                "received_at_1": "10:00:00",
                "unallocated_amount": "0",
            },
        ),
    }
    for model, (obj, record, data) in forged.items():
        url = _url(model, "simple_history", obj.pk, record.history_id)
        client.post(url, data)
        obj.refresh_from_db()
    attempt.refresh_from_db()
    payment.refresh_from_db()
    assert attempt.result == ContactAttempt.Result.CONVERSATION
    assert attempt.contact_value == "+8613800138000"
    assert payment.amount == Decimal("100.00")
    assert attempt.history.count() == 1
    assert payment.history.count() == 1


@pytest.mark.django_db
def test_the_revert_setting_is_on(settings):
    assert settings.SIMPLE_HISTORY_REVERT_DISABLED is True


@pytest.mark.django_db
def test_the_evidence_admins_never_change_or_delete(rf, admin_user):
    request = rf.get("/")
    request.user = admin_user
    for model in (Decision, ContactAttempt, Payment, PaymentAllocation, CallLog):
        model_admin = admin.site._registry[model]
        assert not model_admin.has_add_permission(request), model
        assert not model_admin.has_change_permission(request), model
        assert not model_admin.has_delete_permission(request), model
    restrictions = admin.site._registry[ContactRestriction]
    assert not restrictions.has_delete_permission(request)
    # Corrections are new records with a reason: a restriction can still be added.
    assert restrictions.has_add_permission(request)


@pytest.mark.django_db
def test_the_admin_cannot_delete_a_restriction_or_edit_a_call_log(
    client,
    admin_user,
    portfolio,  # noqa: F811
):
    client.force_login(admin_user)
    restriction = ContactRestriction.objects.get()
    assert (
        client.get(_url(ContactRestriction, "delete", restriction.pk)).status_code
        == 403
    )
    response = client.post(
        _url(ContactRestriction, "changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [restriction.pk],
            "post": "yes",
        },
    )
    assert ContactRestriction.objects.filter(pk=restriction.pk).exists()
    call = CallLog.objects.get()
    response = client.post(_url(CallLog, "change", call.pk), {"notes": "rewritten"})
    assert response.status_code == 403
    call.refresh_from_db()
    assert call.notes != "rewritten"
    for model in (Payment, PaymentAllocation):
        obj = model.objects.first()
        assert client.get(_url(model, "delete", obj.pk)).status_code == 403
        assert client.post(_url(model, "change", obj.pk), {}).status_code == 403


def test_every_history_admin_refuses_the_revert_post():
    """SIMPLE_HISTORY_REVERT_DISABLED alone only hides the button: every admin with
    history must be core.admin.HistoryAdmin, which refuses the POST."""
    from simple_history.admin import SimpleHistoryAdmin

    from core.admin import HistoryAdmin

    unsafe = [
        type(model_admin).__name__
        for model_admin in admin.site._registry.values()
        if isinstance(model_admin, SimpleHistoryAdmin)
        and not isinstance(model_admin, HistoryAdmin)
    ]
    assert unsafe == []
