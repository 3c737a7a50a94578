"""Simplified Chinese number formats: Django's, with thousands separators.

Django's zh_Hans has no thousands separator, so ¥1234567.00 showed ungrouped while
English showed 1,234,567.00 (issue 18). Chinese banking statements group amounts in
threes with a comma; so do we. Everything else is Django's."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
