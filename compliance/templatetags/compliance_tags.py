"""`{% load compliance_tags %}`: `{{ code|reason_label }}`."""

from django import template

from compliance.labels import reason_label as _reason_label

register = template.Library()


@register.filter
def reason_label(code):
    return _reason_label(str(code))
