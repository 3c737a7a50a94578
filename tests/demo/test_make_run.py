"""Issue 17: `make run` shows call tasks, letters and work items on the demo data.

The same steps as `make run` (seed_demo, then run_escalation) on the test database,
on a weekday morning in Shanghai: the demo's cases stand at varied rungs of their
ladder (demo/ladder.py), so the start-up sweep creates call tasks that "Next case"
hands out, formal notice letters the dispatcher draws, and supervisor reviews on
the supervisor's worklist. At night the gate defers calls and SMS (the contact
window), so the clock is fixed inside the cn window."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from calls.models import CallTask
from calls.services import call_task_claim_next
from cases.models import Case, EscalationStep
from compliance.models import ContactAttempt
from escalation.models import WorkItem
from messaging import services, sms
from messaging.models import Letter, OutboundMessage

pytestmark = pytest.mark.django_db

# A weekday morning in Shanghai, inside the cn window.
MORNING = dt.datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def letters_root(settings, tmp_path):
    settings.LETTERS_ROOT = tmp_path / "letters"


def make_run(time_machine) -> str:
    time_machine.move_to(MORNING, tick=False)
    call_command("seed_demo", customers=80, verbosity=0)
    out = StringIO()
    call_command("run_escalation", stdout=out)
    return out.getvalue()


def test_the_start_up_sweep_gives_collectors_calls_the_supervisor_reviews_and_letters(
    time_machine, client
):
    history_letters = set(Letter.objects.values_list("pk", flat=True))
    output = make_run(time_machine)
    User = get_user_model()

    # Call tasks of the call rung in the collectors' queues, and "Next case" hands
    # one out.
    call_rung = CallTask.objects.filter(
        step__action=EscalationStep.Action.CALL_TASK,
        status=CallTask.Status.OPEN,
        due_at__lte=MORNING,
    )
    assert call_rung.exists(), output
    assert not call_rung.filter(queue__isnull=True).exists()
    handed = [
        call_task_claim_next(user=User.objects.get(username=name), now=MORNING)
        for name in ("collector", "collector2", "collector3")
    ]
    assert any(
        task is not None and task.step_id and task.step.action == "call_task"
        for task in handed
    ), handed

    # Supervisor reviews on the supervisor's worklist.
    reviews = WorkItem.objects.filter(kind="supervisor_review", state="open")
    assert reviews.exists(), output
    client.force_login(User.objects.get(username="supervisor"))
    page = client.get("/supervisor/work-items/").content.decode()
    assert any(item.reference in page for item in reviews)

    # Formal notice letters queued by the sweep, drawn by the worker's dispatcher.
    queued = OutboundMessage.objects.filter(channel="letter", status="pending")
    assert queued.exists(), output
    services.outbox_dispatch(now=MORNING, backend=sms.LocmemBackend())
    drawn = Letter.objects.exclude(pk__in=history_letters).filter(
        message__created_at__gte=MORNING
    )
    assert drawn.exists()
    assert drawn.first().file.open("rb").read(5) == b"%PDF-"


def test_the_demo_history_was_done_by_the_ladder_before_today(time_machine):
    """The earlier rungs are in the ledger and the outbox as the sweep leaves them:
    sent before today, each with an allowing decision; the call rung's tasks done by
    a logged call."""
    time_machine.move_to(MORNING, tick=False)
    call_command("seed_demo", customers=80, verbosity=0)
    today = MORNING.replace(hour=0)

    on_ladder = Case.objects.open().filter(stage__isnull=False)
    assert on_ladder.filter(stage_at__lt=today).count() >= 10
    assert len(set(on_ladder.values_list("stage__order", flat=True))) >= 3
    past = OutboundMessage.objects.filter(created_at__lt=today)
    assert past.filter(channel="sms", status="sent").exists()
    assert past.filter(channel="email", status="sent").exists()
    assert past.filter(channel="letter", status="sent").exists()
    sent = ContactAttempt.objects.filter(
        pk__in=past.filter(status="sent").values("contact_attempt")
    )
    assert not sent.filter(decision__allowed=False).exists()
    done = CallTask.objects.filter(
        step__action=EscalationStep.Action.CALL_TASK, due_at__lt=today
    )
    assert done.filter(status=CallTask.Status.DONE, calls__isnull=False).exists()
