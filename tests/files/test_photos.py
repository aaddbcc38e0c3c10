"""Photos kept at a reading size, and a phone's unreadable photos refused (issue 20).

No database: `check_upload` reads files only. The photos are made in `photo_files` as a phone
takes them of a paper; a crude reader (`read_digits`) checks that the clerk can still read an
ID number on the stored copy.
"""

from __future__ import annotations

import functools
import hashlib
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image, ImageDraw, ImageFont

from portal.files import photos
from portal.files.uploads import check_upload
from tests.approvals import upload_files
from tests.security.test_findings_data import jpeg_with_gps

from . import photo_files
from .photo_files import ID_NUMBER, jpeg, paper_photo, png, read_digits

MB = 1024 * 1024


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


DIGITS = 40  # 3 mm digits (a 居民身份证's) on a page that fills a 4000-pixel-wide photo: 13 px/mm


@functools.cache
def phone_photo() -> tuple[bytes, tuple[int, int]]:
    """A 12-megapixel phone photo of a page, ~6 MB, and where its ID number is. Made once: it
    takes seconds."""
    image = paper_photo((4000, 3000), digit_height=DIGITS)
    return jpeg(image, quality=95), paper_photo.text_origin  # type: ignore[attr-defined]


def upload(data: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def stored(checked) -> Image.Image:
    assert checked.cleaned is not None
    return Image.open(io.BytesIO(checked.cleaned))


# -- (a) scaled copies ---------------------------------------------------------------------------


def test_a_6_mb_phone_photo_is_kept_as_a_copy_of_a_few_hundred_kb():
    data, _origin = phone_photo()
    assert 5 * MB < len(data) < 7 * MB

    checked = check_upload(upload(data))

    kept = stored(checked)
    assert kept.format == "JPEG" and kept.size == (photos.PHOTO_EDGE, 1200)
    assert kept.info.get("progressive") or kept.info.get("progression")
    assert 50_000 < checked.size < 500_000
    assert checked.size == len(checked.cleaned)
    assert checked.sha256 == hashlib.sha256(checked.cleaned).hexdigest()
    assert checked.content_type == "image/jpeg" and checked.extension == ".jpg"


def test_the_id_number_can_still_be_read_on_the_kept_copy():
    data, origin = phone_photo()
    original = Image.open(io.BytesIO(data))
    assert read_digits(original, origin, DIGITS, 1.0) == ID_NUMBER

    kept = stored(check_upload(upload(data)))

    scale = kept.width / original.width
    assert DIGITS * scale >= 15  # pixels per digit: what a clerk reads without zooming
    assert read_digits(kept, origin, DIGITS, scale) == ID_NUMBER
    # …and the reader is no blind guesser: at an eighth of that size the digits are lost.
    tiny = kept.resize((kept.width // 8, kept.height // 8), Image.Resampling.BOX)
    assert read_digits(tiny, origin, DIGITS, scale / 8) != ID_NUMBER


def test_gps_is_gone_and_the_rotation_kept_after_scaling():
    """A phone photo turned by EXIF (orientation 6) with a GPS position: the copy is upright, 1600
    pixels high, and has no EXIF at all."""
    image = paper_photo((2400, 1800), digit_height=30)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to show
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825).update({1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 17.0)})
    data = jpeg(image, exif=exif.tobytes())
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)

    checked = check_upload(upload(data))

    kept = stored(checked)
    assert not kept.getexif() and "exif" not in kept.info
    assert b"PhoneMaker" not in checked.cleaned
    assert kept.size == (1200, photos.PHOTO_EDGE)  # upright: portrait


def test_small_photos_keep_their_pixels_and_only_lose_their_metadata():
    data = jpeg_with_gps()
    checked = check_upload(upload(data))
    assert stored(checked).size == (30, 60)  # turned upright, not scaled
    plain = upload_files.jpeg_bytes((800, 600))
    checked = check_upload(upload(plain))
    assert checked.cleaned is None and checked.size == len(plain)  # kept byte for byte


def test_a_large_file_within_the_edge_is_compressed_at_its_size():
    """A 1900 × 1400 photo saved at quality 100 is over 1 MB: re-encoded, not shrunk further than
    the reading size."""
    data = jpeg(paper_photo((1900, 1400), noise=14), quality=100)
    assert len(data) > photos.SCALE_ABOVE_BYTES
    kept = stored(check_upload(upload(data)))
    assert kept.size == (photos.PHOTO_EDGE, round(1400 * photos.PHOTO_EDGE / 1900))


def test_a_png_scan_of_a4_at_200_dpi_is_kept_as_it_was():
    """PNGs are scans and screenshots: lossless, crisp text, kept exactly up to A4 at 200 dpi."""
    scan = Image.new("L", (1654, 2339), 255)
    ImageDraw.Draw(scan).text((100, 100), ID_NUMBER, fill=0, font=ImageFont.load_default(size=24))
    data = png(scan)
    checked = check_upload(upload(data, "scan.png"))
    assert checked.content_type == "image/png"
    assert checked.cleaned is None and checked.sha256 == hashlib.sha256(data).hexdigest()


def test_a_larger_png_scan_is_scaled_and_stays_a_sharp_png():
    """A grey scan of A4 at 300 dpi, with the paper's texture: a PNG half the size, digits readable."""
    scan = Image.effect_noise((2480, 3508), 6).point(lambda v: min(255, v + 105))  # paper, ~233
    ImageDraw.Draw(scan).text((200, 200), ID_NUMBER, fill=0, font=ImageFont.load_default(size=40))
    data = png(scan)
    checked = check_upload(upload(data, "scan.png"))
    kept = stored(checked)
    assert kept.format == "PNG" and max(kept.size) == photos.SCAN_EDGE
    assert checked.content_type == "image/png" and checked.size < len(data)
    assert read_digits(kept, (200, 200), 40, kept.height / 3508) == ID_NUMBER


def test_a_scan_that_scaling_would_make_larger_is_kept_as_it_was():
    """Black and white compresses better than the grey edges scaling makes: the original is smaller."""
    scan = Image.new("1", (3508, 4961), 1)
    ImageDraw.Draw(scan).text((200, 200), ID_NUMBER, fill=0, font=ImageFont.load_default(size=80))
    data = png(scan)
    checked = check_upload(upload(data, "scan.png"))
    assert checked.cleaned is None and checked.size == len(data)


def test_a_huge_image_is_still_refused_unopened(monkeypatch):
    from PIL import ImageFile  # why: patched for this test only

    def fail(self):
        raise AssertionError("decoded a refused image")

    monkeypatch.setattr(ImageFile.ImageFile, "load", fail)
    for phone in (False, True):
        with pytest.raises(ValidationError) as caught:
            check_upload(upload(upload_files.png_header_only(9000, 5000), "x.png"), phone=phone)
        assert caught.value.code == "too_many_pixels"


@pytest.mark.parametrize("phone", [False, True])
def test_a_truncated_photo_gets_a_friendly_refusal(phone):
    data, _origin = phone_photo()
    with pytest.raises(ValidationError) as caught:
        check_upload(upload(data[: len(data) * 2 // 3]), phone=phone)
    assert caught.value.code == "image_incomplete"
    assert "incomplete" in caught.value.messages[0]


# -- (b) a phone's photos that cannot be read ------------------------------------------------------


def test_a_dark_photo_is_refused_from_a_phone_but_kept_from_an_assistant():
    dark = jpeg(paper_photo((1600, 1200), brightness=0.15, digit_height=24), quality=85)
    with pytest.raises(ValidationError) as caught:
        check_upload(upload(dark), phone=True)
    assert caught.value.code == "photo_too_dark"
    assert "too dark" in caught.value.messages[0] and "bright place" in caught.value.messages[0]
    assert check_upload(upload(dark)).content_type == "image/jpeg"


def test_a_dim_but_readable_photo_is_accepted_from_a_phone():
    dim = jpeg(paper_photo((1600, 1200), brightness=0.45, digit_height=24), quality=85)
    assert check_upload(upload(dim), phone=True).content_type == "image/jpeg"


def test_the_darkness_is_measured_on_the_photo_and_its_transparency_is_paper():
    """A transparent PNG is the page behind it, not black."""
    clear = Image.new("RGBA", (800, 600), (0, 0, 0, 0))
    assert check_upload(upload(png(clear), "x.png"), phone=True).content_type == "image/png"


@pytest.mark.parametrize(("size", "phone_ok"), [((800, 500), False), ((1000, 600), True)])
def test_a_photo_too_small_to_read_is_refused_from_a_phone(size, phone_ok):
    data = jpeg(paper_photo(size, digit_height=12), quality=85)
    if phone_ok:
        assert check_upload(upload(data), phone=True).content_type == "image/jpeg"
        return
    with pytest.raises(ValidationError) as caught:
        check_upload(upload(data), phone=True)
    assert caught.value.code == "photo_too_small"
    assert "800 × 500" in caught.value.messages[0]
    assert check_upload(upload(data)).content_type == "image/jpeg"  # an assistant's: accepted


def test_the_size_is_judged_upright():
    """A 1000 × 500 photo turned by EXIF is 500 wide: too small either way round."""
    exif = Image.Exif()
    exif[0x0112] = 6
    data = jpeg(paper_photo((1000, 500), digit_height=12), exif=exif.tobytes())
    with pytest.raises(ValidationError) as caught:
        check_upload(upload(data), phone=True)
    assert "500 × 1000" in caught.value.messages[0]


@pytest.mark.parametrize(
    "make",
    [
        lambda: upload_files.image_bytes("JPEG", (900, 700), mode="CMYK"),
        lambda: upload_files.image_bytes("JPEG", (2600, 700), mode="L"),
        lambda: upload_files.image_bytes("PNG", (2600, 700), mode="P"),
        lambda: upload_files.image_bytes("PNG", (2600, 700), mode="I;16"),
        lambda: upload_files.image_bytes("PNG", (2600, 700), mode="RGBA"),
        lambda: upload_files.image_bytes("PNG", (2600, 700), mode="1"),
        lambda: upload_files.image_bytes("JPEG", (2600, 700), mode="CMYK", quality=95),
    ],
)
def test_every_kind_of_picture_is_scaled_or_checked_without_an_error(make):
    data = make()
    for phone in (False, True):
        try:
            checked = check_upload(upload(data, "x"), phone=phone)
        except ValidationError as error:
            assert error.code in {"photo_too_dark", "photo_too_small"}
        else:
            assert checked.size > 0


def test_photo_files_digits_are_where_the_box_says():
    """The test photo's own promise, so the reading tests test the scaling, not the drawing."""
    image = paper_photo((1200, 900), digit_height=30)
    assert read_digits(image, photo_files.paper_photo.text_origin, 30, 1.0) == ID_NUMBER  # type: ignore[attr-defined]
    assert read_digits(image, photo_files.paper_photo.text_origin, 30, 1.0, "0" * 18) != "0" * 18  # type: ignore[attr-defined]
