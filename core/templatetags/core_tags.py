"""`{% load core_tags %}`: `{{ step.name|seeded }}`.

Names the migrations seed (the standard ladder, its steps) are data an admin may
rename, so they are stored once, in English. Until renamed they are shown in the
reader's language: the seeded names are in the catalogue (marked with gettext_noop
where they are seeded), and any other name passes through unchanged.
"""

from django import template
from django.utils.translation import gettext

register = template.Library()


@register.filter
def seeded(name):
    name = str(name)
    return gettext(name) if name else name
