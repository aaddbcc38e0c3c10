"""Photos made fit to keep and to read: scaled copies of large ones, and a phone's unreadable ones refused.

Issue 20: villagers far from home photograph their papers with cheap phones and upload them over
poor networks; assistants upload phone photos too. A 12-megapixel phone photo is 4-6 MB, which the
township clerk does not need: an ID card or an A4 page is read on a screen of 1-2 thousand pixels.
So every JPEG larger than a reading size (`SCALE_ABOVE_EDGE` pixels on its long edge or
`SCALE_ABOVE_BYTES`) is kept as a copy `PHOTO_EDGE` pixels long, progressive, quality
`JPEG_QUALITY`: about 300 KB instead of 6 MB (bench/photos.py measures it), stored, backed up
and downloaded over a township line twenty times faster. This applies to every upload, the
assistants' too: what the clerk reads is the same, and one rule in one place (`uploads.check_upload`)
means no page can forget it.

PNGs are scans and screenshots, not camera photos (no phone camera saves PNG), and their text is
crisp because PNG is lossless: they stay PNG, and only one larger than `SCAN_EDGE` on its long
edge (an A4 page at 200 dpi, what the portal asks scanners for) is scaled down, still as PNG.

A photo sent from a phone (`phone=True`) is also refused when the clerk could not read it: too
small (`PHONE_MIN_SHORT_EDGE`) or too dark (`PHONE_MIN_LUMINANCE`, the mean grey of a small copy).
The villager is far away; a refusal now, saying how to take a better photo, costs a minute, while
a clerk's one-time notice (一次性告知) a week later costs a trip. Blur is not judged: a measure
cheap enough here (the variance of a 3 × 3 Laplacian on an 800-pixel grey copy) reads the
sensor's grain, which comes after the lens's blur. Measured on a page photographed with a phone's
grain: sharp text ~220-260, text blurred by 4 pixels ~75, a sharp blank page ~130-145, so no
threshold refuses the blurred page and keeps the blank one, and the grain differs by phone and
light. Refusing a good photo is worse than accepting a soft one, which the clerk can still return.

Memory stays bounded: the pixel limit (`uploads.MAX_IMAGE_PIXELS`) is checked before any of this
runs, JPEGs are decoded at a reduced scale (`Image.draft`: 1/2, 1/4 or 1/8, by the decoder itself)
and the quality checks look at a copy of at most `_PROBE_EDGE` pixels.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, ImageStat

# A JPEG is scaled when its long edge is over this many pixels or its file over this many bytes.
SCALE_ABOVE_EDGE = 2000
SCALE_ABOVE_BYTES = 1024 * 1024
# The long edge of the kept copy: an ID card across half the frame is ~240 dpi of card, an A4 page
# filling the frame ~140 dpi, enough for 5号 (10.5 pt) print. phone-photo.js uses the same.
PHOTO_EDGE = 1600
JPEG_QUALITY = 80
# A PNG scan is scaled only above this: A4 at 200 dpi (2339 px) is kept as it is.
SCAN_EDGE = 2400
# Below these a phone photo is refused (measured in tests/files/test_photos.py).
PHONE_MIN_SHORT_EDGE = 600
# Of 255, the mean of a grey copy. The tests' page on a desk measures ~180 in daylight, ~80 at
# 45 % of it (dim but readable: accepted), ~26 at 15 % (refused).
PHONE_MIN_LUMINANCE = 40
_PROBE_EDGE = 256

_MSG_TOO_SMALL = _(
    "This photo is too small to read (%(width)d × %(height)d pixels). Take the photo again with the "
    "phone's camera, close enough that the paper fills the picture, and upload that photo, not a "
    "screenshot or a photo sent through a chat app."
)
_MSG_TOO_DARK = _(
    "This photo is too dark to read. Take it again in a bright place (near a window by day, or under "
    "a lamp), without covering the paper with your shadow, and upload the new photo."
)

_ORIENTATION = 0x0112
_TURNED = {5, 6, 7, 8}  # EXIF orientations that swap width and height


def upright_size(image: Image.Image) -> tuple[int, int]:
    """Width and height as the photo is shown, after the camera's rotation (EXIF orientation)."""
    width, height = image.size
    try:
        turned = image.getexif().get(_ORIENTATION) in _TURNED
    except Exception:  # a damaged EXIF block: the pixels are shown as stored
        turned = False
    return (height, width) if turned else (width, height)


def kept_photo(uploaded: Any, pillow_format: str, size: int, *, phone: bool = False) -> bytes | None:
    """What to keep of a JPEG or PNG that passed `uploads._check_image`: a scaled copy, without
    metadata and upright, when the picture is over the reading size and the copy is smaller;
    None otherwise (the caller then only strips its metadata).

    A JPEG over `SCALE_ABOVE_EDGE` or `SCALE_ABOVE_BYTES` becomes a progressive JPEG at most
    `PHOTO_EDGE` long; a PNG over `SCAN_EDGE` a PNG `SCAN_EDGE` long. The colour profile is kept.
    With `phone`, raises ValidationError "photo_too_small" or "photo_too_dark" for a photo the
    clerk could not read; the pixels decoded for the copy are the ones measured, so a phone's
    photo is decoded once here.
    """
    uploaded.seek(0)
    with Image.open(uploaded, formats=[pillow_format]) as image:
        width, height = upright_size(image)
        if phone and min(width, height) < PHONE_MIN_SHORT_EDGE:
            raise ValidationError(
                _MSG_TOO_SMALL, code="photo_too_small", params={"width": width, "height": height}
            )
        long_edge = max(image.size)
        if pillow_format == "JPEG":
            scale = long_edge > SCALE_ABOVE_EDGE or size > SCALE_ABOVE_BYTES
            target = min(PHOTO_EDGE, long_edge)
        else:
            scale, target = long_edge > SCAN_EDGE, SCAN_EDGE
        if not scale:
            if phone:
                _check_light(_probe(image))
            return None
        if pillow_format == "JPEG":
            # The decoder scales by 1/2, 1/4 or 1/8 to the smallest size still >= the one asked.
            image.draft(image.mode, _fit(image.size, target))
        icc_profile = image.info.get("icc_profile")
        has_alpha = image.mode in {"RGBA", "LA", "PA"} or "transparency" in image.info
        upright = ImageOps.exif_transpose(image) or image
        pixels = _resizable(upright, pillow_format, has_alpha)
        pixels = pixels.resize(_fit(pixels.size, target), Image.Resampling.LANCZOS, reducing_gap=3.0)
        if phone:
            _check_light(pixels.copy())
        out = BytesIO()
        options: dict[str, Any] = {"icc_profile": icc_profile} if icc_profile else {}
        if pillow_format == "JPEG":
            pixels.save(out, format="JPEG", quality=JPEG_QUALITY, progressive=True, optimize=True, **options)
        else:
            pixels.save(out, format="PNG", **options)
    # A black-and-white scan can grow when scaled (grey edges compress worse): then keep it.
    return out.getvalue() if out.tell() < size else None


def mean_luminance(image: Image.Image) -> float:
    """The mean grey (0-255) of a picture, transparency on white, measured on a small copy."""
    return float(ImageStat.Stat(_on_white(_probe(image)).convert("L")).mean[0])


def _check_light(image: Image.Image) -> None:
    if mean_luminance(image) < PHONE_MIN_LUMINANCE:
        raise ValidationError(_MSG_TOO_DARK, code="photo_too_dark")


def _probe(image: Image.Image) -> Image.Image:
    """`image` made at most `_PROBE_EDGE` long, in place: a JPEG is decoded straight to grey at
    1/8 scale (`draft`), so a 12 MP photo costs ~200 KB here. Only for an image opened for this."""
    if image.format == "JPEG":
        image.draft("L", (max(1, image.width // 8), max(1, image.height // 8)))
    image = _eight_bit(image)
    image.thumbnail((_PROBE_EDGE, _PROBE_EDGE))
    return image


def _fit(size: tuple[int, int], long_edge: int) -> tuple[int, int]:
    """`size` shrunk so its long edge is `long_edge`, keeping the proportions (never enlarged)."""
    width, height = size
    scale = min(1.0, long_edge / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _resizable(image: Image.Image, pillow_format: str, has_alpha: bool) -> Image.Image:
    """The pixels in a mode LANCZOS can resample and the format can save, nothing lost on the way."""
    if pillow_format == "JPEG":
        return image if image.mode in {"RGB", "L", "CMYK"} else image.convert("RGB")
    if image.mode in _SIXTEEN_BIT:
        return _eight_bit(image)
    if image.mode in {"L", "RGB", "RGBA", "LA"}:
        return image
    if image.mode == "1":
        return image.convert("L")
    return image.convert("RGBA" if has_alpha else "RGB")


def _on_white(image: Image.Image) -> Image.Image:
    """Transparent parts shown as the page behind them (white), not as black."""
    if image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        page = Image.new("RGBA", rgba.size, "white")
        return Image.alpha_composite(page, rgba)
    return image


_SIXTEEN_BIT = {"I;16", "I;16B", "I;16L", "I"}


def _eight_bit(image: Image.Image) -> Image.Image:
    """A 16-bit grey PNG as 8-bit grey (resampling needs it); other images as they are.
    Pillow's I;16 → L conversion clips at 255 instead of scaling, so it is scaled by hand."""
    if image.mode not in _SIXTEEN_BIT:
        return image
    return image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
