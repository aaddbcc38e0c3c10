"""Checks on the files that village assistants upload as application materials.

The materials are scans or photos of ID cards, forms and signed consent letters, so only PDF, JPEG
and PNG are accepted. The type is decided from the file's bytes (magic numbers, then a real parse),
never from its name or the browser's content type: both are chosen by whoever sends the file, and a
township clerk will later open what we keep.

Every refusal is a ValidationError whose message says what is wrong and what the assistant can do
about it, in words a villager's helper understands; its `code` lets callers and tests tell the rules
apart. Anything unexpected while reading (a damaged image that upsets Pillow, an OS error) becomes a
"could not be read" ValidationError, so a form never turns a bad upload into a server error.

Files are kept under a random name with the extension of the detected type (`stored_name`); the
name the assistant chose is only shown to people, after `clean_display_name`, and a download is
named by `download_name`: the assistant's name with the extension of the detected type, so a
PDF/HTA polyglot called "居民身份证.hta" downloads as "居民身份证.pdf".

PDFs are read with pikepdf (qpdf), the way a reader sees them, and refused when they are damaged
or encrypted or carry scripts, embedded files, or any automatic or outward action (issue 16,
finding 12). Photos are kept without their
EXIF, GPS, XMP and comments, with the camera's rotation applied to the pixels (finding 17), and
as a scaled copy when larger than a reading size; a villager's phone photo that could not be read
is refused (issue 20, portal/files/photos.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import secrets
import unicodedata
import warnings
from dataclasses import dataclass
from io import BytesIO
from typing import Any

import pikepdf
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from pikepdf.settings import set_qpdf_limits
from PIL import Image, ImageOps

from . import photos

DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# A 40-megapixel photo is more than any phone takes by default and more than an A4 page scanned at
# 600 dpi (35 MP); larger images cost hundreds of megabytes to decode and are refused unopened.
MAX_IMAGE_PIXELS = 40_000_000
DISPLAY_NAME_MAX_LENGTH = 100
# Shown instead of a name that cleaning leaves empty; language-neutral because it is stored.
FALLBACK_DISPLAY_NAME = "upload"

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
EXTENSIONS = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png"}

_CHUNK_BYTES = 64 * 1024
_HEAD_BYTES = 4096
# A PDF reader looks for %%EOF in the last 1024 bytes (PDF 32000-1, annex H) and tolerates a
# header that is not quite at the start; we accept the first but not the second.
_PDF_TAIL_BYTES = 1024


def max_upload_bytes() -> int:
    """The size limit now, read at call time so tests and deployments can change the setting."""
    return int(getattr(settings, "CUNBAN_UPLOAD_MAX_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def __getattr__(name: str) -> Any:
    """`uploads.MAX_UPLOAD_BYTES` reads the setting on every access rather than once at import."""
    if name == "MAX_UPLOAD_BYTES":
        return max_upload_bytes()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class CheckedUpload:
    """What `check_upload` found out about an accepted file: everything the caller needs to keep it."""

    content_type: str  # "application/pdf" | "image/jpeg" | "image/png"
    extension: str  # ".pdf" | ".jpg" | ".png"
    size: int
    sha256: str
    display_name: str  # cleaned original name, for showing to people
    # A photo's bytes without its metadata, when the upload had any: what is stored instead of
    # the upload (`size` and `sha256` describe these bytes then). None: store the upload as sent.
    cleaned: bytes | None = None
    pages: int | None = None  # a PDF's page count, as qpdf reads the page tree; None for photos

    def content(self, uploaded: Any) -> Any:
        """What to store: the cleaned bytes if there are any, else the upload itself."""
        return ContentFile(self.cleaned) if self.cleaned is not None else uploaded


# --- messages -------------------------------------------------------------------------------------
# Whole sentences per case, not fragments glued together, so each translates naturally.

_MSG_EMPTY = _(
    "This file is empty (0 bytes). Choose the file again; if it is still empty, scan or photograph "
    "the paper again and upload the new file."
)
_MSG_TOO_LARGE = _(
    "This file is %(size)s, but files can be at most %(limit)s. Scan at a lower resolution (200 dpi "
    "is enough) or take the photo at a smaller size, then upload it again."
)
_MSG_UNREADABLE = _(
    "This file could not be read. It may be damaged: scan or photograph the paper again and upload "
    "the new file."
)
_TYPE_MESSAGES = {
    "program": _(
        "This file is not a PDF, JPEG or PNG (it looks like a Windows program or another program). "
        "Scan or photograph the paper and upload that."
    ),
    "office": _(
        "This file is not a PDF, JPEG or PNG (it looks like a Word, Excel or other office document). "
        "Open it and save it as PDF, or print it and scan the paper, then upload that."
    ),
    "archive": _(
        "This file is not a PDF, JPEG or PNG (it looks like a compressed archive such as ZIP or RAR). "
        "Unpack it and upload each scan or photo on its own."
    ),
    "web_page": _(
        "This file is not a PDF, JPEG or PNG (it looks like a web page or other marked-up text). "
        "Scan or photograph the paper and upload that."
    ),
    "svg": _(
        "This file is not a PDF, JPEG or PNG (it looks like an SVG drawing). "
        "Save or export it as PNG or PDF and upload that."
    ),
    "text": _(
        "This file is not a PDF, JPEG or PNG (it looks like a plain text file). "
        "Print it and scan the paper, or save it as PDF, then upload that."
    ),
    "gif": _(
        "This file is not a PDF, JPEG or PNG (it is a GIF picture). Save it as PNG or JPEG and upload that."
    ),
    "heic": _(
        "This file is not a PDF, JPEG or PNG (it is a HEIC/HEIF photo, as iPhones and some other phones "
        "take them). Save the photo as JPEG, or set the camera to take JPEG photos "
        "(on an iPhone: Settings › Camera › Formats › Most Compatible), and upload that."
    ),
    "other_image": _(
        "This file is not a PDF, JPEG or PNG (it is a picture in another format, such as WebP, BMP or "
        "TIFF). Save it as JPEG or PNG, or have the scanner save PDF, and upload that."
    ),
    "video": _(
        "This file is not a PDF, JPEG or PNG (it looks like a video). Take a photo of the paper instead "
        "and upload that."
    ),
    "unknown_type": _(
        "This file is not a PDF, JPEG or PNG, so it cannot be accepted. "
        "Scan or photograph the paper and upload that."
    ),
}
_MSG_PDF_BAD_START = _(
    "This PDF does not start the way a PDF must, so it cannot be checked. Open it and save or print it "
    "as a new PDF, or scan the paper again, then upload that."
)
_MSG_PDF_TRUNCATED = _(
    "This PDF is incomplete: its end is missing, perhaps because a download or copy was cut off. "
    "Copy or scan it again and upload the new file."
)
_MSG_PDF_DAMAGED = _(
    "This PDF is damaged or built in an unusual way, so it cannot be checked. Print it to a new PDF or "
    "scan the paper again, then upload that."
)
_MSG_PDF_ENCRYPTED = _(
    "This PDF is protected with a password or encryption. Save a copy without the password (or print "
    "it to a new PDF) and upload that."
)
_MSG_PDF_SCRIPT = _(
    "This PDF contains scripts (JavaScript or form scripts), which are not accepted. Print it and scan "
    "the paper, or print it to a new PDF, and upload that."
)
_MSG_PDF_ACTION = _(
    "This PDF contains actions that run by themselves (such as starting a program or sending a form), "
    "which are not accepted. Print it and scan the paper, or print it to a new PDF, and upload that."
)
_MSG_PDF_LINK = _(
    "This PDF contains links or actions that open web pages or other files, which are not accepted. "
    "Print it and scan the paper, or print it to a new PDF without links, and upload that."
)
_MSG_PDF_ATTACHMENT = _(
    "This PDF has other files or media embedded in it, which are not accepted. Upload each document "
    "on its own as a PDF, JPEG or PNG."
)
_MSG_TOO_MANY_PIXELS = _(
    "This picture has too many pixels (more than %(limit)d megapixels) to be checked safely. Save it "
    "at a smaller size or take the photo at a lower resolution, then upload it again."
)
_MSG_IMAGE_DAMAGED = _(
    "This picture is damaged and cannot be opened, although it starts like a %(kind)s. Take the photo "
    "or scan again and upload the new file."
)
_MSG_IMAGE_INCOMPLETE = _(
    "This picture is incomplete or damaged part-way through, perhaps because a copy was cut off. Take "
    "the photo or scan again and upload the new file."
)


def _refuse(message: Any, code: str, **params: Any) -> ValidationError:
    return ValidationError(message, code=code, params=params or None)


def _unreadable() -> ValidationError:
    return _refuse(_MSG_UNREADABLE, "unreadable")


# --- the public API -------------------------------------------------------------------------------


def check_upload(uploaded: Any, *, phone: bool = False) -> CheckedUpload:
    """Check an uploaded file (a Django UploadedFile) and describe it, or refuse it.

    A photo larger than a reading size is kept as a scaled copy (`photos.kept_photo`, for every
    upload); with `phone=True` (a villager's own phone, issue 20) a photo the clerk could not read,
    too small or too dark, is refused as well.

    Raises django.core.exceptions.ValidationError, and nothing else, with a translatable message
    naming what is wrong and what to do, and a `code` for the rule (see the module's messages).
    The file is rewound to its start before this returns or raises, so the caller can save it.
    """
    try:
        checked = _check(uploaded, phone=phone)
    except ValidationError:
        _rewind_quietly(uploaded)
        raise
    except Exception as error:  # Pillow, zlib and the OS raise many kinds; none may escape as a 500.
        _rewind_quietly(uploaded)
        raise _unreadable() from error
    try:
        uploaded.seek(0)
    except Exception as error:
        raise _unreadable() from error
    return checked


def clean_display_name(name: str) -> str:
    """The uploaded file's name made safe to show: no directories, no invisible or reordering
    characters, at most DISPLAY_NAME_MAX_LENGTH characters with the extension kept, never empty.

    Bidi overrides (U+202A–U+202E, U+2066–U+2069) are the point: "scan\u202efdp.exe" would otherwise
    be shown as "scanexe.pdf". The result is for people only, never for a storage path.
    """
    if not isinstance(name, str):
        name = "" if name is None else str(name)
    # Browsers and old Windows send full paths; "C:\\x\\y.pdf", "../y.pdf" and "C:y.pdf" become "y.pdf".
    name = re.split(r"[/\\]", name)[-1]
    name = re.sub(r"^[A-Za-z]:", "", name)
    name = unicodedata.normalize("NFC", re.sub(r"\s+", " ", name))
    # Cc: control characters; Cf: format characters, including every bidi override and isolate
    # and zero-width characters; Cs: lone surrogates; Zl/Zp: line and paragraph separators.
    name = "".join(ch for ch in name if unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Zl", "Zp"})
    name = re.sub(r"\s+", " ", name).strip(" .")
    if not name:
        return FALLBACK_DISPLAY_NAME
    if len(name) <= DISPLAY_NAME_MAX_LENGTH:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or not 1 <= len(extension) <= 10:
        return name[: DISPLAY_NAME_MAX_LENGTH - 1].rstrip() + "…"
    keep = DISPLAY_NAME_MAX_LENGTH - len(extension) - 2  # room for "…" and "."
    return stem[:keep].rstrip() + "…." + extension


def download_name(display_name: str, content_type: str) -> str:
    """The name a download is saved under: the shown name's stem with the detected type's extension.

    The last extension the assistant's file had is replaced whatever it was ("居民身份证.hta" →
    "居民身份证.pdf", "scan.pdf.exe" → "scan.pdf.pdf"), so the browser and the clerk's PC open the
    file as what it is (issue 16, finding 12).
    """
    extension = EXTENSIONS.get(content_type, "")
    stem, dot, _old = clean_display_name(display_name).rpartition(".")
    if not dot or not stem:
        stem = clean_display_name(display_name)
    stem = stem.rstrip(" .") or FALLBACK_DISPLAY_NAME
    return stem + extension


def stored_name(checked: CheckedUpload) -> str:
    """A fresh random file name with the detected extension, e.g. "3f2a…c1.pdf".

    The assistant's name never reaches the storage path: that closes path traversal, clashes and
    a misleading extension (a PNG called "scan.pdf" is kept as ".png") in one go.
    """
    return secrets.token_hex(16) + checked.extension


# --- checking -------------------------------------------------------------------------------------


def _rewind_quietly(uploaded: Any) -> None:
    # The refusal being raised matters more than the rewind.
    with contextlib.suppress(Exception):
        uploaded.seek(0)


def _check(uploaded: Any, *, phone: bool) -> CheckedUpload:
    limit = max_upload_bytes()
    declared = getattr(uploaded, "size", None)
    if isinstance(declared, int) and declared > limit:
        raise _too_large(declared, limit)

    # Hash in chunks; keep only the head for sniffing. Stop as soon as the real size passes the
    # limit, in case the declared size was wrong.
    digest = hashlib.sha256()
    head = b""
    size = 0
    uploaded.seek(0)
    while chunk := uploaded.read(_CHUNK_BYTES):
        size += len(chunk)
        if size > limit:
            raise _too_large(size, limit)
        digest.update(chunk)
        if len(head) < _HEAD_BYTES:
            head += chunk[: _HEAD_BYTES - len(head)]
    if size == 0:
        raise _refuse(_MSG_EMPTY, "empty")

    cleaned = None
    pages = None
    if head.startswith(b"%PDF-"):
        content_type = PDF
        pages = _check_pdf(uploaded, size)
    elif head.startswith(b"\xff\xd8\xff"):
        content_type = JPEG
        cleaned = _check_photo(uploaded, "JPEG", size, phone=phone)
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        content_type = PNG
        cleaned = _check_photo(uploaded, "PNG", size, phone=phone)
    else:
        kind = _recognise_binary(head)
        if kind is None and b"%PDF-" in head[:1024]:
            raise _refuse(_MSG_PDF_BAD_START, "pdf_bad_start")
        kind = kind or _recognise_text(head) or "unknown_type"
        raise _refuse(_TYPE_MESSAGES[kind], kind)

    if cleaned is not None:
        size, digest = len(cleaned), hashlib.sha256(cleaned)
    return CheckedUpload(
        content_type=content_type,
        extension=EXTENSIONS[content_type],
        size=size,
        sha256=digest.hexdigest(),
        display_name=clean_display_name(getattr(uploaded, "name", "") or ""),
        cleaned=cleaned,
        pages=pages,
    )


def _too_large(size: int, limit: int) -> ValidationError:
    return _refuse(_MSG_TOO_LARGE, "too_large", size=filesizeformat(size), limit=filesizeformat(limit))


# --- what a refused file probably is --------------------------------------------------------------

_PROGRAM_MAGIC = (
    b"MZ",  # Windows .exe, .dll, .scr
    b"\x7fELF",  # Linux
    b"\xfe\xed\xfa\xce",  # Mach-O (macOS), both byte orders and widths
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal binary, Java class
    b"#!",  # scripts
    b"L\x00\x00\x00\x01\x14\x02\x00",  # Windows shortcut (.lnk)
    b"dex\n",  # Android
)
_ARCHIVE_MAGIC = (
    b"Rar!\x1a\x07",
    b"7z\xbc\xaf\x27\x1c",
    b"\x1f\x8b",  # gzip
    b"BZh",
    b"\xfd7zXZ\x00",
    b"\x28\xb5\x2f\xfd",  # zstandard
)
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc, .xls, .ppt, .msi
_OTHER_IMAGE_MAGIC = (
    b"BM",  # BMP
    b"II*\x00",  # TIFF, what many scanners save
    b"MM\x00*",
    b"\x00\x00\x00\x0cjP  \r\n\x87\n",  # JPEG 2000
    b"\xff\x4f\xff\x51",
    b"8BPS",  # Photoshop
)
_HEIF_BRANDS = {
    b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs",
    b"mif1", b"mif2", b"msf1", b"avif", b"avis",
}  # fmt: skip


def _recognise_binary(head: bytes) -> str | None:
    """Name the kind of a file that is not PDF, JPEG or PNG by its magic bytes, for a helpful refusal."""
    if head.startswith(_PROGRAM_MAGIC):
        return "program"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        office_markers = (b"[Content_Types].xml", b"word/", b"xl/", b"ppt/", b"application/vnd.oasis")
        return "office" if any(marker in head for marker in office_markers) else "archive"
    if head.startswith(_OLE2_MAGIC):
        return "office"
    if head.startswith(_ARCHIVE_MAGIC):
        return "archive"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[4:8] == b"ftyp":
        box_size = int.from_bytes(head[:4], "big")
        brands = head[8 : min(max(box_size, 16), 256)]
        listed = {brands[i : i + 4] for i in range(0, len(brands) - 3, 4)}
        return "heic" if listed & _HEIF_BRANDS else "video"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "other_image"
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return "video"
    if head.startswith(_OTHER_IMAGE_MAGIC):
        return "other_image"
    return None


def _recognise_text(head: bytes) -> str | None:
    """HTML, SVG, XML or plain text, in the encodings a browser would also try."""
    for bom, encoding in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            text = head[len(bom) :].decode(encoding, errors="ignore")
            break
    else:
        text = _decode_text(head)
        if text is None:
            return None
    lowered = text.lower()
    stripped = lowered.lstrip()
    if "<svg" in lowered:
        return "svg"
    markup = ("<!doctype", "<html", "<head", "<body", "<script", "<iframe", "<?xml", "<!--", "<meta", "<a ")
    if stripped.startswith("<") and any(tag in lowered for tag in markup):
        return "web_page"
    if any(tag in lowered for tag in ("<html", "<script", "<body")):
        return "web_page"
    if text and sum(ch.isprintable() or ch in "\r\n\t" for ch in text) >= 0.95 * len(text):
        return "text"
    return None


def _decode_text(head: bytes) -> str | None:
    """The head as UTF-8 or GB18030 text (what Chinese Windows saves), or None if it is neither.

    Up to three bytes at the end may be a character cut in half by the head's length.
    """
    if b"\x00" in head:
        return None
    for encoding in ("utf-8", "gb18030"):
        for cut in range(4):
            try:
                return head[: len(head) - cut].decode(encoding).removeprefix("\ufeff")
            except UnicodeDecodeError:
                continue
    return None


# --- PDF ------------------------------------------------------------------------------------------
#
# qpdf (through pikepdf) reads the PDF the way a reader does; nothing here parses PDF syntax by hand.
# qpdf decodes object and cross-reference streams by itself while it resolves objects, so its
# decoders are bounded before any upload is opened: a few kilobytes that inflate to gigabytes stop
# at the limit instead of filling the worker's memory. The limits are process-wide (qpdf keeps them
# globally); only this module opens PDFs in the running portal, and the bound is far above what
# the dictionaries of a real document need. Image data is never decoded here.
_PDF_DECODE_LIMIT = 32 * 1024 * 1024
set_qpdf_limits(
    flate_max_memory=_PDF_DECODE_LIMIT,
    run_length_max_memory=_PDF_DECODE_LIMIT,
    png_max_memory=_PDF_DECODE_LIMIT,
    tiff_max_memory=_PDF_DECODE_LIMIT,
)
# qpdf has no such bound for LZW, which can expand a thousandfold too; no current writer uses it
# (scanners and office programs write Flate), so a PDF that names it anywhere is refused unopened.
# Names may be written with #xx escapes ("/LZW#44ecode"); those are decoded before comparing.
_PDF_NAME = re.compile(rb"/[^\x00\t\n\x0c\r ()<>\[\]{}/%]*")
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_UNBOUNDED_FILTERS = {b"LZWDecode", b"LZW"}
_PDF_STARTXREF = re.compile(rb"startxref\s+\d+")
# An indirect reference ("12 0 R"), for reading an object that only a hidden object stream holds.
_PDF_REFERENCE = re.compile(rb"(?<![\w.#/+-])\d+\s+\d+\s+R\b")

# Action types (PDF 32000-1, 12.6.4). Only jumps inside the document are harmless; the others are
# refused with the message that fits them best.
_PDF_SAFE_ACTIONS = {"/GoTo", "/Named"}
_PDF_SCRIPT_ACTIONS = {"/JavaScript", "/RichMediaExecute"}
_PDF_PROGRAM_ACTIONS = {"/Launch", "/SubmitForm", "/ImportData"}
_PDF_REMOTE_ACTIONS = {"/URI", "/GoToR", "/Thread"}
_PDF_ATTACHMENT_ACTIONS = {"/GoToE"}
_PDF_ACTION_TYPES = _PDF_SAFE_ACTIONS | _PDF_SCRIPT_ACTIONS | _PDF_PROGRAM_ACTIONS | _PDF_REMOTE_ACTIONS | {
    "/GoToE", "/GoToDp", "/Sound", "/Movie", "/Hide", "/ResetForm", "/SetOCGState", "/Rendition",
    "/Trans", "/GoTo3DView",
}  # fmt: skip
# Keys that run actions by themselves, carry scripts or carry files, wherever they appear.
_PDF_AUTO_KEYS = {"/AA"}
_PDF_SCRIPT_KEYS = {"/JS", "/JavaScript", "/XFA"}
_PDF_FILE_KEYS = {"/EmbeddedFiles", "/EmbeddedFile", "/RichMediaContent"}
_PDF_FILE_TYPES = {"/EmbeddedFile", "/FileAttachment", "/RichMedia"}
# Dictionaries and arrays visited per reading: a few thousand in a scanned document.
_PDF_OBJECT_BUDGET = 200_000


def _check_pdf(uploaded: Any, size: int) -> int:
    """Refuse PDFs that are cut off, damaged, encrypted, or carry scripts, actions that run by
    themselves or open something outside the document, or embedded files; return the page count.

    Such PDFs are refused rather than cleaned: rewriting a PDF safely needs a full parser, and an
    assistant can always print to a new PDF or scan the paper. The header and the end-of-file
    marker are checked first, so a cut-off download gets its own message (qpdf would otherwise
    repair it quietly). Then qpdf reads the file twice: once through its cross-reference table, as
    a reader normally does, and once with the table ignored and rebuilt from the objects in the
    file, as a reader does when the table looks broken. A dangerous object hidden from one of the
    two readings (past a stream's /Length, outside the table) is found in the other.
    """
    uploaded.seek(0)
    data = uploaded.read(size + 1)[:size]
    if not re.match(rb"%PDF-\d\.\d", data):
        raise _refuse(_MSG_PDF_BAD_START, "pdf_bad_start")
    if b"%%EOF" not in data[-_PDF_TAIL_BYTES:]:
        raise _refuse(_MSG_PDF_TRUNCATED, "pdf_truncated")
    if _names_unbounded_filter(data):
        raise _refuse(_MSG_PDF_DAMAGED, "pdf_damaged")
    pages = _inspect_pdf(data)
    _inspect_pdf(_without_cross_references(data))
    return pages


def _names_unbounded_filter(data: bytes) -> bool:
    for match in _PDF_NAME.finditer(data):
        name = match.group()[1:]
        if b"#" in name:
            name = _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), name)
        if name in _PDF_UNBOUNDED_FILTERS:
            return True
    return False


def _without_cross_references(data: bytes) -> bytes:
    """The file with its last `startxref` pointing at the header, so qpdf rebuilds the table from
    the objects it finds in the file (every "n 0 obj", the last of each number winning)."""
    matches = list(_PDF_STARTXREF.finditer(data[-_PDF_TAIL_BYTES:]))
    if not matches:
        return data  # qpdf rebuilds the table anyway
    last = matches[-1]
    offset = len(data) - min(len(data), _PDF_TAIL_BYTES)
    return data[: offset + last.start()] + b"startxref\n0" + data[offset + last.end() :]


def _inspect_pdf(data: bytes) -> int:
    """Open the PDF with qpdf and check every object in it; return the number of pages."""
    try:
        pdf = pikepdf.open(BytesIO(data))
    except pikepdf.PasswordError as error:
        raise _refuse(_MSG_PDF_ENCRYPTED, "pdf_encrypted") from error
    except Exception as error:  # qpdf cannot read it at all
        raise _refuse(_MSG_PDF_DAMAGED, "pdf_damaged") from error
    with pdf:
        try:
            if pdf.is_encrypted:
                raise _refuse(_MSG_PDF_ENCRYPTED, "pdf_encrypted")
            pages = len(pdf.pages)
            if pages == 0:
                raise _refuse(_MSG_PDF_DAMAGED, "pdf_damaged")
            open_action = pdf.Root.get("/OpenAction")
            if isinstance(open_action, pikepdf.Dictionary):
                _check_pdf_action(open_action)
            budget = [_PDF_OBJECT_BUDGET]
            for obj in pdf.objects:
                if isinstance(obj, pikepdf.Stream) and _is_object_stream(obj):
                    _check_hidden_objects(pdf, obj, budget)
                _walk_pdf_object(obj, budget)
        except ValidationError:
            raise
        except Exception as error:  # an object qpdf cannot resolve or decode (beyond its limits)
            raise _refuse(_MSG_PDF_DAMAGED, "pdf_damaged") from error
    return pages


def _is_object_stream(stream: Any) -> bool:
    """An object stream (PDF 32000-1, 7.5.7), also when a writer left out its /Type."""
    keys = stream.stream_dict
    return keys.get("/Type") == "/ObjStm" or (
        isinstance(keys.get("/N"), int) and isinstance(keys.get("/First"), int)
    )


def _check_hidden_objects(pdf: Any, stream: Any, budget: list[int]) -> None:
    """Check the objects of an object stream that the cross-reference table does not list.

    qpdf reads an object stream's objects only when the table points into it, but a reader that
    rebuilds the table can find them, so each such object is read on its own and checked. Its
    indirect references are blanked first (an object read alone has nothing to point at; its keys
    are what matter). An object stream may not hold a stream (7.5.7): qpdf refuses the trailing
    data, and the file is refused as damaged.
    """
    data = stream.read_bytes()  # decoded by qpdf, within its limits
    first = int(stream.stream_dict.First)
    header = data[:first].split()
    if len(header) % 2 or not all(token.isdigit() for token in header):
        raise _refuse(_MSG_PDF_DAMAGED, "pdf_damaged")
    numbers, offsets = [int(n) for n in header[::2]], [first + int(o) for o in header[1::2]]
    for index, number in enumerate(numbers):
        if pdf.get_object(number, 0) is not None:
            continue  # listed in the table: checked with the other objects
        end = offsets[index + 1] if index + 1 < len(offsets) else len(data)
        text = _PDF_REFERENCE.sub(b"null", data[offsets[index] : end])
        _walk_pdf_object(pikepdf.Object.parse(text.strip()), budget)


def _walk_pdf_object(top: Any, budget: list[int]) -> None:
    """Check one indirect object and the direct dictionaries and arrays nested in it (indirect
    ones are visited as objects of their own, so nothing is walked twice and cycles end)."""
    stack = [top]
    while stack:
        obj = stack.pop()
        budget[0] -= 1
        if budget[0] < 0:
            raise _refuse(_MSG_PDF_DAMAGED, "pdf_damaged")
        if isinstance(obj, pikepdf.Stream):
            obj = obj.stream_dict
        if isinstance(obj, pikepdf.Dictionary):
            _check_pdf_dictionary(obj)
            children = [obj.get(key) for key in obj]
        elif isinstance(obj, pikepdf.Array):
            children = list(obj)
        else:
            continue
        stack.extend(
            child
            for child in children
            if isinstance(child, (pikepdf.Dictionary, pikepdf.Array)) and not child.is_indirect
        )


def _check_pdf_dictionary(obj: Any) -> None:
    keys = set(obj.keys())
    if keys & _PDF_SCRIPT_KEYS:
        raise _refuse(_MSG_PDF_SCRIPT, "pdf_script")
    if keys & _PDF_AUTO_KEYS:
        raise _refuse(_MSG_PDF_ACTION, "pdf_action")
    if (
        keys & _PDF_FILE_KEYS
        or ("/EF" in keys and "/F" in keys)
        or str(obj.get("/Type", "")) in _PDF_FILE_TYPES
        or str(obj.get("/Subtype", "")) in _PDF_FILE_TYPES
    ):
        raise _refuse(_MSG_PDF_ATTACHMENT, "pdf_attachment")
    if obj.get("/Type") == "/Action" or str(obj.get("/S", "")) in _PDF_ACTION_TYPES:
        _check_pdf_action(obj)
    action = obj.get("/A")
    if isinstance(action, pikepdf.Dictionary) and "/S" in action:
        _check_pdf_action(action)


def _check_pdf_action(action: Any) -> None:
    """One action dictionary and its /Next chain (which can hide a second action)."""
    seen = 0
    while isinstance(action, pikepdf.Dictionary) and seen < 100:
        seen += 1
        kind = str(action.get("/S", ""))
        if kind in _PDF_SCRIPT_ACTIONS or "/JS" in action:
            raise _refuse(_MSG_PDF_SCRIPT, "pdf_script")
        if kind in _PDF_PROGRAM_ACTIONS:
            raise _refuse(_MSG_PDF_ACTION, "pdf_action")
        if kind in _PDF_ATTACHMENT_ACTIONS:
            raise _refuse(_MSG_PDF_ATTACHMENT, "pdf_attachment")
        if kind in _PDF_REMOTE_ACTIONS or "/URI" in action or "/F" in action:
            raise _refuse(_MSG_PDF_LINK, "pdf_link")
        if kind and kind not in _PDF_SAFE_ACTIONS:
            raise _refuse(_MSG_PDF_ACTION, "pdf_action")
        following = action.get("/Next")
        if isinstance(following, pikepdf.Array):
            for item in following:
                _check_pdf_action(item)
            return
        action = following


# --- JPEG and PNG ---------------------------------------------------------------------------------


def _check_photo(uploaded: Any, pillow_format: str, size: int, *, phone: bool) -> bytes | None:
    """Check a JPEG or PNG and return the bytes to keep instead of the upload (None: keep it as sent):
    a scaled copy when it is larger than a reading size, else the photo without its metadata."""
    _check_image(uploaded, pillow_format)
    scaled = photos.kept_photo(uploaded, pillow_format, size, phone=phone)
    return scaled if scaled is not None else _without_metadata(uploaded, pillow_format)


def _check_image(uploaded: Any, pillow_format: str) -> None:
    """Parse the image with Pillow, refusing oversized ones before decoding a single pixel.

    `verify()` checks the structure (for PNG, every chunk's checksum); it leaves the image unusable,
    so the file is opened again and decoded with `load()`, which is what notices a file cut off
    part-way. JPEGs are decoded at 1/8 scale: every byte is still read, at 1/64 of the memory.
    Only the format the magic bytes announced is tried, so a file cannot pass as something else.
    """
    with warnings.catch_warnings():
        # Pillow warns above its own limit (89 MP) and raises above twice that; ours is lower,
        # but a warning must never let a bomb through if the constant is raised.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            uploaded.seek(0)
            with Image.open(uploaded, formats=[pillow_format]) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise _too_many_pixels()
                image.verify()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise _too_many_pixels() from error
        except ValidationError:
            raise
        except Exception as error:
            raise _refuse(_MSG_IMAGE_DAMAGED, "image_damaged", kind=pillow_format) from error
        try:
            uploaded.seek(0)
            with Image.open(uploaded, formats=[pillow_format]) as image:
                if pillow_format == "JPEG":
                    image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
                image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise _too_many_pixels() from error
        except Exception as error:
            raise _refuse(_MSG_IMAGE_INCOMPLETE, "image_incomplete") from error


# What a PNG may keep: how to show its pixels, nothing about who, when or where.
_PNG_HARMLESS_INFO = {"dpi", "gamma", "icc_profile", "transparency", "srgb", "chromaticity", "aspect"}
_JPEG_HARMLESS_INFO = {"jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi", "icc_profile",
                       "adobe", "adobe_transform", "progressive", "progression", "interlace"}  # fmt: skip


def _without_metadata(uploaded: Any, pillow_format: str) -> bytes | None:
    """The photo saved again without EXIF (GPS position, camera, time), XMP, IPTC or comments,
    with the EXIF orientation applied to the pixels first so it still shows the right way up.
    None when there is nothing to remove: the upload is kept byte for byte (no JPEG generation loss).

    The ICC colour profile is kept; it says how to show colours, not who took the photo.
    """
    uploaded.seek(0)
    with Image.open(uploaded, formats=[pillow_format]) as image:
        harmless = _JPEG_HARMLESS_INFO if pillow_format == "JPEG" else _PNG_HARMLESS_INFO
        if not image.getexif() and set(image.info) <= harmless:
            return None
        icc_profile = image.info.get("icc_profile")
        transparency = image.info.get("transparency")
        upright = ImageOps.exif_transpose(image) or image
        # Pillow writes some metadata from `info` by itself (a JPEG's comment and XMP): none left.
        upright.info = {}
        out = BytesIO()
        options: dict[str, Any] = {"icc_profile": icc_profile} if icc_profile else {}
        if pillow_format == "JPEG":
            if upright is image:
                options["quality"] = "keep"  # the original's quantisation: no visible loss
            else:
                options["quality"] = 92
            options["subsampling"] = "keep" if upright is image else -1
            if upright.mode not in {"RGB", "L", "CMYK"}:
                upright = upright.convert("RGB")
            upright.save(out, format="JPEG", **options)
        else:
            if transparency is not None and upright is image:
                options["transparency"] = transparency
            upright.save(out, format="PNG", **options)
    return out.getvalue()


def _too_many_pixels() -> ValidationError:
    return _refuse(_MSG_TOO_MANY_PIXELS, "too_many_pixels", limit=MAX_IMAGE_PIXELS // 1_000_000)
