"""Proofs of receipt (送达回证) for tests: a signature as the phone's signature box posts it
(a PNG data URL), and a photo of a signed paper receipt."""

import base64
import functools
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw


def _png(size: tuple[int, int], *, strokes: bool, mode: str = "RGBA") -> bytes:
    image = Image.new(mode, size, (255, 255, 255, 0) if mode == "RGBA" else "white")
    if strokes:
        pen = ImageDraw.Draw(image)
        pen.line(
            [(10, size[1] - 10), (size[0] // 2, 10), (size[0] - 10, size[1] - 15)], fill="black", width=3
        )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@functools.cache
def signature_data_url() -> str:
    """A small signature: a few strokes on a transparent canvas."""
    return "data:image/png;base64," + base64.b64encode(_png((120, 50), strokes=True)).decode()


def blank_signature_data_url() -> str:
    """The canvas as it is before anyone signs: transparent, nothing drawn."""
    return "data:image/png;base64," + base64.b64encode(_png((120, 50), strokes=False)).decode()


def receipt_photo(name: str = "回执.png") -> SimpleUploadedFile:
    """A photo of the paper receipt the villager signed."""
    return SimpleUploadedFile(name, _png((200, 140), strokes=True, mode="RGB"), content_type="image/png")
