"""The content lint in context: what the issue's corpus slipped past, negation, reported
speech, consent to a visit, the language gate, speed, and the replies channel."""

import json
import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from compliance.content import _lexicons, content_check, evaluation_load
from messaging.models import WebhookEvent
from messaging.webhooks import signature_for
from tests.cases.factories import CaseFactory, ContactPointFactory


def categories_of(text: str) -> set[str]:
    return set(content_check(text).categories)


# --- what passed the old lint (issue 16, item 4) --------------------------------------


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("We'll send the police round to your house.", "impersonation"),
        ("再不还，我们就让警察上门抓你。", "impersonation"),
        ("The police have opened a case against you.", "impersonation"),
        ("公安已经对你立案侦查了。", "impersonation"),
        (
            "We'll put your name and photo online for everyone to see.",
            "third_party_exposure",
        ),  # noqa: E501
        ("把你的欠款信息挂到网上曝光。", "third_party_exposure"),
        ("Your credit will be ruined forever.", "false_consequence"),
        ("你的征信会永久留下污点，一辈子贷不了款。", "false_consequence"),
        ("We will seize your wages tomorrow.", "false_consequence"),
        ("明天就扣你工资。", "false_consequence"),
        ("We know which school your kids go to.", "threat"),
        ("你孩子在哪个学校我们都知道。", "threat"),
    ],
)
def test_what_the_old_lint_let_through_is_found(text, category):
    assert category in categories_of(text)


# --- negation --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "We will not contact your employer.",
        "We would never, under any circumstances, tell your family.",
        "Under no circumstances will we contact your neighbours.",
        "Nobody will visit your home.",
        "不会通知你的单位。",
        "我们不会以任何方式联系您的同事。",
        "我们不会把您的欠款情况透露给您的单位和家人。",
        "我行从未委托任何机构以私人账户收款。",
    ],
)
def test_a_negated_prohibition_is_a_reassurance(text):
    assert content_check(text).ok, content_check(text).findings


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # A new clause after the negation is not negated.
        ("If you don't pay we will tell your employer.", "third_party_exposure"),
        ("你不还钱，我们就通知你单位。", "third_party_exposure"),
        # Words that turn the negation round.
        ("We will not hesitate to tell your employer.", "third_party_exposure"),
        ("We won't stop until your boss hears about it.", "third_party_exposure"),
        ("Why not take a payday loan?", "borrowing_pressure"),
        ("我们不得不通知你单位。", "third_party_exposure"),
        ("不要逼我们上门。", "threat"),
        ("别以为我们不敢上门。", "threat"),
        ("Don't think we won't come to your house.", "threat"),
        # Abuse is abuse after a negation.
        ("Don't play dumb with me, you idiot.", "insult"),
    ],
)
def test_a_negation_does_not_clear_what_it_does_not_govern(text, category):
    assert category in categories_of(text)


# --- reported speech ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '客户说"我要报警"。',
        "客户说：“再打电话我就报警。”",
        "客户说他要报警。",
        'Customer said "I\'ll call the police".',
        '"I will call the police," the customer said.',
        "Customer threatened to call the police if we rang again.",
        "Customer became upset and called me a liar.",
        "客户担心我们上门，已说明不会上门。",
        "Beware of callers pretending to be from the police.",
        "如接到自称公检法的电话，请立即报警。",
    ],
)
def test_what_the_customer_said_is_not_the_collector_speaking(text):
    assert content_check(text).ok, content_check(text).findings


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # The collector quoting themselves.
        ('I told him "we will send the police".', "impersonation"),
        # A quotation with no attribution hides nothing.
        ("请注意：“我们会通知你单位”。", "third_party_exposure"),
        # The collector speaks again after reporting the customer.
        ("客户说没钱，我告诉他不还就通知他单位。", "third_party_exposure"),
        (
            "Customer said she was broke and I told her we will call her employer.",
            "third_party_exposure",
        ),  # fmt: skip
        # A new sentence is the author's again.
        (
            "Customer said he was broke. We will tell your employer.",
            "third_party_exposure",
        ),  # noqa: E501
        # 客户经理 is bank staff, not the customer.
        ("客户经理说我们明天上门。", "threat"),
    ],
)
def test_reported_speech_ends_where_the_author_speaks_again(text, category):
    assert category in categories_of(text)


# --- consent to a visit (CBA 2026; CONC 7.9.12R) --------------------------------------


def test_a_visit_subject_to_consent_or_appointment_is_not_a_threat():
    assert content_check("Our adviser can visit your home by appointment.").ok
    assert content_check("经您同意后，我们的工作人员可以上门办理。").ok
    assert "threat" in categories_of("我们会在未经你同意的情况下上门。")
    assert "threat" in categories_of("不管你同不同意，明天都上门。")
    assert "threat" in categories_of("We will come to your house without your consent.")


# --- the language gate and speed ---------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126)))
def test_no_chinese_pattern_can_match_text_without_chinese(text):
    zh = next(lx for lx in _lexicons() if lx.language == "zh")
    assert not any(p.search(text) for _, p, _ in zh.patterns)


def test_the_language_gate_skips_only_lexicons_that_cannot_match():
    zh, en = ({lx.language: lx for lx in _lexicons()}[code] for code in ("zh", "en"))
    latin = re.compile(r"[A-Za-z]")
    for phrase in evaluation_load(languages=["en"]):
        assert not any(p.search(phrase.text) for _, p, _ in zh.patterns), phrase
    for phrase in evaluation_load(languages=["zh"]):
        stripped = latin.sub(" ", phrase.text)
        assert not any(p.search(stripped) for _, p, _ in en.patterns), phrase


def test_a_long_note_is_checked_in_milliseconds():
    note = (
        "客户说最近失业了，没有收入，希望申请分期。已核实身份，告知逾期金额及还款方式。"
        "Customer was polite and asked about a payment plan; we explained the options "
        "and agreed to call back next Monday at 10am. "
    ) * 10
    content_check(note)
    start = time.perf_counter()
    for _ in range(5):
        content_check(note)
    assert (time.perf_counter() - start) / 5 < 0.1


# --- replies: inbound SMS go through the same lint ------------------------------------


def _post_inbound(event_id: str, text: str):
    body = json.dumps(
        {"type": "inbound", "id": event_id, "from": "+8613800138000", "text": text}
    ).encode()
    ts = int(time.time())
    return APIClient().post(
        "/api/v1/webhooks/sms/",
        data=body,
        content_type="application/json",
        HTTP_X_SIGNATURE=signature_for(body, timestamp=ts, secret="dev-webhook-secret"),
    )


@pytest.mark.django_db
def test_an_inbound_reply_carries_its_content_finding_on_the_event():
    case = CaseFactory()
    ContactPointFactory(customer=case.customer, value="+8613800138000")
    assert _post_inbound("ev-c1", "你们催收员说要通知我单位").status_code == 200
    assert _post_inbound("ev-c2", "好的，我明天还款").status_code == 200
    flagged = WebhookEvent.objects.get(event_id="ev-c1")
    assert flagged.outcome.endswith("content: third_party_exposure")
    assert "content" not in WebhookEvent.objects.get(event_id="ev-c2").outcome
