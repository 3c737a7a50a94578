"""Rule-pack changes and drafts are refused in Chinese when the language is zh-hans
(issue 18, defect 8)."""

import pytest

from compliance.models import RulePack
from compliance.services import rule_pack_update
from tests.api import client_for

from .test_rule_pack_drafts import make_draft

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
PACK = "/api/v1/rule-packs/cn/"


@pytest.mark.parametrize(
    ("parameters", "starts"),
    [
        ({"contact_window": {"end": "23:00"}}, "超出法定底线：contact_window.end："),
        ({"contact_window": {"start": "20:00", "end": "09:00"}}, "规则包参数无效："),
    ],
)
def test_a_rule_pack_change_is_refused_in_chinese(admin_user, parameters, starts):
    response = client_for(admin_user).patch(
        PACK, {"parameters": parameters, "reason": "x"}, format="json", **ZH
    )
    assert response.status_code == 400
    assert response.json()["message"].startswith(starts)


def test_a_bad_parameter_is_named_in_chinese(admin_user):
    window = {"start": "20:00", "end": "09:00"}
    response = client_for(admin_user).patch(
        PACK,
        {"parameters": {"contact_window": window}, "reason": "x"},
        format="json",
        **ZH,
    )
    assert response.json()["message"] == (
        "规则包参数无效：contact_window.end：联系时段的结束时间须晚于开始时间。"
    )
    assert response.json()["errors"]["parameters.contact_window.end"] == [
        "联系时段的结束时间须晚于开始时间"
    ]


def test_a_stale_or_activated_draft_is_refused_in_chinese(admin_user):
    api = client_for(admin_user)
    base = RulePack.objects.get(code="cn").version
    make_draft(admin_user)
    rule_pack_update(
        code="cn",
        parameters={"contact_window": {"end": "21:00"}},
        user=admin_user,
        reason="direct",
    )
    response = api.post(f"{PACK}drafts/1/activate/", **ZH)
    assert response.status_code == 409
    assert response.json()["message"] == (
        f"此草稿基于版本 {base} 创建，而规则包 cn 现已为版本 {base + 1}："
        "请基于当前生效版本新建草稿。"
    )
    assert response.json()["errors"]["base_version"] == [
        f"规则包已从 v{base} 更新至 v{base + 1}。"
    ]
    make_draft(admin_user)
    api.post(f"{PACK}drafts/2/activate/")
    response = api.post(f"{PACK}drafts/2/activate/", **ZH)
    assert response.json()["message"] == "草稿 2 为「已启用」：请新建草稿。"
