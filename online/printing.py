"""The authorisation (授权委托书) signed on the villager's phone, as an A4 PDF: the words agreed to,
who, when, on which number, how, the record's SHA-256, and the drawn signature. It is attached to
the application as its consent file (from the villager's phone), so the clerk reads it like the
scanned paper it replaces."""

import io

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib.utils import ImageReader

from portal.outbox.models import mask_mobile
from portal.printing import layout
from portal.printing.words import PAPER_LANGUAGE, chinese_date

SIGNATURE_BOX = (layout.MARGIN, 96, 220, 110)  # x, y, width, height: the bottom left, above the footer


def consent_pdf(
    *,
    reference: str,
    item: str,
    text: str,
    name: str,
    id_masked: str,
    signed_at,
    mobile: str,
    method_label: str,
    sha256: str,
    signature_png: bytes = b"",
) -> bytes:
    """The paper in the county's language."""
    with translation.override(PAPER_LANGUAGE):
        local = timezone.localtime(signed_at)
        paper = layout.Paper(
            title=_("Authorisation (授权委托书)"),
            subtitle=_("Signed on the villager's own phone (网办)"),
            paragraphs=(text,),
            rows=(
                (_("Item"), item),
                (_("Application"), reference),
                (_("Signed by"), name),
                (_("ID number"), id_masked or "—"),
                (_("Code texted to"), mask_mobile(mobile)),
                (_("Signed at"), f"{local:%Y-%m-%d %H:%M:%S}"),
                (_("How"), method_label),
                (_("SHA-256 of the record"), f"{sha256[:32]}\n{sha256[32:]}"),
            ),
            issuer=(_("The authorising villager"), name),
            date_text=chinese_date(timezone.localdate(signed_at)),
            footer=_(
                "The record of this authorisation is kept by the service station; its SHA-256 above "
                "checks that nothing was changed."
            ),
        )
        buffer = io.BytesIO()
        canvas = layout.new_canvas(buffer, title=paper.title)
        if signature_png:
            x, y, width, height = SIGNATURE_BOX
            canvas.drawImage(
                ImageReader(io.BytesIO(signature_png)),
                x,
                y,
                width=width,
                height=height,
                preserveAspectRatio=True,
                anchor="sw",
                mask="auto",
            )
        layout.draw(canvas, paper)
        canvas.save()
        return buffer.getvalue()
