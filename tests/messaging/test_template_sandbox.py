"""Message templates are a sandboxed subset of Django's language: no include,
extends, load, lorem, ssi, debug, url, csrf_token, no tag library, no attribute
starting with "_", no unescaping. Such a template is refused at validation naming its
field, and neither the preview, the API nor the dispatcher answers 500 on one."""

import datetime as dt
import zoneinfo
from types import SimpleNamespace

import pytest
from django.template import Context, Engine
from django.urls import reverse

from core.errors import ApplicationError
from messaging import services, sms
from messaging.models import MessageTemplate, OutboundMessage
from messaging.rendering import template_render, template_validate
from tests.api import client_for
from tests.messaging.factories import MessageTemplateFactory, OutboundMessageFactory

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

FORBIDDEN = [
    '{% include "base.html" %}',
    '{% extends "base.html" %}',
    "{% load i18n %}",
    "{% lorem 100000 w %}",
    '{% ssi "/etc/passwd" %}',
    "{% debug %}",
    '{% url "home" %}',
    "{% csrf_token %}",
    "{% autoescape off %}{{ name }}{% endautoescape %}",
    "{% widthratio 1 1 100000000 %}",
]


@pytest.mark.parametrize("field", ["subject", "body", "html_body"])
@pytest.mark.parametrize("source", FORBIDDEN)
def test_a_forbidden_tag_is_refused_naming_the_field(field, source):
    fields = {"subject": "", "body": "{{ name }}", "html_body": ""}
    fields[field] = source

    with pytest.raises(ApplicationError) as excinfo:
        template_validate(**fields)

    tag = source.split()[1]
    assert f"“{tag}”" in excinfo.value.errors[field][0]
    assert set(excinfo.value.errors) == {field}


@pytest.mark.parametrize(
    "source",
    [
        "{{ name.__class__ }}",
        "{{ name._secret }}",
        "{{ name|safe }}",
        "{{ name|pprint }}",
        '{{ name|ljust:"100000000" }}',
        '{{ name|stringformat:"100000000s" }}',
        "{% for a in name %}{% for b in name %}{{ b }}{% endfor %}{% endfor %}",
    ],
    ids=[
        "dunder",
        "underscore",
        "safe",
        "pprint",
        "ljust",
        "stringformat",
        "nested-loop",
    ],
)
def test_attributes_filters_and_constructs_outside_the_sandbox_are_refused(source):
    with pytest.raises(ApplicationError) as excinfo:
        template_validate(subject="", body="ok", html_body=source)

    assert "html_body" in excinfo.value.errors


def test_the_safe_subset_renders():
    source = (
        "{% if days_past_due > 30 %}{{ name|upper }}{% else %}{{ name }}{% endif %}"
        "{% with n=name %}, {{ n|default:'-' }}{% endwith %}"
        "{% for c in account %}{% if forloop.last %} {{ c }}{% endif %}{% endfor %} "
        '{{ 1234.5|floatformat:2 }} {{ overdue_since|default:"today" }}'
        "{# a comment #}"
    )
    template_validate(subject="", body=source)

    rendered = template_render(
        template=SimpleNamespace(subject="", body=source, html_body=""),
        context={"name": "Wang", "days_past_due": 45, "account": "****1234"},
    )

    assert rendered.body == "WANG, Wang 4 1234.50 today"


def test_a_huge_floatformat_precision_is_clamped():
    rendered = template_render(
        template=SimpleNamespace(
            subject="", body='{{ 1.5|floatformat:"100000000" }}', html_body=""
        ),
        context={},
    )

    assert len(rendered.body) < 40


def test_the_seeded_templates_render_as_with_django_itself():
    plain = Engine(autoescape=False, string_if_invalid="")
    context = {
        "name": "王小明",
        "account": "****1234",
        "overdue_amount": "1,000.00 CNY",
        "overdue_since": "2026-11-01",
        "days_past_due": 32,
        "hotline": "400-820-0000",
        "opt_out": "回复TD退订",
    }
    templates = list(MessageTemplate.objects.all())
    assert len(templates) >= 4

    for template in templates:
        template_validate(
            subject=template.subject, body=template.body, html_body=template.html_body
        )
        rendered = template_render(template=template, context=context)
        expected = plain.from_string(template.body).render(Context(context)).strip()
        assert rendered.body == expected, template.code


def test_the_preview_of_an_include_shows_the_error_instead_of_a_500(admin_client, db):
    response = admin_client.post(
        reverse("configuration:template-preview"),
        {"body": '{{ name }} {% include "base.html" %}', "language": "en"},
    )

    assert response.status_code == 200
    assert "“include” is not allowed" in response.content.decode()


def test_the_template_api_refuses_an_include_naming_the_field(admin_user):
    response = client_for(admin_user).post(
        "/api/v1/templates/",
        {
            "code": "sneaky",
            "channel": "email",
            "language": "en",
            "subject": "Hello",
            "body": "{{ name }}",
            "html_body": '<p>{% include "base.html" %}</p>',
        },
        format="json",
    )

    assert response.status_code == 400, response.json()
    assert "html_body" in response.json()["errors"]
    assert not MessageTemplate.objects.filter(code="sneaky").exists()


def test_rendering_a_stored_unsafe_template_is_refused_not_a_crash():
    # Saved before the sandbox existed, or written around the services.
    template = MessageTemplateFactory(body='{% include "base.html" %}')

    with pytest.raises(ApplicationError) as excinfo:
        template_render(template=template, context={"name": "x"})

    assert "body" in excinfo.value.errors


def test_the_dispatcher_dead_letters_a_message_whose_template_cannot_render(
    gateway, any_hour
):
    template = MessageTemplateFactory(body='{% include "base.html" %}')
    broken = OutboundMessageFactory(
        template=template,
        body="",
        send_after=dt.datetime(2026, 12, 3, 9, tzinfo=SHANGHAI),
    )
    fine = OutboundMessageFactory(
        send_after=dt.datetime(2026, 12, 3, 9, tzinfo=SHANGHAI)
    )
    backend = sms.HttpGatewayBackend(url=gateway.url, timeout=0.5, retries=0)

    report = services.outbox_dispatch(
        now=dt.datetime(2026, 12, 3, 10, tzinfo=SHANGHAI), backend=backend
    )

    broken.refresh_from_db()
    fine.refresh_from_db()
    assert broken.status == OutboundMessage.Status.DEAD
    assert "template" in broken.last_error
    assert fine.status == OutboundMessage.Status.SENT
    assert (report.sent, report.dead) == (1, 1)
    assert [r["key"] for r in gateway.state.requests] == [fine.idempotency_key]
