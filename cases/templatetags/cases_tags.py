"""`{% load cases_tags %}`: `{{ loan.product|product_label }}`."""

from django import template

from cases.labels import bucket_label as _bucket_label
from cases.labels import product_label as _product_label

register = template.Library()


@register.filter
def product_label(code):
    return _product_label(str(code))


@register.filter
def bucket_label(bucket):
    return _bucket_label(str(bucket or ""))
