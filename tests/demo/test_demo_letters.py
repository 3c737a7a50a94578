"""Issue 17: `make run` shows letters on the demo data. The demo's ladder has a formal
notice letter at 45 days past due, its customers have a postal address, and the real
sweep, dispatcher and print batch turn that into PDFs on the case page and a batch."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from cases.models import Case, ContactPoint, EscalationPolicy
from compliance.models import ContactAttempt
from escalation.sweep import escalation_sweep
from messaging import services, sms
from messaging.models import Letter, OutboundMessage

pytestmark = pytest.mark.django_db

# A weekday morning in Shanghai, inside the cn window.
MORNING = dt.datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def letters_root(settings, tmp_path):
    settings.LETTERS_ROOT = tmp_path / "letters"


def test_the_demo_ladder_sends_formal_notice_letters_through_the_print_batch(
    time_machine, client
):
    time_machine.move_to(MORNING, tick=False)
    call_command("seed_demo", customers=40, verbosity=0)
    policy = EscalationPolicy.objects.get(is_default=True, status="active")
    letter = policy.steps.get(action="letter")
    assert (letter.trigger, letter.trigger_days, letter.template_code) == (
        "dpd",
        45,
        "formal-notice",
    )
    assert policy.version == 2  # a new version, activated with a reason
    assert (
        "formal notice" in policy.history.latest("history_date").history_change_reason
    )
    assert ContactPoint.objects.filter(channel="address").count() >= 40

    # The demo's history (demo/ladder.py) drew and batched letters in the past;
    # what follows is about the letters of the sweeps from now on.
    history = set(Letter.objects.values_list("pk", flat=True))
    # The ladder climbs one rung a sweep; a few days of sweeps and dispatches.
    for day in range(12):
        at = MORNING + dt.timedelta(days=day)
        time_machine.move_to(at, tick=False)
        escalation_sweep(at=at)
        services.outbox_dispatch(now=at, backend=sms.LocmemBackend())
    letters = Letter.objects.exclude(pk__in=history).select_related("case")
    assert letters.exists()
    assert all(one.case.max_days_past_due >= 45 for one in letters)
    first = letters.first()
    assert first.file.open("rb").read(5) == b"%PDF-"
    # Not sent until a print batch takes it.
    attempts = ContactAttempt.objects.filter(
        pk__in=letters.values("message__contact_attempt")
    )
    assert not attempts.filter(result="sent").exists()
    report = services.print_batch_cut(now=at + dt.timedelta(hours=7))
    assert report.letters == letters.count()
    assert (
        OutboundMessage.objects.filter(
            pk__in=letters.values("message"), status="sent"
        ).count()
        == report.letters
    )

    # On the case page, with its download link.
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="admin"))
    case = Case.objects.get(pk=first.case_id)
    page = client.get(f"/cases/{case.reference}/").content.decode()
    assert f"/cases/{case.reference}/letters/{first.reference}/" in page


def test_the_demo_sms_carries_a_working_self_service_link(time_machine, client):
    """Issue 21: a reminder in make run's demo carries a working link."""
    import re

    from messaging import sms as sms_module

    time_machine.move_to(MORNING, tick=False)
    call_command("seed_demo", customers=20, verbosity=0)
    sms_module.outbox.clear()
    escalation_sweep(at=MORNING)
    services.outbox_dispatch(now=MORNING, backend=sms.LocmemBackend())
    # Today's, and the demo history's (demo/ladder.py), newest first.
    bodies = [m.body for m in sms_module.outbox] + list(
        OutboundMessage.objects.filter(channel="sms", status="sent")
        .order_by("-sent_at")
        .values_list("body", flat=True)
    )
    assert bodies
    links = [re.search(r"/s/[A-Za-z0-9_-]+/", b) for b in bodies]
    assert all(links), bodies[:2]
    page = client.get(links[0].group(0))
    assert page.status_code == 200
    assert 'id="identity-form"' in page.content.decode()
