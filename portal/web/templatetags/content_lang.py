"""Marking Chinese data with its own language (issue 18, gap 19).

The catalogue, the policies, office, place and people's names stay Chinese when the interface is
in English; under `<html lang="en">` a screen reader or the read-aloud button would speak them
with an English voice. `{% data_lang %}` inside a tag and `{{ value|zh }}` around a value mark
them `lang="zh-Hans"`, and only when the interface is not Chinese already (in Chinese the page's
own `lang` says it, and the markup stays as small as it was).
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language

register = template.Library()

DATA_LANGUAGE = "zh-Hans"


def interface_is_chinese() -> bool:
    """Whether the page's own language (`<html lang>`) is already Chinese."""
    return (get_language() or "zh-hans").lower().startswith("zh")


@register.simple_tag
def data_lang() -> SafeString:
    """` lang="zh-Hans"` for an element whose content is Chinese data, e.g.
    `<h1{% data_lang %}>{{ page.title }}</h1>`; nothing when the interface is Chinese."""
    if interface_is_chinese():
        return SafeString("")
    return format_html(' lang="{}"', DATA_LANGUAGE)


@register.filter
def zh(value):
    """`{{ office.name|zh }}`: the value (escaped) in a `<span lang="zh-Hans">` when the interface
    is not Chinese; the value unchanged otherwise, and empty values stay empty."""
    if value is None or value == "" or interface_is_chinese():
        return value
    return format_html('<span lang="{}">{}</span>', DATA_LANGUAGE, value)
