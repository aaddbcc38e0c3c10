"""The promise list (红黑榜) as one A4 page for the village notice board.

Closed promises are printed in red, open ones in black, as the boards do; each row also says its
state in words (已销号, 待确认, 办理中, 逾期), so the page reads the same photocopied in grey. It is
always one page: the most recent promises that fit (red and black together, as they were
made; overdue ones say so), a line saying how many more the live list has, and a QR code that
opens it. Drawn on the canvas with the shared A4 helpers (`portal.printing`),
like the certificates, and written in Chinese whatever the reader's language.
"""

import datetime
import io

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib.colors import Color, black
from reportlab.pdfbase.pdfmetrics import stringWidth

from portal.places.models import Region, RegionLevel
from portal.printing.fonts import cjk_font
from portal.printing.layout import (
    GREY,
    MARGIN,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    SEAL_RED,
    draw_qr,
    new_canvas,
    wrap,
)
from portal.printing.words import chinese_date

from .selectors import PublicRow, PublicSummary

PAPER_LANGUAGE = "zh-hans"
MAX_ROWS = 60
"""Rows read from the database for the page; those that fit are drawn (about 30 usually)."""
SIZE, LEADING = 10, 13
MAX_LINES = 2
BOTTOM = 150  # the QR code and the print date sit below this line
QR_SIZE = 92
RULE = Color(0.75, 0.75, 0.75)


def _fit(text: str, width: float, font: str) -> list[str]:
    """At most MAX_LINES lines of `text` in `width`, the last one cut with … when it is longer."""
    lines = wrap(text or "—", width, SIZE)
    if len(lines) <= MAX_LINES:
        return lines
    last = lines[MAX_LINES - 1]
    while last and stringWidth(last + "…", font, SIZE) > width:
        last = last[:-1]
    return [*lines[: MAX_LINES - 1], last + "…"]


def _state(row: PublicRow) -> str:
    if row.closed:
        return pgettext("promise list paper", "Closed")
    if row.overdue:
        return pgettext("promise list paper", "Overdue")
    if row.done:
        return pgettext("promise list paper", "Done, to confirm")
    return pgettext("promise list paper", "In progress")


def _place(region: Region) -> str:
    if region.level == RegionLevel.VILLAGE and region.parent_id:
        return f"{region.parent.name}{region.name}"
    return region.name


def promise_list_pdf(
    *, region: Region, rows: list[PublicRow], summary: PublicSummary, url: str, today: datetime.date
) -> bytes:
    """The page as PDF bytes. `rows` are in the list's order; `summary` gives the totals."""
    font = cjk_font()
    buffer = io.BytesIO()
    title = _("Public list of promises (承诺公示): %(place)s") % {"place": _place(region)}
    canvas = new_canvas(buffer, title=title)
    width = PAGE_WIDTH - 2 * MARGIN
    y = PAGE_HEIGHT - 64

    canvas.setFont(font, 18)
    canvas.drawCentredString(PAGE_WIDTH / 2, y, title)
    y -= 22
    canvas.setFont(font, 10)
    canvas.drawCentredString(
        PAGE_WIDTH / 2,
        y,
        _("Red: closed, the villager confirmed it is done (已销号). Black: still open."),
    )
    y -= 18
    canvas.drawCentredString(
        PAGE_WIDTH / 2,
        y,
        _("%(promised)s promises: %(closed)s closed, %(open)s open, of which %(overdue)s overdue.")
        % {
            "promised": summary.promised,
            "closed": summary.closed,
            "open": summary.open,
            "overdue": summary.overdue,
        },
    )
    y -= 24

    with_village = region.level == RegionLevel.TOWNSHIP
    columns = [
        *([(_("Village"), 58)] if with_village else []),
        (_("Villager"), 52),
        (_("What is promised"), 0),
        (_("By whom"), 100),
        (_("Promised date"), 64),
        (_("State"), 50),
    ]
    flexible = width - sum(w for _label, w in columns)
    columns = [(label, w or flexible) for label, w in columns]

    def rule(at: float) -> None:
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, at, PAGE_WIDTH - MARGIN, at)

    canvas.setFont(font, SIZE)
    canvas.setFillColor(GREY)
    x = MARGIN
    for label, column_width in columns:
        canvas.drawString(x + 2, y, label)
        x += column_width
    canvas.setFillColor(black)
    rule(y - 5)
    y -= 5 + LEADING

    drawn = 0
    for row in rows:
        cells = [
            *([row.village] if with_village else []),
            row.villager,
            row.promise,
            row.who,
            row.promised_on.isoformat() if row.promised_on else "—",
            _state(row),
        ]
        lines = [
            _fit(text, column_width - 4, font)
            for text, (_label, column_width) in zip(cells, columns, strict=True)
        ]
        height = max(len(cell) for cell in lines) * LEADING
        if y - height < BOTTOM + 24:
            break
        canvas.setFillColor(SEAL_RED if row.closed else black)
        canvas.setFont(font, SIZE)
        x = MARGIN
        for cell, (_label, column_width) in zip(lines, columns, strict=True):
            for index, line in enumerate(cell):
                canvas.drawString(x + 2, y - index * LEADING, line)
            x += column_width
        if row.overdue:  # underline the state: overdue is the row to look at
            state_x = PAGE_WIDTH - MARGIN - columns[-1][1] + 2
            canvas.setLineWidth(1)
            canvas.line(state_x, y - 2, state_x + stringWidth(cells[-1], font, SIZE), y - 2)
        canvas.setFillColor(black)
        rule(y - height + LEADING - 4)
        y -= height
        drawn += 1

    canvas.setFont(font, SIZE)
    if not rows:
        canvas.drawString(MARGIN, y, _("No promises yet."))
        y -= LEADING
    left_out = summary.promised - drawn
    if left_out > 0:
        canvas.drawString(
            MARGIN,
            y - 4,
            _("%(count)s more promises are on the live list: scan the code.") % {"count": left_out},
        )

    draw_qr(canvas, url, MARGIN, 48, QR_SIZE)
    canvas.setFont(font, 10)
    canvas.drawString(MARGIN + QR_SIZE + 16, 48 + QR_SIZE - 12, _("Scan for the live list (实时公示)"))
    canvas.setFont(font, 8)
    for index, line in enumerate(wrap(url, PAGE_WIDTH / 2 - QR_SIZE, 8)):
        canvas.drawString(MARGIN + QR_SIZE + 16, 48 + QR_SIZE - 28 - index * 10, line)
    canvas.setFont(font, 12)
    canvas.drawRightString(PAGE_WIDTH - MARGIN, 48 + 40, _place(region))
    canvas.drawRightString(
        PAGE_WIDTH - MARGIN, 48 + 18, _("Printed on %(date)s") % {"date": chinese_date(today)}
    )
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
