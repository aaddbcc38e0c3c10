"""`{% upload_limit_attrs %}`: the data attributes a form with file inputs carries for
static/js/upload-size.js (the limits and the words it shows), from the same settings the server
checks (`portal.files.upload_limits`), so the browser and the server cannot disagree."""

from django import template
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from portal.files.upload_limits import max_file_bytes, max_request_bytes

register = template.Library()


@register.simple_tag
def upload_limit_attrs() -> SafeString:
    return format_html(
        'data-max-bytes="{}" data-max-request-bytes="{}" data-limit-label="{}" data-too-large="{}" data-too-much="{}"',
        max_file_bytes(),
        max_request_bytes(),
        _("at most"),
        _("Too large, choose a smaller file:"),
        _("Too much for one send (%(limit)s at most): save, then add the rest.")
        % {"limit": filesizeformat(max_request_bytes())},
    )
