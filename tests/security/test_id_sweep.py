"""The ID-number leak sweep (tests/id_sweep.py) catches a planted full number in a page, a PDF,
an XLSX, a streamed CSV and a log line, and lets masked numbers and allowed pages through.

The planted views live in this module, which doubles as the URL configuration of its tests
(`pytest.mark.urls`); each test takes the recorded leaks itself, so the sweep's own failure does
not fire for the leaks it plants on purpose.
"""

import io
import logging
import zipfile

import pytest
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import path

from portal.people.identity import mask_id_number
from tests import id_sweep
from tests.factories import make_id_number

NUMBER = make_id_number(order=777)


def _html(request):
    return HttpResponse(f"<p>村民 张三 身份证号 {NUMBER}</p>", content_type="text/html; charset=utf-8")


def _masked(request):
    return HttpResponse(f"<p>{mask_id_number(NUMBER)}</p><p>申请编号 20260101{NUMBER[:10]}</p>")


def _pdf_bytes(text: str) -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, text)
    page.save()
    return buffer.getvalue()


def _pdf(request):
    return HttpResponse(_pdf_bytes(f"ID {NUMBER}"), content_type="application/pdf")


def _xlsx(request):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", f"<sst><si><t>{NUMBER}</t></si></sst>")
    return HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def _csv(request):
    return StreamingHttpResponse(iter(["name,id\n", f"张三,{NUMBER}\n"]), content_type="text/csv")


def _image(request):  # not a scanned type: an image is never read
    return HttpResponse(NUMBER.encode(), content_type="image/png")


urlpatterns = [
    path("html/", _html, name="planted_html"),
    path("masked/", _masked, name="planted_masked"),
    path("pdf/", _pdf, name="planted_pdf"),
    path("xlsx/", _xlsx, name="planted_xlsx"),
    path("csv/", _csv, name="planted_csv"),
    path("image/", _image, name="planted_image"),
    path("allowed/", _html, name="planted_allowed"),
]

pytestmark = pytest.mark.urls("tests.security.test_id_sweep")


@pytest.fixture(autouse=True)
def _no_leftovers():
    id_sweep.take_leaks()
    yield
    id_sweep.take_leaks()


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/html/", "planted_html"),
        ("/pdf/", "planted_pdf"),
        ("/xlsx/", "planted_xlsx"),
        ("/csv/", "planted_csv"),
    ],
)
def test_a_planted_number_in_a_response_is_caught_and_names_the_url(client, url, name):
    response = client.get(url)
    leaks = id_sweep.take_leaks()
    assert [leak.number for leak in leaks] == [NUMBER]
    assert f"GET {url} ({name})" in str(leaks[0]) and NUMBER not in str(leaks[0])
    if url == "/csv/":  # the test still reads the streamed body after the sweep has
        assert NUMBER in b"".join(response.streaming_content).decode()


def test_a_planted_number_in_a_log_line_is_caught():
    logging.getLogger("portal.audit").warning("revealed %s to clerk_a", NUMBER)
    leaks = id_sweep.take_leaks()
    assert [leak.number for leak in leaks] == [NUMBER]
    assert "log portal.audit (WARNING)" in str(leaks[0])


def test_masked_numbers_other_digits_and_images_pass(client):
    client.get("/masked/")
    client.get("/image/")
    logging.getLogger("portal").info("application %s", NUMBER[:-1] + ("0" if NUMBER[-1] != "0" else "1"))
    assert id_sweep.take_leaks() == []


def test_an_allowed_url_name_passes(client, monkeypatch):
    monkeypatch.setitem(id_sweep.ALLOWED, "planted_allowed", "self-test")
    client.get("/allowed/")
    assert id_sweep.take_leaks() == []


def test_the_finder_checks_the_check_digit():
    wrong = NUMBER[:-1] + ("1" if NUMBER[-1] != "1" else "2")
    assert id_sweep.full_id_numbers(f"a {NUMBER} b {wrong} c") == [NUMBER]
    assert id_sweep.full_id_numbers(f"x{NUMBER}9") == []  # part of a longer number


def test_a_leak_fails_the_test_it_happened_in(pytester):
    """The whole plugin, end to end, in a pytest run of its own."""
    pytester.makeconftest(f"pytest_plugins = ['tests.id_sweep']\nNUMBER = {NUMBER!r}")
    pytester.makepyfile(
        test_leak="""
        import logging
        def test_leaks():
            logging.getLogger('x').error('id ' + __import__('conftest').NUMBER)
        def test_clean():
            logging.getLogger('x').error('nothing here')
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:django", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*ID-number leak sweep (call): full ID number*in log x (ERROR)*"])
