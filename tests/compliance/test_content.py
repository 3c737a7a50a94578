"""Content lint on Chinese, English and mixed text: categories, spans and citations."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compliance.content import content_check


def categories_of(text: str) -> set[str]:
    return set(content_check(text).categories)


def spans_of(text: str) -> list[tuple[str, str]]:
    return [(f.category, f.text) for f in content_check(text).findings]


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("再不还钱我们就上门找你", "threat"),
        ("信不信我找人收拾你", "threat"),
        ("小心你的家人", "threat"),
        ("弄死你", "threat"),
        ("你就是个老赖", "insult"),
        ("骗子！", "insult"),
        ("真不要脸", "insult"),
        ("我们是市公安局经侦支队的", "impersonation"),
        ("这里是人民法院执行局", "impersonation"),
        ("经侦已经立案了", "impersonation"),
        ("法院传票已经发出", "impersonation"),
        ("你已经被列入黑名单", "false_consequence"),
        ("不还就让你坐牢", "false_consequence"),
        ("会影响子女上学", "false_consequence"),
        ("你的孩子不能考公", "false_consequence"),
        ("今天不还就起诉", "false_consequence"),
        ("冻结你所有银行卡", "false_consequence"),
        ("我们会通知你单位", "third_party_exposure"),
        ("马上爆你通讯录", "third_party_exposure"),
        ("发到你家族群里", "third_party_exposure"),
        ("让你全村都知道", "third_party_exposure"),
        ("找亲戚借钱来还", "borrowing_pressure"),
        ("借钱还也得还", "borrowing_pressure"),
        ("去借点网贷先还上", "borrowing_pressure"),
        ("卖房卖车也要还", "borrowing_pressure"),
        ("加我微信详谈", "private_channel"),
        ("这是我私人手机", "private_channel"),
        ("转账到我个人账户就行", "private_channel"),
    ],
)
def test_chinese_prohibited_phrase_is_found(text, category):
    assert category in categories_of(text)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("If you don't pay we will come to your home.", "threat"),
        ("We'll send someone round tonight.", "threat"),
        ("You will regret this.", "threat"),
        ("We know where you live.", "threat"),
        ("You are a deadbeat.", "insult"),
        ("Stop acting like a loser.", "insult"),
        ("You liar.", "insult"),
        ("This is the police calling.", "impersonation"),
        ("I am calling from the sheriff's office.", "impersonation"),
        ("A warrant has been issued for your arrest.", "impersonation"),
        ("You have been blacklisted.", "false_consequence"),
        ("You will go to jail.", "false_consequence"),
        ("You could be arrested.", "false_consequence"),
        ("This will leave you with a criminal record.", "false_consequence"),
        ("We will sue you tomorrow.", "false_consequence"),
        ("Your children will be affected.", "false_consequence"),
        ("We will garnish your wages today.", "false_consequence"),
        ("We will tell your employer.", "third_party_exposure"),
        ("We'll call your colleagues about this.", "third_party_exposure"),
        ("Your neighbours will find out.", "third_party_exposure"),
        ("We'll post it on social media.", "third_party_exposure"),
        ("Borrow from friends if you must.", "borrowing_pressure"),
        ("Take out another loan to clear it.", "borrowing_pressure"),
        ("Try a payday loan.", "borrowing_pressure"),
        ("Sell your car to pay.", "borrowing_pressure"),
        ("Add me on WeChat.", "private_channel"),
        ("Call me on my personal number.", "private_channel"),
        ("Message me directly on WhatsApp.", "private_channel"),
    ],
)
def test_english_prohibited_phrase_is_found(text, category):
    assert category in categories_of(text)


@pytest.mark.parametrize(
    "text",
    [
        # The accurate consequence: reporting to the credit reference centre is lawful.
        "逾期信息可能会按规定报送至中国人民银行征信中心，影响您的征信记录。",
        "您好，这里是XX银行信用卡中心，您本期账单已逾期3天，请尽快还款。",
        "如您对欠款金额有异议，可向人民法院提起诉讼或拨打客服电话。",
        "请谨防骗子，只通过官方渠道还款。",
        "我们不会通知您的单位或家人。",
        "您可以关注我行官方微信公众号查询账单。",
        "我行提供上门服务，需提前预约。",
        "您的借款还款日为每月15日，请留意垃圾短信中的诈骗信息。",
        "如确有困难，可申请个性化分期还款协议。",
        "【XX银行】尊敬的客户，您尾号1234的信用卡已逾期，欠款金额2,000.00元，"
        "请于3月5日前还款，以免影响您的个人征信记录。退订回T",
        "您好，我是XX银行信用卡中心的工作人员，工号1024。请问是王先生本人吗？",
        "您可以通过我行手机银行或官方微信公众号还款。",
    ],
)
def test_lawful_chinese_text_passes(text):
    result = content_check(text, language="zh-hans")
    assert result.ok, result.findings
    assert result.categories == frozenset()


@pytest.mark.parametrize(
    "text",
    [
        "Late payment may be reported to the credit reference agencies.",
        "Our agent was courteous and confirmed your identity first.",
        "We will not contact your employer.",
        "We won't tell your family about this account.",
        "If you are struggling, free debt advice is available from StepChange.",
        "You may dispute this debt in writing within 30 days.",
        "Please keep the warranty card for your records.",
        "A familiar closer of accounts: reply STOP to opt out.",
        "We may take legal action if no arrangement is reached.",
        "This is an attempt to collect a debt and any information obtained will be "
        "used for that purpose.",
        "Your family members are not responsible for this debt.",
    ],
)
def test_lawful_english_text_passes(text):
    result = content_check(text, language="en")
    assert result.ok, result.findings


def test_offsets_index_the_original_text_in_chinese():
    text = "您好。不还钱就通知你单位，还要拉你进黑名单。"
    result = content_check(text)
    assert [(f.category, f.text) for f in result.findings] == [
        ("third_party_exposure", "通知你单位"),
        ("false_consequence", "黑名单"),
    ]
    for finding in result.findings:
        assert text[finding.start : finding.end] == finding.text
    assert result.findings[0].start == text.index("通知")
    assert result.findings[1].end == text.index("。", 5)


def test_offsets_index_the_original_text_in_english():
    text = "Pay now, deadbeat, or we will tell your employer."
    findings = content_check(text).findings
    assert [(f.start, f.end) for f in findings] == [(9, 17), (30, 48)]
    assert [text[f.start : f.end] for f in findings] == [
        "deadbeat",
        "tell your employer",
    ]


def test_mixed_language_text_is_checked_with_both_lexicons_whatever_the_language():
    text = "Dear customer, 请加我微信. Otherwise you will be blacklisted，老赖。"
    for language in (None, "en", "zh-hans"):
        result = content_check(text, language=language)
        assert result.categories == {
            "private_channel",
            "false_consequence",
            "insult",
        }
        assert [f.lexicon for f in result.findings] == ["zh", "en", "zh"]
        for finding in result.findings:
            assert text[finding.start : finding.end] == finding.text


def test_english_is_matched_case_insensitively_and_with_curly_apostrophes():
    assert spans_of("WE’LL COME TO YOUR HOME") == [("threat", "COME TO YOUR HOME")]
    assert spans_of("This Is The Police") == [("impersonation", "This Is The Police")]
    assert spans_of("We’ll send someone round") == [("threat", "send someone round")]


def test_words_inside_longer_words_do_not_match():
    assert content_check("The courteous closer was familiar with arrears.").ok
    assert not content_check("I am from the court.").ok


def test_a_negation_just_before_the_phrase_clears_it_but_not_a_distant_one():
    assert content_check("We will never tell your employer.").ok
    assert content_check("我们绝不会上门。").ok
    assert "third_party_exposure" in categories_of(
        "We will not hesitate to tell your employer."
    )
    assert "threat" in categories_of("你不还钱，我们就上门。")


def test_overlapping_matches_of_one_category_become_one_finding():
    # "immediate legal action" and "legal action tomorrow" are separate patterns.
    findings = content_check("Expect immediate legal action tomorrow.").findings
    assert [(f.category, f.text) for f in findings] == [
        ("false_consequence", "immediate legal action tomorrow")
    ]
    # Adjacent, non-overlapping spans stay separate.
    assert spans_of("逮捕拘留") == [
        ("false_consequence", "逮捕"),
        ("false_consequence", "拘留"),
    ]


def test_each_finding_cites_catalogue_rules_and_explains_in_both_languages():
    finding = content_check("不还钱就找亲戚借钱来还").findings[0]
    assert finding.category == "borrowing_pressure"
    assert finding.rules == ("CN.PROHIB", "UK.PRESS")
    assert finding.citation == "CN.PROHIB, UK.PRESS"
    assert "borrow" in finding.message_en
    assert "借" in finding.message_zh
    assert finding.message("zh-hans") == finding.message_zh
    assert finding.message("en") == finding.message_en
    impersonation = content_check("This is the police").findings[0]
    assert "UK.AUTH" in impersonation.rules
    assert "US.HARASS" in impersonation.rules


def test_findings_convert_to_the_decision_reason_shape():
    reason = content_check("你这个骗子").findings[0].as_reason()
    assert reason["code"] == "content_prohibited"
    assert reason["rule"] == "content.insult"
    assert reason["message"].endswith("«骗子»")
    assert reason["message_zh"].endswith("「骗子」")
    assert reason["citation"].startswith("CN.PROHIB")


def test_result_as_dict_lists_categories_and_findings():
    body = content_check("blacklist 黑名单").as_dict()
    assert body["ok"] is False
    assert body["categories"] == ["false_consequence"]
    assert [(f["start"], f["end"]) for f in body["findings"]] == [(0, 9), (10, 13)]


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="fr"):
        content_check("bonjour", language="fr")


def test_empty_text_is_clean():
    result = content_check("")
    assert result.ok
    assert result.findings == ()


PHRASES = ["上门", "老赖", "黑名单", "加我微信", "deadbeat", "this is the police"]


@settings(deadline=None)  # a shared CI machine must not make this flaky
@given(
    parts=st.lists(
        st.one_of(st.sampled_from(PHRASES), st.text(max_size=12)), max_size=8
    )
)
def test_every_finding_is_an_exact_in_order_slice_of_the_text(parts):
    text = " ".join(parts)
    findings = content_check(text).findings
    for finding in findings:
        assert 0 <= finding.start < finding.end <= len(text)
        assert text[finding.start : finding.end] == finding.text
    assert [(f.start, f.end) for f in findings] == sorted(
        (f.start, f.end) for f in findings
    )
