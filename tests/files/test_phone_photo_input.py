"""files/_phone_photo_input.html: the input phone-photo.js enhances, with the server's sizes."""

from django import forms
from django.template.loader import render_to_string
from django.utils import translation

from portal.files.photos import PHOTO_EDGE, SCALE_ABOVE_BYTES


class PhotoForm(forms.Form):
    photo = forms.FileField(help_text="The front of the ID card")
    more = forms.FileField(required=False)


def render(**context) -> str:
    with translation.override("zh-hans"):
        return render_to_string("files/_phone_photo_input.html", context)


def test_the_input_carries_the_servers_sizes_and_its_script():
    html = render(field=PhotoForm()["photo"])
    assert 'type="file" name="photo" id="id_photo" accept="image/jpeg,image/png"' in html
    assert f'data-phone-photo="{PHOTO_EDGE}"' in html
    assert f'data-phone-photo-bytes="{SCALE_ABOVE_BYTES}"' in html
    assert " required" in html and 'aria-describedby="id_photo_help"' in html
    assert 'js/phone-photo.js" defer></script>' in html
    assert 'data-retry="' in html and 'data-failed="' in html and 'data-sending="' in html


def test_accept_multiple_and_errors_are_the_pages_choice():
    form = PhotoForm(data={}, files={})
    form.is_valid()
    html = render(field=form["photo"], accept="image/jpeg,image/png,application/pdf", multiple=True)
    assert 'accept="image/jpeg,image/png,application/pdf" multiple' in html
    assert 'aria-invalid="true"' in html
    optional = render(field=PhotoForm()["more"])
    assert " required" not in optional and "aria-invalid" not in optional
