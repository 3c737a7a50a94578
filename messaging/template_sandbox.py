"""The tags and filters message templates may use: a small, safe subset of Django's.

Message templates are written by admins and rendered for every debtor by the
dispatcher, so the language is cut down to what a reminder needs. Nothing here reads
a file or another template (include, extends, ssi), loads a tag library (load),
reaches the URL map or the request (url, csrf_token), dumps the context (debug),
turns escaping off (autoescape, safe) or makes output much larger than the template
(lorem, widthratio, ljust/rjust/center, stringformat; floatformat's precision is
clamped). `messaging.rendering` builds its engines from this library alone.
"""

from __future__ import annotations

import re

from django.template import Library, defaultfilters, defaulttags

register = Library()

SAFE_TAGS = (
    "if",
    "for",
    "with",
    "comment",
    "firstof",
    "now",
    "spaceless",
    "verbatim",
    "templatetag",
)
# The closing and middle tags of SAFE_TAGS: the parser asks for them by name.
INNER_TAGS = (
    "elif",
    "else",
    "endif",
    "empty",
    "endfor",
    "endwith",
    "endcomment",
    "endspaceless",
    "endverbatim",
)
SAFE_FILTERS = (
    "add",
    "capfirst",
    "cut",
    "date",
    "default",
    "default_if_none",
    "divisibleby",
    "escape",
    "first",
    "force_escape",
    "join",
    "last",
    "length",
    "linebreaks",
    "linebreaksbr",
    "lower",
    "pluralize",
    "slice",
    "striptags",
    "time",
    "title",
    "truncatechars",
    "truncatewords",
    "upper",
    "urlencode",
    "wordcount",
    "yesno",
)
# More digits than any amount needs; Django would build a string of any length.
MAX_FLOAT_DIGITS = 20

for _name in SAFE_TAGS:
    register.tag(_name, defaulttags.register.tags[_name])
for _name in SAFE_FILTERS:
    # Registered as the same functions: their is_safe / needs_autoescape flags are
    # attributes of the functions and come along.
    register.filter(_name, defaultfilters.register.filters[_name])


@register.filter(is_safe=True)
def floatformat(text, arg=-1):
    """Django's floatformat with the precision clamped to MAX_FLOAT_DIGITS."""
    match = re.fullmatch(r"(-?)(\d+)([gu]*)", str(arg))
    if match:
        sign, digits, flags = match.groups()
        arg = f"{sign}{min(int(digits), MAX_FLOAT_DIGITS)}{flags}"
    return defaultfilters.floatformat(text, arg)
