"""A file that is too large is refused as it arrives, not after it was stored (issue 18, gap 12d):
the first upload handler drops it, the form comes back with what was typed and a message naming
the file, never a 500 or a reset connection; a request over the ceiling keeps no file at all.
Through the Django test client with real large bodies."""

import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from approvals.models import Application, ApplicationFile
from portal.files.upload_limits import RefusedUpload, SizeLimitUploadHandler
from tests.approvals.conftest import png_upload
from tests.factories import make_id_number

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def big(name: str, size: int) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.7\n" + b"0" * (size - 9), "application/pdf")


def villager() -> dict[str, str]:
    return {
        "name": "王秀英",
        "id_number": make_id_number(order=678),
        "mobile": "13711112222",
        "request_note": "申请低保",
    }


def start(client, item):
    page = client.get(reverse("approvals:start", args=[item.pk]))
    token = str(page.context["form"]["client_token"].value())
    return reverse("approvals:start", args=[item.pk]), token


@pytest.fixture
def assistant(world):
    client = Client(enforce_csrf_checks=True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(world.assistant_a1)
    return client


def csrf(client) -> str:
    return client.cookies[settings.CSRF_COOKIE_NAME].value


def test_a_50_mb_file_is_dropped_as_it_arrives_and_the_form_comes_back(assistant, items):
    dibao = items["dibao"]
    url, token = start(assistant, dibao)
    materials = {m.name: m for m in dibao.materials.all()}
    response = assistant.post(
        url,
        {
            "csrfmiddlewaretoken": csrf(assistant),
            "client_token": token,
            **villager(),
            f"material_{materials['户口簿'].pk}": big("户口簿扫描.pdf", 50 * MB),
            f"material_{materials['居民身份证'].pk}": png_upload("身份证.png"),
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    # 50 MB is over the whole send's ceiling (4 × 10 MB): refused from its Content-Length
    assert "Everything sent at once came to 50.0\xa0MB, more than 40.0\xa0MB: no file was kept" in html
    assert 'value="王秀英"' in html and "申请低保" in html  # what was typed
    application = Application.objects.get()  # the draft started, with what passed
    assert not ApplicationFile.objects.filter(application=application).exists()


@override_settings(CUNBAN_UPLOAD_MAX_BYTES=200_000)
def test_one_file_over_the_limit_is_dropped_and_the_others_are_kept(assistant, items):
    dibao = items["dibao"]
    url, token = start(assistant, dibao)
    materials = {m.name: m for m in dibao.materials.all()}
    response = assistant.post(
        url,
        {
            "csrfmiddlewaretoken": csrf(assistant),
            "client_token": token,
            **villager(),
            f"material_{materials['户口簿'].pk}": big("户口簿扫描.pdf", 600_000),
            f"material_{materials['居民身份证'].pk}": png_upload("身份证.png"),
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "“户口簿扫描.pdf” is larger than 195.3\xa0KB and was not kept" in html
    assert 'value="王秀英"' in html
    kept = ApplicationFile.objects.filter(application=Application.objects.get(), superseded_at__isnull=True)
    assert [f.material.name for f in kept] == ["居民身份证"]


@override_settings(CUNBAN_UPLOAD_MAX_BYTES=200_000, CUNBAN_UPLOAD_MAX_REQUEST_BYTES=300_000)
def test_no_file_of_a_request_over_the_ceiling_is_kept_but_the_fields_are(assistant, items):
    dibao = items["dibao"]
    url, token = start(assistant, dibao)
    materials = {m.name: m for m in dibao.materials.all()}
    response = assistant.post(
        url,
        {
            "csrfmiddlewaretoken": csrf(assistant),  # still read: the fields are parsed
            "client_token": token,
            **villager(),
            f"material_{materials['户口簿'].pk}": big("户口簿.pdf", 190_000),
            f"material_{materials['居民身份证'].pk}": big("身份证.pdf", 190_000),
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert len(re.findall("Everything sent at once came to", html)) >= 2
    assert 'value="王秀英"' in html
    assert not ApplicationFile.objects.exists()


@override_settings(CUNBAN_UPLOAD_MAX_BYTES=200_000)
def test_a_step_form_says_it_next_to_its_field(client, cases, world):
    application = cases.submitted()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    client.force_login(world.clerk_a)
    response = client.post(
        reverse("approvals:act", args=[application.pk, "accept_with_promise"]),
        {"version": application.version, "promise": big("承诺书.pdf", 2 * MB)},
    )
    assert response.status_code == 400
    assert "“承诺书.pdf”超过" in response.content.decode()


def test_the_handler_keeps_nothing_past_the_limit():
    request = RequestFactory().post("/work/1/")
    handler = SizeLimitUploadHandler(request)
    with override_settings(CUNBAN_UPLOAD_MAX_BYTES=100):
        handler.handle_raw_input(None, {}, 1000, b"x")
        handler.new_file("scan", "scan.pdf", "application/pdf", None)
        assert handler.receive_data_chunk(b"a" * 60, 0) == b"a" * 60
        assert handler.receive_data_chunk(b"a" * 60, 60) is None  # past the limit: dropped
        assert handler.receive_data_chunk(b"a" * 60, 120) is None
        refused = handler.file_complete(180)
    assert isinstance(refused, RefusedUpload) and refused.read() == b"" and "scan.pdf" in refused.reason


def test_the_back_office_keeps_its_own_limits():
    handler = SizeLimitUploadHandler(RequestFactory().post("/admin/documents/multiple/add/"))
    with override_settings(CUNBAN_UPLOAD_MAX_BYTES=100):
        handler.handle_raw_input(None, {}, 10_000, b"x")
        handler.new_file("file", "guide.pdf", "application/pdf", None)
        assert handler.receive_data_chunk(b"a" * 500, 0) == b"a" * 500
        assert handler.file_complete(500) is None
