"""Photos as a phone takes them of a paper, made in memory: a page with an ID number on a desk,
the sensor's noise and the camera's JPEG, so sizes and timings are those of a real upload.

A 4000 × 3000 photo saved at quality 95 with this noise is about 6 MB, what a 12-megapixel
phone camera writes; the digits are about 3 mm tall on the card, as on a 居民身份证.
"""

from __future__ import annotations

import io

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont, ImageOps, ImageStat

ID_NUMBER = "110101199003071234"


def paper_photo(
    size: tuple[int, int] = (4000, 3000),
    *,
    brightness: float = 1.0,
    noise: float = 9.5,
    digit_height: int | None = None,
    text: str = ID_NUMBER,
) -> Image.Image:
    """A photo of a white page with `text` in black on a grey-brown desk; `brightness` < 1 is a
    photo taken in the dark. Where `text` was drawn is left in `paper_photo.text_origin`."""
    width, height = size
    desk = Image.linear_gradient("L").resize(size).point(lambda v: 70 + v // 3)
    photo = Image.merge("RGB", (desk, desk.point(lambda v: v * 0.9), desk.point(lambda v: v * 0.75)))
    draw = ImageDraw.Draw(photo)
    page = (width // 8, height // 10, width * 7 // 8, height * 9 // 10)
    draw.rectangle(page, fill=(236, 234, 228))
    font_size = digit_height or max(8, width // 45)
    font = ImageFont.load_default(size=font_size)
    x, y = page[0] + width // 20, page[1] + height // 10
    for row in range(8):
        line = text if row == 0 else f"Household register line {row}"
        draw.text((x, y + row * font_size * 2), line, fill=(20, 20, 24), font=font)
    paper_photo.text_origin = (x, y)  # type: ignore[attr-defined]
    photo = photo.filter(ImageFilter.GaussianBlur(0.8))  # the lens
    # The sensor's grain, in each colour on its own (effect_noise is centred on 128).
    photo = Image.merge(
        "RGB",
        [ImageChops.add(channel, Image.effect_noise(size, noise), 1, -128) for channel in photo.split()],
    )
    if brightness != 1.0:
        photo = photo.point(lambda v: int(v * brightness))
    return photo


def jpeg(image: Image.Image, quality: int = 95, **save: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality, **save)
    return out.getvalue()


def png(image: Image.Image, **save: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", **save)
    return out.getvalue()


def read_digits(
    image: Image.Image, origin: tuple[int, int], font_size: int, scale: float, text: str = ID_NUMBER
) -> str:
    """Read the digits drawn at `origin` with `font_size` in a picture since scaled by `scale`,
    by matching each against the ten digits drawn the same way and scaled alike: what a clerk's
    eye does, crudely. Where each digit sits comes from the font's advances."""
    font = ImageFont.load_default(size=font_size)
    left, top, _right, bottom = font.getbbox(text)
    grey = image.convert("L")
    read = ""
    for index in range(len(text)):
        start = origin[0] + font.getlength(text[:index])
        advance = max(font.getlength(digit) for digit in "0123456789")
        box = (
            start * scale,
            (origin[1] + top) * scale,
            (start + advance) * scale,
            (origin[1] + bottom) * scale,
        )
        glyph = ImageOps.autocontrast(grey.crop(tuple(round(v) for v in box)))
        best, best_score = "", float("inf")
        for digit in "0123456789":
            drawn = Image.new("L", (round(advance), bottom), 255)
            ImageDraw.Draw(drawn).text((0, 0), digit, fill=0, font=font)
            reference = ImageOps.autocontrast(
                drawn.crop((0, top, round(advance), bottom)).resize(glyph.size, Image.Resampling.LANCZOS)
            )
            score = ImageStat.Stat(ImageChops.difference(glyph, reference)).sum[0]
            if score < best_score:
                best, best_score = digit, score
        read += best
    return read
