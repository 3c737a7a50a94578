"""Real letters (issue 17 item 5, decision 47): a letter rung's outbox row is
re-checked at send time, drawn to PDF with the letterhead (zh and en, CJK embedded)
and kept with the case; it is recorded as sent, in the outbox and the ledger, only
when the daily print batch takes it."""

import csv
import datetime as dt
import hashlib
import io
import zipfile
import zoneinfo
from decimal import Decimal

import pytest
from django.core.management import call_command

from cases.models import EscalationPolicy, EscalationStep, Loan
from compliance.models import ContactAttempt
from escalation.sweep import escalation_sweep
from messaging import letters as letter_pdfs
from messaging import services, sms
from messaging.models import Letter, OutboundMessage, PrintBatch
from tests.cases.factories import CaseFactory, ContactPointFactory, loan_with_schedule
from tests.compliance.factories import ContactRestrictionFactory
from tests.messaging.factories import MessageTemplateFactory, OutboundMessageFactory
from tests.messaging.pdf_text import pdf_text

pytestmark = pytest.mark.django_db
AT = dt.datetime(2026, 12, 1, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
Status = OutboundMessage.Status
Result = ContactAttempt.Result
ZH_BODY = (
    "{{ name }}您好：\n\n您尾号{{ account }}的贷款已逾期{{ days_past_due }}天，"
    "逾期金额为{{ overdue_amount }}。\n\n请致电{{ hotline }}。"
)
EN_BODY = (
    "Dear {{ name }},\n\nYour loan account {{ account }} is overdue; the overdue "
    "amount is {{ overdue_amount }}.\n\nPlease call {{ hotline }}."
)


@pytest.fixture(autouse=True)
def letters_root(settings, tmp_path):
    settings.LETTERS_ROOT = tmp_path / "letters"
    return settings.LETTERS_ROOT


@pytest.fixture
def letter_ladder():
    EscalationPolicy.objects.all().delete()
    policy = EscalationPolicy.objects.create(
        code="letters", name="Letters", status="active", is_default=True
    )
    MessageTemplateFactory(
        code="letter-notice", channel="letter", subject="逾期通知", body=ZH_BODY
    )
    MessageTemplateFactory(
        code="letter-notice",
        channel="letter",
        language="en",
        subject="Overdue notice",
        body=EN_BODY,
    )
    EscalationStep.objects.create(
        policy=policy,
        order=1,
        name="Letter",
        trigger=EscalationStep.Trigger.DPD,
        trigger_days=1,
        action=EscalationStep.Action.LETTER,
        template_code="letter-notice",
    )
    return policy


def _letter_case(
    *, language="zh-hans", name="张三", address="上海市浦东新区世纪大道100号"
):
    loan = loan_with_schedule(dues=[(-40, "1234.50")])
    Loan.objects.filter(pk=loan.pk).update(overdue_amount=Decimal("1234.50"))
    customer = loan.customer
    customer.full_name = name
    customer.language = language
    customer.save()
    case = CaseFactory(customer=customer, max_days_past_due=40)
    ContactPointFactory(customer=customer, channel="address", value=address)
    return case


def _dispatch(at=AT):
    return services.outbox_dispatch(now=at, backend=sms.LocmemBackend())


def test_a_letter_rung_is_drawn_to_pdf_in_chinese_with_the_letterhead(letter_ladder):
    case = _letter_case()
    assert escalation_sweep(at=AT).created == 1

    report = _dispatch()

    assert (report.rendered, report.sent) == (1, 0)
    letter = Letter.objects.get(case=case)
    data = letter.file.read()
    assert data.startswith(b"%PDF")
    assert letter.sha256 == hashlib.sha256(data).hexdigest()
    assert letter.size_bytes == len(data) and letter.page_count == 1
    assert letter.language == "zh-hans"
    text = pdf_text(data)
    for expected in (
        "示例银行",  # LETTER_BANK_NAME_ZH
        "上海市浦东新区世纪大道100号",  # the letterhead's and the recipient's
        "张三",
        "逾期通知",
        "400-820-0000",
        letter.reference,
        case.reference,
    ):
        assert expected in text
    assert "1,234.50 CNY" in text or "1234.50 CNY" in text  # as the SMS shows it
    # The CJK font is embedded (a subset of WenQuanYi Micro Hei), as vendors need.
    assert b"/FontFile2" in data and b"WenQuanYiMicroHei" in data


def test_an_english_customer_gets_the_english_letter(letter_ladder):
    case = _letter_case(language="en", name="Alice Smith", address="1 High Street")
    escalation_sweep(at=AT)

    _dispatch()

    letter = Letter.objects.get(case=case)
    assert letter.language == "en"
    text = pdf_text(letter.file.read())
    for expected in (
        "Example Bank",
        "Dear Alice Smith,",
        "Overdue notice",
        "1 High Street",
    ):
        assert expected in text
    assert "1,234.50 CNY" in text or "1234.50 CNY" in text


def test_without_the_font_file_letters_fall_back_to_the_builtin_cjk_font(settings):
    settings.LETTER_FONT_PATH = "/nonexistent/font.ttf"
    content = letter_pdfs.LetterContent(
        reference="LTR-X",
        case_reference="CASE-X",
        language="zh-hans",
        recipient_name="李四",
        postal_address="北京市朝阳区建国路1号",
        subject="逾期通知",
        body="逾期金额为2,000.00 CNY。",
        date=dt.date(2026, 12, 1),
    )

    pdf = letter_pdfs.letter_pdf(content)

    assert b"/STSong-Light" in pdf.content
    text = pdf_text(pdf.content)
    assert "李四" in text and "2,000.00 CNY" in text


def test_a_letter_is_not_sent_until_a_print_batch_takes_it(letter_ladder):
    case = _letter_case()
    escalation_sweep(at=AT)
    _dispatch()
    message = OutboundMessage.objects.get(channel="letter")
    attempt = ContactAttempt.objects.get(pk=message.contact_attempt_id)
    # Rendered after an allowing send-time decision, and still only pending.
    assert message.status == Status.RENDERED and message.sent_at is None
    assert attempt.source == "dispatch" and attempt.decision.allowed
    assert attempt.result == Result.PENDING
    assert not ContactAttempt.objects.filter(channel="letter", result=Result.SENT)
    # A later dispatch does not claim it again.
    assert _dispatch(AT + dt.timedelta(hours=1)).claimed == 0

    cut = AT + dt.timedelta(hours=7)
    report = services.print_batch_cut(now=cut)

    message.refresh_from_db()
    attempt.refresh_from_db()
    assert report.letters == 1 and report.batch.letters.get().case == case
    assert (message.status, message.sent_at) == (Status.SENT, cut)
    assert (attempt.result, attempt.completed_at) == (Result.SENT, cut)


def test_the_batch_holds_each_pdf_and_a_manifest_whose_checksums_match(letter_ladder):
    first = _letter_case()
    second = _letter_case(language="en", name="Bob Lee", address="2 Low Road")
    escalation_sweep(at=AT)
    _dispatch()

    batch = services.print_batch_cut(now=AT + dt.timedelta(hours=1)).batch

    data = batch.file.read()
    assert batch.sha256 == hashlib.sha256(data).hexdigest()
    assert batch.size_bytes == len(data) and batch.letter_count == 2
    archive = zipfile.ZipFile(io.BytesIO(data))
    manifest = list(
        csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig")))
    )
    by_case = {row["case"]: row for row in manifest}
    assert set(by_case) == {first.reference, second.reference}
    assert by_case[first.reference]["postal_address"] == "上海市浦东新区世纪大道100号"
    assert by_case[first.reference]["recipient"] == "张三"
    assert by_case[second.reference]["postal_address"] == "2 Low Road"
    for row in manifest:
        letter = Letter.objects.get(reference=row["letter"])
        pdf = archive.read(row["file"])
        assert pdf == letter.file.open("rb").read()
        assert row["sha256"] == hashlib.sha256(pdf).hexdigest() == letter.sha256
        assert row["pages"] == "1"


def test_a_repeated_batch_run_includes_nothing_twice(letter_ladder):
    _letter_case()
    escalation_sweep(at=AT)
    _dispatch()
    first = services.print_batch_cut(now=AT + dt.timedelta(hours=1))

    again = services.print_batch_cut(now=AT + dt.timedelta(hours=2))
    later = _letter_case()
    escalation_sweep(at=AT + dt.timedelta(hours=3))
    _dispatch(AT + dt.timedelta(hours=3))
    third = services.print_batch_cut(now=AT + dt.timedelta(hours=4))

    assert first.letters == 1 and again.batch is None and again.letters == 0
    assert [letter.case for letter in third.batch.letters.all()] == [later]
    assert PrintBatch.objects.count() == 2
    assert Letter.objects.filter(batch__isnull=True).count() == 0


def test_the_send_time_recheck_stops_a_letter_before_it_is_drawn(letter_ladder):
    case = _letter_case()
    escalation_sweep(at=AT)
    ContactRestrictionFactory(
        customer=case.customer, kind="legal_hold", starts_at=AT - dt.timedelta(days=1)
    )

    report = _dispatch()

    message = OutboundMessage.objects.get(channel="letter")
    assert report.rendered == 0
    assert message.status in (Status.CANCELLED, Status.PENDING)  # refused or deferred
    assert not Letter.objects.exists()
    assert ContactAttempt.objects.get(pk=message.contact_attempt_id).result == (
        Result.BLOCKED
    )


def test_a_letter_left_sending_by_a_dead_worker_is_redrawn_once(letter_ladder):
    _letter_case()
    escalation_sweep(at=AT)
    _dispatch()
    message = OutboundMessage.objects.get(channel="letter")
    # As if the worker died after drawing the letter, before recording it.
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=Status.SENDING, claimed_at=AT
    )

    recovered = services.outbox_recover_stale(now=AT + dt.timedelta(hours=1))
    report = _dispatch(AT + dt.timedelta(hours=1))

    message.refresh_from_db()
    assert recovered == {"retried": 1, "unknown": 0}
    assert report.rendered == 1 and message.status == Status.RENDERED
    assert Letter.objects.count() == 1


def test_a_letter_whose_file_changed_is_left_out_of_the_batch(letter_ladder):
    _letter_case()
    escalation_sweep(at=AT)
    _dispatch()
    letter = Letter.objects.get()
    with open(letter.file.path, "ab") as handle:
        handle.write(b"tampered")

    report = services.print_batch_cut(now=AT + dt.timedelta(hours=1))

    letter.refresh_from_db()
    assert report.batch is None and report.refused == [letter.reference]
    assert letter.batch is None and letter.message.status == Status.RENDERED


def test_a_letter_waiting_for_print_does_not_hold_up_the_smses_behind_it():
    address = ContactPointFactory(channel="address", value="北京市朝阳区建国路1号")
    letter = OutboundMessageFactory(
        channel="letter",
        case__customer=address.customer,
        contact_point=address,
        subject="通知",
        body="请还款。",
        send_after=AT - dt.timedelta(hours=2),
    )
    text = OutboundMessageFactory(send_after=AT - dt.timedelta(hours=1))
    sms.outbox.clear()

    report = services.outbox_dispatch(now=AT, backend=sms.LocmemBackend())

    letter.refresh_from_db()
    text.refresh_from_db()
    assert (report.claimed, report.sent, report.rendered) == (2, 1, 1)
    assert (letter.status, text.status) == (Status.RENDERED, Status.SENT)
    assert [m.to for m in sms.outbox] == [text.contact_point.value]


def test_without_a_letter_producer_letters_wait_pending(settings, letter_ladder):
    settings.OUTBOX_CHANNEL_SENDERS = {"webhook": "x.y"}
    _letter_case()
    escalation_sweep(at=AT)

    report = _dispatch()

    letter = OutboundMessage.objects.get(channel="letter")
    assert report.claimed == 0 and letter.status == Status.PENDING
    assert not Letter.objects.exists()


def test_the_command_cuts_a_batch_and_its_dry_run_writes_nothing(letter_ladder):
    _letter_case()
    escalation_sweep(at=AT)
    _dispatch()
    out = io.StringIO()

    call_command("cut_print_batch", "--dry-run", stdout=out)
    assert "1 letter" in out.getvalue() and not PrintBatch.objects.exists()
    call_command("cut_print_batch", stdout=out)

    batch = PrintBatch.objects.get()
    assert batch.reference in out.getvalue() and batch.created_by is None
