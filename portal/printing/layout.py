"""One A4 layout for every printed paper: title, body, issuing office and date, a place for the
seal, and a QR code in the corner.

A `Paper` is plain data (strings); `render` draws any number of them into one PDF with the
canvas directly, not with platypus flowables: a certificate is one fixed page, and drawing it
directly keeps a certificate near 10 ms. Text wraps by measured width, Chinese character by
character, Latin words and numbers whole, and closing punctuation never starts a line (避头).
A body too long for one page continues on the next, the bottom block on the last.
"""

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import BinaryIO

from reportlab.graphics.barcode.qrencoder import QRCode, QRErrorCorrectLevel
from reportlab.lib.colors import Color, black, white
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from .fonts import cjk_font

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 62
BODY_WIDTH = PAGE_WIDTH - 2 * MARGIN
BOTTOM_BLOCK = 215  # the issuer, date, seal and QR code sit below this line
QR_SIZE = 88
SEAL_RED = Color(0.78, 0.1, 0.1)
GREY = Color(0.35, 0.35, 0.35)


@dataclass(frozen=True)
class Paper:
    """What one printed paper says; every field is display text (already in the paper's language)."""

    title: str
    subtitle: str = ""
    paragraphs: tuple[str, ...] = ()
    rows: tuple[tuple[str, str], ...] = ()
    numbered: tuple[str, ...] = ()
    closing: tuple[str, ...] = ()
    issuer: tuple[str, ...] = ()
    date_text: str = ""
    seal: bool = False
    qr_url: str = ""
    qr_lines: tuple[str, ...] = ()
    footer: str = ""
    watermark: str = ""
    framed: bool = False
    metadata: dict = field(default_factory=dict, compare=False)


# -- text ----------------------------------------------------------------------------------------

_TOKENS = re.compile(r"[A-Za-z0-9@#%&*+\-./:_=?~]+|\s+|.", re.S)
_NO_LINE_START = set("，。、；：？！）》」』】〕%,.;:?!)")


def wrap(text: str, width: float, size: float) -> list[str]:
    """Lines of `text` no wider than `width` at `size` points (newlines kept)."""
    font = cjk_font()
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, line_width = "", 0.0
        for token in _TOKENS.findall(paragraph):
            token_width = stringWidth(token, font, size)
            if line and line_width + token_width > width and token not in _NO_LINE_START:
                lines.append(line.rstrip())
                token = token.lstrip()
                line, line_width = token, stringWidth(token, font, size)
            else:
                line, line_width = line + token, line_width + token_width
        lines.append(line.rstrip())
    return lines


# -- drawing -------------------------------------------------------------------------------------


class _Page:
    """A cursor down the body of the current page; a new page when the body is full."""

    def __init__(self, canvas: Canvas, paper: Paper):
        self.canvas, self.paper, self.font = canvas, paper, cjk_font()
        self.y = 0.0
        self.start(first=True)

    def start(self, *, first: bool) -> None:
        paper, canvas = self.paper, self.canvas
        if paper.framed:
            _frame(canvas)
        top = PAGE_HEIGHT - (104 if paper.framed else 80)
        if first:
            self.y = _title(canvas, paper.title, top, self.font, framed=paper.framed) - 30
            if paper.subtitle:
                _centred(canvas, paper.subtitle, self.y, self.font, 12)
                self.y -= 34
            else:
                self.y -= 10
        else:
            _centred(canvas, f"{paper.title}（续）", top + 10, self.font, 14)
            self.y = top - 24
        if paper.footer:
            canvas.setFont(self.font, 8)
            canvas.setFillColor(GREY)
            for index, line in enumerate(wrap(paper.footer, BODY_WIDTH, 8)):
                canvas.drawCentredString(PAGE_WIDTH / 2, 44 - index * 11, line)
            canvas.setFillColor(black)
        if paper.watermark:
            _watermark(canvas, paper.watermark, self.font)

    def need(self, height: float) -> None:
        """Room for `height` points above the bottom block, or a new page."""
        if self.y - height < BOTTOM_BLOCK:
            self.canvas.showPage()
            self.start(first=False)

    def text(self, lines: list[str], x: float, size: float, leading: float) -> None:
        canvas = self.canvas
        canvas.setFont(self.font, size)
        for line in lines:
            self.need(leading)
            canvas.setFont(self.font, size)
            canvas.drawString(x, self.y, line)
            self.y -= leading

    def paragraph(self, text: str, size: float = 13, leading: float = 22) -> None:
        """First line indented by two characters, as Chinese prose is set."""
        indent = "\u3000\u3000"
        lines = wrap(indent + text, BODY_WIDTH, size)
        self.text(lines, MARGIN, size, leading)
        self.y -= 6

    def rows(self, rows: tuple[tuple[str, str], ...], size: float = 13, leading: float = 24) -> None:
        label_width = max((stringWidth(label, self.font, size) for label, _value in rows), default=0) + 18
        canvas = self.canvas
        for label, value in rows:
            lines = wrap(value or "—", BODY_WIDTH - label_width, size)
            self.need(leading * len(lines))
            canvas.setFont(self.font, size)
            canvas.setFillColor(GREY)
            canvas.drawString(MARGIN, self.y, label)
            canvas.setFillColor(black)
            for line in lines:
                canvas.drawString(MARGIN + label_width, self.y, line)
                self.y -= leading
            canvas.setStrokeColor(Color(0.8, 0.8, 0.8))
            canvas.setLineWidth(0.4)
            canvas.line(MARGIN, self.y + leading - 7, PAGE_WIDTH - MARGIN, self.y + leading - 7)
            canvas.setStrokeColor(black)
        self.y -= 10

    def numbered(self, items: tuple[str, ...], size: float = 13, leading: float = 21) -> None:
        for number, item in enumerate(items, start=1):
            marker = f"{number}. "
            hang = stringWidth(marker, self.font, size)
            lines = wrap(item, BODY_WIDTH - hang, size)
            self.need(leading * min(len(lines), 2))
            self.canvas.setFont(self.font, size)
            self.canvas.drawString(MARGIN, self.y, marker)
            self.text(lines, MARGIN + hang, size, leading)
            self.y -= 4
        self.y -= 6


def _title(canvas: Canvas, title: str, top: float, font: str, *, framed: bool) -> float:
    """The title centred, letter-spaced on certificates, shrunk to fit the width (a long name
    such as 农村宅基地批准书、乡村建设规划许可证), or on two lines when it would get too small.
    Returns the baseline of its last line."""
    size, spacing = (28, 6) if framed else (22, 2)
    width = stringWidth(title, font, size) + spacing * max(len(title) - 1, 0)
    scale = min(1.0, BODY_WIDTH / width)
    if size * scale >= 18:
        _centred(canvas, title, top, font, size * scale, spacing * scale)
        return top
    lines = wrap(title, BODY_WIDTH, 20)
    for index, line in enumerate(lines):
        _centred(canvas, line, top - index * 28, font, 20)
    return top - (len(lines) - 1) * 28


def _centred(canvas: Canvas, text: str, y: float, font: str, size: float, spacing: float = 0) -> None:
    width = stringWidth(text, font, size) + spacing * max(len(text) - 1, 0)
    shown = canvas.beginText((PAGE_WIDTH - width) / 2, y)
    shown.setFont(font, size)
    shown.setCharSpace(spacing)
    shown.textOut(text)
    canvas.drawText(shown)


def _frame(canvas: Canvas) -> None:
    canvas.setStrokeColor(SEAL_RED)
    canvas.setLineWidth(2.2)
    canvas.rect(30, 30, PAGE_WIDTH - 60, PAGE_HEIGHT - 60)
    canvas.setLineWidth(0.6)
    canvas.rect(36, 36, PAGE_WIDTH - 72, PAGE_HEIGHT - 72)
    canvas.setStrokeColor(black)


def _watermark(canvas: Canvas, text: str, font: str) -> None:
    canvas.saveState()
    canvas.setFillColor(SEAL_RED, alpha=0.28)
    canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    canvas.rotate(32)
    canvas.setFont(font, 64)
    canvas.drawCentredString(0, 0, text)
    canvas.restoreState()


QR_MASK = 2
"""A fixed mask pattern: choosing the best of eight (ISO/IEC 18004's penalty score) costs 6 ms in
pure Python, more than the rest of a certificate; any mask decodes, and the suite decodes the
printed codes with zbar."""


def draw_qr(canvas: Canvas, text: str, x: float, y: float, size: float) -> None:
    """The QR code as one filled path of horizontal runs, drawn in module units (integer
    coordinates keep the page stream short), on a white quiet zone of two modules."""
    code = QRCode(None, QRErrorCorrectLevel.M)
    code.addData(text)
    code.version = code.calculate_version()
    code.makeImpl(False, QR_MASK)
    count = code.getModuleCount()
    canvas.saveState()
    canvas.translate(x, y)
    canvas.scale(size / count, size / count)
    canvas.setFillColor(white)
    canvas.rect(-2, -2, count + 4, count + 4, stroke=0, fill=1)
    canvas.setFillColor(black)
    path = canvas.beginPath()
    for row, modules in enumerate(code.modules):
        top = count - 1 - row
        column = 0
        while column < count:
            if not modules[column]:
                column += 1
                continue
            start = column
            while column < count and modules[column]:
                column += 1
            path.rect(start, top, column - start, 1)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def _bottom(canvas: Canvas, paper: Paper, font: str) -> None:
    """QR code at the bottom left; issuer, date and the place for the seal at the bottom right."""
    bottom = 92 if paper.footer else 70
    if paper.qr_url:
        draw_qr(canvas, paper.qr_url, MARGIN, bottom + 18, QR_SIZE)
        canvas.setFont(font, 9)
        for index, line in enumerate(paper.qr_lines):
            canvas.drawString(MARGIN, bottom + 4 - index * 12, line)
    right = PAGE_WIDTH - MARGIN - 8
    lines = [*paper.issuer, paper.date_text] if paper.date_text else list(paper.issuer)
    y = bottom + 30 + 24 * (len(lines) - 1)
    centre_x = right - max((stringWidth(line, font, 14) for line in lines), default=0) / 2
    if paper.seal:
        canvas.saveState()
        canvas.setStrokeColor(SEAL_RED)
        canvas.setLineWidth(0.8)
        canvas.setDash(3, 3)
        canvas.circle(centre_x, y - 10, 48)
        canvas.setFillColor(SEAL_RED, alpha=0.6)
        canvas.setFont(font, 9)
        canvas.drawCentredString(centre_x, y + 22, "（盖章）")
        canvas.restoreState()
    canvas.setFont(font, 14)
    for line in lines:
        canvas.drawRightString(right, y, line)
        y -= 24


def draw(canvas: Canvas, paper: Paper) -> None:
    """Draw one paper (one page, more when the body is long) and end its last page."""
    page = _Page(canvas, paper)
    # A certificate has one page to itself: larger type, more air between the rows.
    size, leading = (15, 26) if paper.framed else (13, 22)
    for text in paper.paragraphs:
        page.paragraph(text, size, leading)
    if paper.rows:
        page.rows(paper.rows, size, leading + 8 if paper.framed else 24)
    if paper.numbered:
        page.numbered(paper.numbered)
    for text in paper.closing:
        page.paragraph(text, size, leading)
    _bottom(canvas, paper, page.font)
    canvas.showPage()


def new_canvas(out: BinaryIO, *, title: str) -> Canvas:
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor("村办 Cunban")
    canvas.setCreator("Cunban")
    return canvas


def render(papers: Iterable[Paper], *, title: str = "") -> bytes:
    """The papers as one PDF, each starting on a new page."""
    buffer = io.BytesIO()
    papers = list(papers)
    canvas = new_canvas(buffer, title=title or (papers[0].title if papers else ""))
    for paper in papers:
        draw(canvas, paper)
    canvas.save()
    return buffer.getvalue()
