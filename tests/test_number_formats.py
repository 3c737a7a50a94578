"""Issue 18: amounts in Chinese lacked thousands separators."""

from decimal import Decimal

from django.contrib.humanize.templatetags.humanize import intcomma
from django.template import Context, Template
from django.utils import translation


def test_chinese_amounts_are_grouped_like_english_ones():
    template = Template('{% load humanize %}{{ amount|floatformat:"2g" }}')
    for language in ("en", "zh-hans"):
        with translation.override(language):
            assert intcomma(1234567) == "1,234,567"
            rendered = template.render(Context({"amount": Decimal("1234567.5")}))
            assert rendered == "1,234,567.50"
