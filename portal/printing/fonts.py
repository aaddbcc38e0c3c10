"""The CJK font embedded in every printed paper.

reportlab embeds a subset of a TrueType font, so the PDF shows Chinese on any viewer, with no
font installed there. Debian's Noto CJK fonts are OpenType/CFF, which reportlab cannot embed;
WenQuanYi Zen Hei (package fonts-wqy-zenhei) is TrueType and works. `CUNBAN_PDF_FONT` names
another TrueType file (.ttf, or .ttc with `CUNBAN_PDF_FONT_INDEX`).
"""

from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

FONT_NAME = "CunbanCJK"
CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


def font_path() -> Path | None:
    """The configured font file, or the first installed candidate; None when there is none."""
    configured = getattr(settings, "CUNBAN_PDF_FONT", "")
    paths = [Path(configured)] if configured else [Path(candidate) for candidate in CANDIDATES]
    return next((path for path in paths if path.is_file()), None)


@cache
def cjk_font() -> str:
    """Register the font with reportlab once per process and return its name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    path = font_path()
    if path is None:
        raise ImproperlyConfigured(
            "No CJK TrueType font for printed papers: install Debian's fonts-wqy-zenhei "
            "(apt-get install fonts-wqy-zenhei) or set CUNBAN_PDF_FONT to a .ttf/.ttc file."
        )
    index = int(getattr(settings, "CUNBAN_PDF_FONT_INDEX", 0)) if path.suffix.lower() == ".ttc" else 0
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), subfontIndex=index))
    return FONT_NAME
