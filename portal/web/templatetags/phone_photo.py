"""`{% phone_photo_attrs %}`: the data attributes of an `<input type=file>` that
static/js/phone-photo.js makes smaller photos from, with the sizes the server scales to
(`portal.files.photos`), so the phone and the server keep the same reading size, and the words
it shows while sending. Used by templates/files/_phone_photo_input.html."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from portal.files.photos import PHOTO_EDGE, SCALE_ABOVE_BYTES

register = template.Library()


@register.simple_tag
def phone_photo_attrs() -> SafeString:
    return format_html(
        'data-phone-photo="{}" data-phone-photo-bytes="{}" data-sending="{}" data-failed="{}" data-retry="{}"',
        PHOTO_EDGE,
        SCALE_ABOVE_BYTES,
        _("Sending…"),
        _("Sending failed: the network may be weak. Your photos and answers are still here."),
        _("Retry (重试)"),
    )
