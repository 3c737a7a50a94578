"""Escalation policy refusals read in Chinese when the language is zh-hans (issue
18, defect 8)."""

import pytest

from tests.api import client_for

from .test_api import URL, body

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def test_bad_steps_are_refused_in_chinese(admin_user):
    step = {
        "order": 1,
        "name": "Email",
        "trigger": "after_previous",
        "trigger_days": 0,
        "action": "email",
        "template": "",
        "queue": "nowhere",
    }
    response = client_for(admin_user).post(URL, body(steps=[step]), format="json", **ZH)
    assert response.status_code == 400
    assert response.json()["message"] == "升级策略的步骤无效。"
    errors = response.json()["errors"]
    assert errors["steps[0].trigger"] == ["第一个升级步骤须按逾期天数触发。"]
    assert errors["steps[0].template"] == ["发送消息的升级步骤须指定模板。"]
    assert errors["steps[0].queue"] == ["没有工作队列 'nowhere'。"]


def test_an_active_version_is_not_edited_and_says_so_in_chinese(admin_user):
    response = client_for(admin_user).put(
        f"{URL}standard/1/", body(code=None), format="json", **ZH
    )
    assert response.status_code == 409
    assert response.json()["message"] == "版本 1 为「生效中」：如需修改，请创建新版本。"
