"""Hostile files pushed through the real staff filing form (the assistant's start page).

Each file goes in the 户口簿 field of one POST that also carries a good PNG for 居民身份证 and a
typed villager. The page must re-render (200) with a clear English message next to the hostile
field, keep what was typed, and keep the good file; files that are harmless but badly named are
accepted with the name neutralised. Too many files in one request is answered by
portal/files/upload_limits.py with a message instead of a bare 400.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from approvals.models import Application, ApplicationFile
from tests.approvals.conftest import items, png_upload  # noqa: F401 - the items fixture
from tests.approvals.upload_files import (
    ELF_HEADER,
    EXE_HEADER,
    HEIC_HEADER,
    HTML_PAGE,
    PLAIN_TEXT,
    SVG_DRAWING,
    handmade_pdf,
    image_bytes,
    jpeg_bytes,
    png_bytes,
    png_header_only,
    reportlab_pdf,
    stream_object,
    truncated,
    word_document,
    zip_bytes,
)
from tests.factories import make_id_number
from tests.services_catalog.conftest import delegate, dibao, guide  # noqa: F401 - fixtures for items

pytestmark = pytest.mark.django_db

ID_NUMBER = make_id_number(order=346)
VILLAGER = {"name": "王秀英", "id_number": ID_NUMBER, "mobile": "13711112222", "request_note": "申请低保"}

NOT_ACCEPTED = "is not a PDF, JPEG or PNG"


@dataclass(frozen=True)
class Hostile:
    """One file of the corpus; `message` is the English text expected next to the field, or None
    when the file is harmless and only its name needs neutralising (then `shown` is what is kept)."""

    id: str
    name: str
    data: bytes
    message: str | None
    shown: str | None = None


def _zip_bomb() -> bytes:
    """42 MB of zeros deflated to a few dozen kilobytes, renamed .pdf."""
    return zip_bytes({f"layer{n}.bin": b"\0" * (6 * 1024 * 1024) for n in range(7)})


def _corpus() -> list[Hostile]:
    good_pdf = reportlab_pdf()
    return [
        Hostile("exe_as_pdf", "户口簿.pdf", EXE_HEADER, "Windows program"),
        Hostile("html_as_jpg", "scan.jpg", HTML_PAGE, "web page"),
        Hostile("svg_as_jpg", "scan.jpg", SVG_DRAWING, "SVG drawing"),
        Hostile(
            "pdf_javascript",
            "letter.pdf",
            handmade_pdf(b"<< /S /JavaScript /JS (app.alert(1)) >>", catalog_extra=b"/OpenAction 4 0 R"),
            "contains scripts",
        ),
        Hostile(
            "pdf_openaction_launch",
            "letter.pdf",
            handmade_pdf(b"<< /S /Launch /F (cmd.exe) >>", catalog_extra=b"/OpenAction 4 0 R"),
            "actions that run by themselves",
        ),
        Hostile(
            "pdf_embedded_file",
            "letter.pdf",
            handmade_pdf(
                b"<< /EmbeddedFiles << /Names [(a.exe) 5 0 R] >> >>",
                b"<< /Type /Filespec /F (a.exe) /EF << /F 6 0 R >> >>",
                stream_object(EXE_HEADER, b"/Type /EmbeddedFile"),
                catalog_extra=b"/Names 4 0 R",
            ),
            "embedded in it",
        ),
        Hostile("pdf_encrypted", "letter.pdf", reportlab_pdf(encrypt="secret"), "protected with a password"),
        Hostile("zip_bomb_as_pdf", "letter.pdf", _zip_bomb(), "compressed archive"),
        Hostile("png_20000x20000", "scan.png", png_header_only(20_000, 20_000), "too many pixels"),
        Hostile("jpeg_truncated", "photo.jpg", truncated(jpeg_bytes((400, 300)), 0.5), "incomplete"),
        Hostile("pdf_truncated", "letter.pdf", truncated(good_pdf, 0.7), "incomplete"),
        Hostile("empty", "empty.pdf", b"", "is empty (0 bytes)"),
        Hostile(
            "oversize",
            "huge.pdf",
            good_pdf + b"%" * (settings_limit() + 1 - len(good_pdf)),
            "and was not kept",  # dropped as it arrived (portal/files/upload_limits.py)
        ),
        Hostile("path_traversal_name", "../../etc/passwd", png_bytes(), None, "passwd"),
        Hostile("rtl_override_name", "scan\u202egpj.exe", png_bytes(), None, "scangpj.exe"),
        Hostile("nul_in_name", "scan\x00.exe.png", png_bytes(), None, None),
        Hostile("name_300_chars", "扫" * 296 + ".png", png_bytes(), None, "扫" * 95 + "….png"),
        Hostile("gif", "photo.gif", image_bytes("GIF"), "GIF picture"),
        Hostile("heic", "IMG_0001.HEIC", HEIC_HEADER, "HEIC/HEIF"),
        Hostile("webp", "photo.webp", image_bytes("WEBP"), "another format"),
        Hostile("polyglot_jpeg_html", "photo.jpg", b"\xff\xd8\xff\xe0" + HTML_PAGE, None),
        Hostile("docx", "form.docx", word_document(), "office document"),
        Hostile("zip", "scans.zip", zip_bytes({"a.jpg": jpeg_bytes()}), "compressed archive"),
        Hostile("plain_text", "list.txt", PLAIN_TEXT, "plain text"),
        Hostile("elf_binary", "scan.pdf", ELF_HEADER, "program"),
        Hostile("html_in_pdf_name", "<script>alert(1)</script>.pdf", HTML_PAGE, "web page"),
    ]


def settings_limit() -> int:
    from portal.files.uploads import max_upload_bytes

    return max_upload_bytes()


CORPUS = _corpus()


def test_the_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 25
    assert len({case.id for case in CORPUS}) == len(CORPUS)


@pytest.fixture
def assistant(client, world):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(world.assistant_a1)
    return client


def _fields(item) -> tuple[str, str]:
    materials = {material.name: material for material in item.materials.all()}
    return f"material_{materials['居民身份证'].pk}", f"material_{materials['户口簿'].pk}"


@pytest.mark.parametrize("case", CORPUS, ids=[case.id for case in CORPUS])
def test_a_hostile_file_is_refused_next_to_its_field_and_nothing_else_is_lost(assistant, items, case):  # noqa: F811
    item = items["dibao"]
    good_field, hostile_field = _fields(item)
    url = reverse("approvals:start", args=[item.pk])
    page = assistant.get(url)
    token = str(page.context["form"]["client_token"].value())
    with translation.override("en"):
        response = assistant.post(
            url,
            {
                "client_token": token,
                **VILLAGER,
                good_field: png_upload("身份证.png"),
                hostile_field: SimpleUploadedFile(case.name, case.data, "application/pdf"),
                "save": "1",
            },
        )
    application = Application.objects.get()
    kept = ApplicationFile.objects.filter(application=application, superseded_at__isnull=True)
    if response.status_code == 302:  # saved: only a harmless file under a cleaned name gets here
        assert case.message is None, f"{case.id} was accepted"
        names = sorted(kept.values_list("display_name", flat=True))
        assert "身份证.png" in names and len(names) == 2
        other = next(name for name in names if name != "身份证.png")
        assert "/" not in other and "\\" not in other and "\x00" not in other and "\u202e" not in other
        assert len(other) <= 100
        if case.shown is not None:
            assert other == case.shown
        return
    assert response.status_code == 200
    form = response.context["form"]
    html = response.content.decode()
    assert list(form.errors) == [hostile_field], form.errors
    expected = case.message or NOT_ACCEPTED
    if case.message is None:  # the polyglot: a JPEG start with no image behind it
        expected = "picture"
    assert expected in form.errors[hostile_field][0]
    assert expected in html  # shown on the page, next to the field
    assert 'value="王秀英"' in html and 'value="13711112222"' in html
    assert [f.display_name for f in kept] == ["身份证.png"]
    assert "<script>alert(1)</script>" not in html


def test_too_many_files_in_one_request_gives_a_message_not_a_bare_400(assistant, items, settings):  # noqa: F811
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 5
    item = items["dibao"]
    good_field, _ = _fields(item)
    url = reverse("approvals:start", args=[item.pk])
    files = [SimpleUploadedFile(f"scan{n}.png", png_bytes(), "image/png") for n in range(8)]
    response = assistant.post(url, {**VILLAGER, good_field: files, "save": "1"}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [(url, 302)]
    html = response.content.decode()
    assert "Too many files were sent at once: one send can hold at most 5 files." in html
    assert "Nothing was saved." in html
    assert not Application.objects.exists()
