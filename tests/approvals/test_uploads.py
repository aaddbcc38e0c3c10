"""Upload checks: the type comes from the bytes, every refusal is a ValidationError that says why.

No database: check_upload reads files only. Sample files are made in `upload_files`.
"""

import hashlib
import io
import random
import re
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile, UploadedFile
from django.test import override_settings

from portal.files import uploads
from portal.files.uploads import (
    DISPLAY_NAME_MAX_LENGTH,
    CheckedUpload,
    check_upload,
    clean_display_name,
    stored_name,
)

from . import upload_files as files


@pytest.fixture(autouse=True)
def english():
    """The messages are asserted in English; the site's default language is Chinese."""
    from django.utils import translation

    with translation.override("en"):
        yield


PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"


def upload(data: bytes, name: str = "upload.bin", content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def refusal(data: bytes, name: str = "upload.bin") -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        check_upload(upload(data, name))
    return caught.value


ACCEPTED: dict[str, tuple[Callable[[], bytes], str]] = {
    "pdf_reportlab": (lambda: files.pdf_cases()["good"], PDF),
    "pdf_with_jpeg_scan": (lambda: files.pdf_cases()["good_with_photo"], PDF),
    "pdf_handmade": (files.handmade_pdf, PDF),
    "pdf_js_bytes_inside_image_data": (lambda: files.PDF_WITH_JS_BYTES_IN_IMAGE_DATA, PDF),
    "pdf_js_words_inside_a_string": (lambda: files.PDF_WITH_JS_WORDS_IN_TEXT, PDF),
    "pdf_open_action_that_only_zooms": (lambda: files.PDF_WITH_OPEN_ACTION_FIT, PDF),
    "pdf_uncompressed_object_stream": (lambda: files.PDF_WITH_UNCOMPRESSED_OBJECT_STREAM, PDF),
    "jpeg": (files.jpeg_bytes, JPEG),
    "jpeg_progressive": (lambda: files.jpeg_bytes((300, 200), progressive=True), JPEG),
    "jpeg_grey": (lambda: files.image_bytes("JPEG", mode="L"), JPEG),
    "jpeg_cmyk": (lambda: files.image_bytes("JPEG", mode="CMYK"), JPEG),
    "png": (files.png_bytes, PNG),
    "png_rgba": (lambda: files.png_bytes(mode="RGBA"), PNG),
    "png_palette": (lambda: files.png_bytes(mode="P"), PNG),
    "png_bilevel": (lambda: files.png_bytes((200, 300), mode="1"), PNG),
    "png_16bit": (lambda: files.png_bytes(mode="I;16"), PNG),
}

MISLEADING_NAMES = [
    ("scan.pdf", PDF),
    ("photo.jpg", JPEG),
    ("photo.png", PNG),
    ("setup.exe", "application/x-msdownload"),
    ("no-extension", "application/octet-stream"),
    ("../../etc/passwd", "text/plain"),
    ("身份证\u202egpj.exe", "image/jpeg"),
]


@pytest.mark.parametrize("case", ACCEPTED)
@pytest.mark.parametrize(("name", "browser_type"), MISLEADING_NAMES)
def test_accepted_files_report_the_type_of_their_content_whatever_their_name(case, name, browser_type):
    make, content_type = ACCEPTED[case]
    data = make()
    uploaded = upload(data, name, browser_type)

    checked = check_upload(uploaded)

    assert checked == CheckedUpload(
        content_type=content_type,
        extension={PDF: ".pdf", JPEG: ".jpg", PNG: ".png"}[content_type],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        display_name=clean_display_name(name),
        pages=1 if content_type == PDF else None,  # every accepted PDF here has one page
    )
    assert uploaded.tell() == 0, "rewound, so the caller can save it"
    assert uploaded.read() == data


def test_a_large_file_on_disk_is_checked_and_rewound():
    """Uploads over FILE_UPLOAD_MAX_MEMORY_SIZE arrive as temporary files, read in chunks."""
    data = files.reportlab_pdf(with_photo=True) + b"\n" * 300_000  # trailing whitespace is allowed…
    data = data.rstrip(b"\n") + b"\n"  # …but %%EOF must stay near the end
    big_png = files.png_bytes((1200, 900))
    for payload, content_type in ((data, PDF), (big_png, PNG)):
        with TemporaryUploadedFile("scan", "application/octet-stream", len(payload), None) as uploaded:
            uploaded.write(payload)
            uploaded.seek(0, io.SEEK_END)
            checked = check_upload(uploaded)
            assert checked.content_type == content_type
            assert checked.sha256 == hashlib.sha256(payload).hexdigest()
            assert uploaded.tell() == 0


REFUSED: dict[str, tuple[Callable[[], bytes], str]] = {
    "empty": (lambda: b"", "empty"),
    # Types that are not allowed, named where we can.
    "windows_program": (lambda: files.EXE_HEADER, "program"),
    "linux_program": (lambda: files.ELF_HEADER, "program"),
    "shell_script": (lambda: files.SHELL_SCRIPT, "program"),
    "zip": (lambda: files.zip_bytes({"a.jpg": files.jpeg_bytes()}), "archive"),
    "rar": (lambda: files.RAR_HEADER, "archive"),
    "word_docx": (files.word_document, "office"),
    "word_doc_ole2": (lambda: files.OLE2_HEADER, "office"),
    "html_page": (lambda: files.HTML_PAGE, "web_page"),
    "html_fragment_with_bom": (lambda: files.HTML_FRAGMENT, "web_page"),
    "svg": (lambda: files.SVG_DRAWING, "svg"),
    "plain_text": (lambda: files.PLAIN_TEXT, "text"),
    "gif": (lambda: files.image_bytes("GIF"), "gif"),
    "heic": (lambda: files.HEIC_HEADER, "heic"),
    "avif": (lambda: files.AVIF_HEADER, "heic"),
    "mp4": (lambda: files.MP4_HEADER, "video"),
    "webp": (lambda: files.image_bytes("WEBP"), "other_image"),
    "bmp": (lambda: files.image_bytes("BMP"), "other_image"),
    "tiff": (lambda: files.image_bytes("TIFF"), "other_image"),
    "random_bytes": (lambda: random.Random(1).randbytes(2000), "unknown_type"),
    # PDFs
    "pdf_junk_before_header": (lambda: files.pdf_cases()["junk_before_header"], "pdf_bad_start"),
    "pdf_bad_version": (lambda: b"%PDF-x" + files.handmade_pdf()[8:], "pdf_bad_start"),
    "pdf_truncated": (lambda: files.pdf_cases()["truncated"], "pdf_truncated"),
    "pdf_no_objects": (lambda: b"%PDF-1.4\nstartxref\n0\n%%EOF\n", "pdf_damaged"),
    "pdf_encrypted_reportlab": (lambda: files.pdf_cases()["encrypted"], "pdf_encrypted"),
    "pdf_encrypted_trailer": (lambda: files.PDF_ENCRYPTED_BY_TRAILER, "pdf_encrypted"),
    "pdf_open_action_js": (lambda: files.PDF_WITH_OPEN_ACTION_JS, "pdf_script"),
    "pdf_js_escaped_names": (lambda: files.PDF_WITH_ESCAPED_JS, "pdf_script"),
    "pdf_js_in_object_stream": (lambda: files.PDF_WITH_JS_IN_OBJECT_STREAM, "pdf_script"),
    "pdf_js_in_untyped_object_stream": (
        lambda: files.PDF_WITH_JS_IN_OBJECT_STREAM_WITHOUT_TYPE,
        "pdf_script",
    ),
    "pdf_js_after_fake_stream_in_string": (
        lambda: files.PDF_WITH_JS_AFTER_FAKE_STREAM_IN_STRING,
        "pdf_script",
    ),
    "pdf_js_beyond_stream_length": (lambda: files.PDF_WITH_JS_BEYOND_STREAM_LENGTH, "pdf_script"),
    "pdf_launch": (lambda: files.PDF_WITH_LAUNCH, "pdf_action"),
    "pdf_auto_action": (lambda: files.PDF_WITH_PAGE_AUTO_ACTION, "pdf_action"),
    "pdf_submit_form": (lambda: files.PDF_WITH_SUBMIT_FORM, "pdf_action"),
    "pdf_embedded_file": (lambda: files.PDF_WITH_EMBEDDED_FILE, "pdf_attachment"),
    "pdf_lzw_object_stream": (lambda: files.PDF_WITH_LZW_OBJECT_STREAM, "pdf_damaged"),
    "pdf_corrupt_object_stream": (lambda: files.PDF_WITH_CORRUPT_OBJECT_STREAM, "pdf_damaged"),
    "pdf_stream_inside_object_stream": (lambda: files.PDF_WITH_STREAM_IN_OBJECT_STREAM, "pdf_damaged"),
    "pdf_object_stream_bomb": (files.pdf_with_object_stream_bomb, "pdf_damaged"),
    # Images
    "jpeg_truncated": (lambda: files.truncated(files.jpeg_bytes((300, 200)), 0.6), "image_incomplete"),
    "jpeg_progressive_truncated": (
        lambda: files.truncated(files.jpeg_bytes((300, 200), progressive=True), 0.6),
        "image_incomplete",
    ),
    "jpeg_magic_only": (lambda: b"\xff\xd8\xff\xe0" + b"\x00" * 100, "image_damaged"),
    "jpeg_magic_then_png": (lambda: b"\xff\xd8\xff" + files.png_bytes(), "image_damaged"),
    "png_truncated": (lambda: files.truncated(files.png_bytes((300, 200)), 0.6), "image_damaged"),
    "png_bad_checksum": (lambda: _flip_byte(files.png_bytes(), 30), "image_damaged"),
    "png_header_then_jpeg": (lambda: b"\x89PNG\r\n\x1a\n" + files.jpeg_bytes(), "image_damaged"),
    "png_45_megapixels": (lambda: files.png_header_only(9000, 5000), "too_many_pixels"),
    "png_100_megapixels_pillow_warns": (lambda: files.png_header_only(10_000, 10_000), "too_many_pixels"),
    "png_400_megapixels_pillow_raises": (lambda: files.png_header_only(20_000, 20_000), "too_many_pixels"),
    "png_claims_4_billion_wide": (lambda: files.png_header_only(2**31 - 1, 1), "too_many_pixels"),
}


def _flip_byte(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0xFF]) + data[index + 1 :]


@pytest.mark.parametrize("case", REFUSED)
def test_refusals_are_validation_errors_with_a_message_and_a_code(case):
    make, code = REFUSED[case]
    data = make()
    uploaded = upload(data, "scan.pdf" if case.startswith("pdf") else "photo.jpg", "image/jpeg")

    with pytest.raises(ValidationError) as caught:
        check_upload(uploaded)

    assert caught.value.code == code
    [message] = caught.value.messages
    assert len(message) > 40 and "%(" not in message
    assert uploaded.tell() == 0, "rewound even when refused"


def test_wrong_types_say_which_types_are_accepted():
    message = refusal(files.EXE_HEADER, "photo.jpg").messages[0]
    assert message.startswith("This file is not a PDF, JPEG or PNG (it looks like a Windows program")
    assert "HEIC" in refusal(files.HEIC_HEADER, "IMG_0001.HEIC").messages[0]
    assert "JPEG" in refusal(files.HEIC_HEADER, "IMG_0001.HEIC").messages[0]


def test_too_large_says_the_limit_and_the_size():
    data = files.png_bytes() + b"\x00" * (1536 * 1024)
    with override_settings(CUNBAN_UPLOAD_MAX_BYTES=1024 * 1024):
        error = refusal(data)
    assert error.code == "too_large"
    message = error.messages[0]
    assert "1.0\xa0MB" in message and "1.5\xa0MB" in message


def test_the_limit_is_read_when_checking_not_at_import():
    data = files.png_bytes()
    assert uploads.MAX_UPLOAD_BYTES == 10 * 1024 * 1024
    with override_settings(CUNBAN_UPLOAD_MAX_BYTES=len(data)):
        limit_now = uploads.MAX_UPLOAD_BYTES
        assert limit_now == len(data)
        assert check_upload(upload(data)).size == len(data)
    with override_settings(CUNBAN_UPLOAD_MAX_BYTES=len(data) - 1):
        assert refusal(data).code == "too_large"


def test_a_file_larger_than_it_says_is_measured_not_trusted():
    data = files.png_bytes()
    uploaded = upload(data)
    uploaded.size = 10  # what the client claimed
    with override_settings(CUNBAN_UPLOAD_MAX_BYTES=len(data) - 1), pytest.raises(ValidationError) as caught:
        check_upload(uploaded)
    assert caught.value.code == "too_large"


def test_the_pixel_limit_is_checked_before_decoding(monkeypatch):
    """A refused giant is never loaded: Image.load is not reached."""
    from PIL import ImageFile

    def fail(self):
        raise AssertionError("decoded a refused image")

    monkeypatch.setattr(ImageFile.ImageFile, "load", fail)
    assert refusal(files.png_header_only(9000, 5000)).code == "too_many_pixels"


class _Unreadable(io.BytesIO):
    def read(self, *args):
        raise OSError("disk on fire")


def test_errors_while_reading_become_could_not_be_read():
    uploaded = UploadedFile(_Unreadable(b"x"), name="scan.pdf", content_type=PDF, size=1)
    with pytest.raises(ValidationError) as caught:
        check_upload(uploaded)
    assert caught.value.code == "unreadable"
    assert caught.value.messages[0].startswith("This file could not be read.")


def _mutations(seed: int) -> bytes:
    """Valid files with bytes flipped, cut or spliced: the inputs most likely to upset a parser."""
    rng = random.Random(seed)
    base = rng.choice(
        [
            files.jpeg_bytes((40, 30)),
            files.jpeg_bytes((40, 30), progressive=True),
            files.png_bytes((40, 30)),
            files.png_bytes((40, 30), mode="P"),
            files.handmade_pdf(files.object_stream(5, b"<< /A 1 >>")),
            files.PDF_WITH_JS_BYTES_IN_IMAGE_DATA,
        ]
    )
    data = bytearray(base)
    for _ in range(rng.randint(1, 8)):
        what = rng.random()
        index = rng.randrange(len(data) or 1)
        if what < 0.5 and index < len(data):
            data[index] = rng.randrange(256)
        elif what < 0.7:
            del data[index : index + rng.randint(1, 64)]
        elif what < 0.9:
            data[index:index] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
        else:
            data = data[: max(1, index)]
    magic = rng.choice([b"", b"", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"%PDF-1.7\n"])
    return magic + bytes(data)


@pytest.mark.parametrize("seed", range(300))
def test_no_input_raises_anything_but_a_validation_error(seed):
    data = _mutations(seed)
    try:
        checked = check_upload(upload(data, "x"))
    except ValidationError as error:
        assert error.messages and all(error.messages)
    else:
        assert checked.size == len(data)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("scan.pdf", "scan.pdf"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system32\\scan.jpg", "scan.jpg"),
        ("C:\\Users\\张三\\Desktop\\身份证正面.jpg", "身份证正面.jpg"),
        ("C:scan.png", "scan.png"),
        ("/var/tmp/x/", "upload"),
        ("身份证\u202egpj.exe", "身份证gpj.exe"),
        ("a\u202ab\u202bc\u202cd\u202de\u2066f\u2067g\u2068h\u2069i.pdf", "abcdefghi.pdf"),
        ("tab\tnew\nline\x00nul\x7f.pdf", "tab new linenul.pdf"),
        ("zero\u200bwidth\ufeff.png", "zerowidth.png"),
        ("  spaced   out  .pdf ", "spaced out .pdf"),
        ("", "upload"),
        ("..", "upload"),
        ("\u202e", "upload"),
        ("   ", "upload"),
        ("e\u0301.pdf", "é.pdf"),
    ],
)
def test_clean_display_name(name, expected):
    assert clean_display_name(name) == expected


@pytest.mark.parametrize("extension", [".pdf", ".jpeg", ""])
def test_long_display_names_are_cut_keeping_the_extension(extension):
    cleaned = clean_display_name("申请材料" * 100 + extension)
    assert len(cleaned) == DISPLAY_NAME_MAX_LENGTH
    assert cleaned.endswith("…" + extension)


def test_display_name_survives_none():
    assert clean_display_name(None) == "upload"  # type: ignore[arg-type]


def test_stored_names_are_random_and_use_the_detected_extension():
    checked = check_upload(upload(files.png_bytes(), "../../evil.pdf"))
    names = {stored_name(checked) for _ in range(50)}
    assert len(names) == 50
    assert all(re.fullmatch(r"[0-9a-f]{32}\.png", name) for name in names)


# --- PDFs as qpdf reads them ----------------------------------------------------------------------


def _pdf_with_object_streams(pages: int = 1, **catalog: object) -> bytes:
    """A PDF as modern writers save it: its dictionaries packed into compressed object streams
    that the cross-reference stream points into."""
    import pikepdf

    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page()
    for key, value in catalog.items():
        pdf.Root[pikepdf.Name("/" + key)] = pdf.make_indirect(value)
    out = io.BytesIO()
    pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def test_pdfs_report_their_page_count():
    assert check_upload(upload(_pdf_with_object_streams(pages=3), "scan.pdf")).pages == 3
    assert check_upload(upload(files.png_bytes(), "photo.png")).pages is None


def test_a_script_inside_a_listed_object_stream_is_refused():
    import pikepdf

    action = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    data = _pdf_with_object_streams(Names=pikepdf.Dictionary(JavaScript=action))
    assert b"/JavaScript" not in data  # compressed: only a reader's view shows it
    assert refusal(data, "scan.pdf").code == "pdf_script"


def test_an_object_stream_that_inflates_past_the_limit_is_refused_without_inflating_it():
    """40 MB of "dictionary" in 40 kB, in an object stream qpdf must read to find the catalog:
    qpdf stops at the limit set in portal/files/uploads.py instead of inflating it all."""
    import pikepdf

    data = _pdf_with_object_streams(Big=pikepdf.Dictionary(Text=pikepdf.String(" " * (40 * 1024 * 1024))))
    assert len(data) < 100_000
    assert refusal(data, "scan.pdf").code == "pdf_damaged"


def test_an_lzw_filter_is_refused_unopened_even_when_its_name_is_escaped():
    """qpdf bounds Flate but not LZW, so a PDF that names LZW anywhere is not handed to it."""
    data = files.handmade_pdf(
        files.stream_object(b"\x80\x0b\x60\x50\x22\x0c\x0c\x85\x01", b"/Filter /LZW#44ecode")
    )
    assert refusal(data, "scan.pdf").code == "pdf_damaged"
