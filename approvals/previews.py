"""Small PNG previews of uploaded materials for the clerk (issue 18, gap 6): a PDF's first page,
an image scaled down. The clerk sees at a glance which paper is which before opening it.

Made on the first request and kept beside the file (`ApplicationFile.thumbnail`, in the same
private storage): a cache of derived data, not a change of the application, so no event. The
view serves it only after the download's permission check (`selectors.file_for_download`).

PDFs are drawn by poppler's `pdftoppm` (poppler-utils, one of the project's Debian packages)
in a child process with a time limit, so a hostile PDF can cost a few seconds, never a worker;
images by Pillow, already a dependency. Without pdftoppm, or on any failure, there is no
preview (None) and the page shows the file's name only.

Cost: one storage read when cached; otherwise one render (about 0.1-0.5 s for a scanned page).
"""

import io
import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.core.files.base import ContentFile
from PIL import Image

from .models import ApplicationFile

logger = logging.getLogger(__name__)

THUMBNAIL_PIXELS = 240
"""The longer side of a preview, in pixels (about 2 cm on a phone, readable as a page's shape)."""

PDFTOPPM_SECONDS = 15


def thumbnail_of(record: ApplicationFile) -> bytes | None:
    """The PNG preview of `record`, made and kept on first use; None when none can be made."""
    if record.thumbnail:
        try:
            with record.thumbnail.open("rb") as stored:
                return stored.read()
        except OSError:
            logger.warning("thumbnail of file %s is gone; making it again", record.pk)
    png = _render(record)
    if png is None:
        return None
    record.thumbnail.save(f"{record.pk}.png", ContentFile(png), save=False)
    ApplicationFile.objects.filter(pk=record.pk).update(thumbnail=record.thumbnail.name)
    return png


def _render(record: ApplicationFile) -> bytes | None:
    try:
        with record.file.open("rb") as source:
            data = source.read()
        if record.content_type == "application/pdf":
            return _pdf_first_page(data)
        if record.content_type.startswith("image/"):
            return _scaled_png(io.BytesIO(data))
    except Exception:  # Pillow, poppler and storage raise many kinds; a preview never makes a 500
        logger.exception("no preview for file %s", record.pk)
    return None


def _scaled_png(source) -> bytes:
    with Image.open(source) as image:
        image.draft("RGB", (THUMBNAIL_PIXELS * 2, THUMBNAIL_PIXELS * 2))  # JPEG: decode small
        image.thumbnail((THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
        converted = image.convert("RGB") if image.mode not in ("RGB", "L") else image
        out = io.BytesIO()
        converted.save(out, format="PNG", optimize=True)
        return out.getvalue()


def _pdf_first_page(data: bytes) -> bytes | None:
    tool = shutil.which("pdftoppm")
    if tool is None:
        return None
    with tempfile.TemporaryDirectory(prefix="cunban-preview-") as folder:
        pdf = Path(folder) / "in.pdf"
        pdf.write_bytes(data)
        subprocess.run(  # noqa: S603 (a fixed program and arguments; the PDF is a file we wrote)
            [
                tool,
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                "-png",
                "-scale-to",
                str(THUMBNAIL_PIXELS),
                str(pdf),
                str(Path(folder) / "page"),
            ],
            check=True,
            capture_output=True,
            timeout=PDFTOPPM_SECONDS,
        )
        page = Path(folder) / "page.png"
        # Pillow again: the same small, optimised PNG whatever poppler wrote.
        return _scaled_png(io.BytesIO(page.read_bytes()))
