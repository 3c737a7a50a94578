"""`{% load compliance_tags %}`: `{{ code|reason_label }}`, `{{ path|parameter_label }}`
and `{{ parameters|parameter_sections }}` (for compliance/_parameters.html)."""

from django import template

from compliance.labels import reason_label as _reason_label
from compliance.pack_labels import pack_parameter_sections, path_label

register = template.Library()


@register.filter
def reason_label(code):
    return _reason_label(str(code))


@register.filter
def parameter_label(path):
    """A rule-pack parameter's path ("contact_window.start") in words."""
    return path_label(str(path))


@register.filter
def parameter_sections(parameters):
    return pack_parameter_sections(parameters if isinstance(parameters, dict) else {})
