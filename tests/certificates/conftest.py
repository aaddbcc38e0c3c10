"""Certificates on top of the applications' world: 低保 results in a certificate valid 12 months
(entrusted to both centres), 宅基地 in one without an end (authorised to centre A, with the
supervisor's approval); `approve` drives an application to its certificate through the services.

`pdf_text` and `qr_codes` read a PDF as a person would: the text poppler extracts, and the QR
codes zbar finds on the page rendered at 150 dpi."""

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from approvals import services
from certificates.models import Certificate
from services_catalog.models import ServiceItemPage
from tests.approvals.conftest import cases, items, png_upload, residents  # noqa: F401
from tests.services_catalog.conftest import delegate, dibao, guide  # noqa: F401

TOOLS = ("pdftotext", "pdftoppm", "pdfinfo", "zbarimg", "qpdf")


def _require_tools() -> None:
    import os

    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        message = f"needs {', '.join(missing)} (apt-get install poppler-utils zbar-tools)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + ": .ci/run installs them")
        pytest.skip(message)


def pdf_text(data: bytes) -> str:
    _require_tools()
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return result.stdout.decode()


def pdf_pages(data: bytes) -> int:
    _require_tools()
    result = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True)
    line = next(line for line in result.stdout.decode().splitlines() if line.startswith("Pages:"))
    return int(line.split()[1])


def qr_codes(data: bytes, *, page: int = 1) -> list[str]:
    """The QR codes on one page of the PDF, as zbar reads them off a 150 dpi rendering."""
    _require_tools()
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "paper.pdf"
        pdf.write_bytes(data)
        subprocess.run(
            ["pdftoppm", "-r", "150", "-png", "-f", str(page), "-l", str(page), str(pdf), f"{folder}/page"],
            check=True,
        )
        image = next(Path(folder).glob("page*.png"))
        result = subprocess.run(["zbarimg", "--quiet", "--raw", str(image)], capture_output=True)
    return [line for line in result.stdout.decode().splitlines() if line]


@pytest.fixture
def certified(items):  # noqa: F811
    ServiceItemPage.objects.filter(pk=items["dibao"].pk).update(
        certificate_name="最低生活保障金领取证", certificate_valid_months=12
    )
    ServiceItemPage.objects.filter(pk=items["housing"].pk).update(
        certificate_name="农村宅基地批准书、乡村建设规划许可证"
    )
    ServiceItemPage.objects.filter(pk=items["relief"].pk).update(certificate_name="临时救助金领取凭证")
    return items


@pytest.fixture
def approve(cases, certified, world):  # noqa: F811
    """approve("dibao", "a1") → the certificate of a fresh application, approved by its clerk."""

    def _approve(item: str = "dibao", where: str = "a1") -> Certificate:
        application = cases.accepted(item, where)
        clerk = world.clerk_a if where == "a1" else world.clerk_b
        if item == "housing":
            services.application_review(actor=clerk, application=application, comment="符合条件")
            clerk = world.supervisor_a
        if application.current_office.kind == "department":
            clerk = world.officer_d1
        services.application_approve(actor=clerk, application=application)
        return Certificate.objects.select_related("application").get(application=application)

    return _approve
