"""Issue 16, findings 14 and 17 (photos and search): what the filing form reveals about other
villages' registrations, EXIF/GPS in uploaded photos, and ID numbers typed into the search."""

import io
import logging

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from approvals import services
from approvals.models import Application, ApplicationFile
from portal.files.uploads import check_upload
from tests.approvals.conftest import cases, items, residents  # noqa: F401
from tests.approvals.test_filing_views import start_url, token_of, villager
from tests.factories import make_id_number
from tests.services_catalog.conftest import delegate, dibao, guide  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def assistant(client, world):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(world.assistant_a1)
    return client


def file_as(assistant, item, **typed):
    page = assistant.get(start_url(item))
    return assistant.post(
        start_url(item), {"client_token": token_of(page), **villager(**typed), "save": "1"}, follow=True
    )


def visible(response) -> str:
    """What the assistant sees: the page and its messages (the form's errors are in the page)."""
    return response.content.decode()


# -- finding 14 -------------------------------------------------------------------------------------


def test_finding_14_a_number_of_another_village_answers_like_a_new_number(assistant, items, residents, world):  # noqa: F811
    b1 = residents["b1"]  # 李大山, 13887654321, registered in village B1
    new = file_as(assistant, items["dibao"], id_number=make_id_number(order=777))
    other = file_as(assistant, items["dibao"], id_number=b1.id_number)

    for response in (new, other):
        assert response.status_code == 200
        assert not response.context["form"].errors
    levels = [[m.level_tag for m in response.context["messages"]] for response in (new, other)]
    assert levels[0] == levels[1] == ["success"]
    page = visible(other)
    for secret in (b1.name, b1.mobile, b1.village.name, "another village", "must live in"):
        assert secret not in page
    # The draft is for the person with that ID number, under what the assistant typed; the clerk
    # is the one told where that person is registered.
    application = Application.objects.get(resident=b1)
    assert (application.applicant_name, application.applicant_mobile) == ("王秀英", "13711112222")


def test_finding_14_the_assistants_page_never_names_the_other_village(client, items, residents, world):  # noqa: F811
    b1 = residents["b1"]
    application = services.draft_start(
        actor=world.assistant_a1, item=items["dibao"], village=world.village_a1
    )
    services.draft_update(
        actor=world.assistant_a1,
        application=application,
        resident=b1,
        typed_name="王秀英",
        typed_mobile="13711112222",
    )
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(world.assistant_a1)
    assert (
        b1.village.name not in client.get(reverse("approvals:detail", args=[application.pk])).content.decode()
    )


def test_finding_14_a_same_village_record_shows_its_mobile_masked(assistant, items, residents):  # noqa: F811
    a1 = residents["a1"]  # 张小明, 13812345678, village A1
    response = file_as(assistant, items["dibao"], id_number=a1.id_number, mobile="13700000000")
    page = visible(response)
    assert a1.mobile not in page
    assert "138****5678" in page


# -- finding 17: photos ------------------------------------------------------------------------------


def jpeg_with_gps(orientation: int = 6) -> bytes:
    image = Image.new("RGB", (60, 30), "white")
    image.paste((200, 0, 0), (0, 0, 20, 30))  # a red band on the left, to see the rotation
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation: rotate 90° clockwise to show
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (39.0, 43.0, 10.0), 3: "E", 4: (117.0, 18.0, 30.0)}  # GPS
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, quality=95, comment=b"taken at home")
    return out.getvalue()


def png_with_text() -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "39.7 N 117.3 E")
    out = io.BytesIO()
    Image.new("RGB", (20, 10), "white").save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def test_finding_17_exif_and_gps_are_stripped_and_the_rotation_kept():
    data = jpeg_with_gps()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # the test photo has GPS
    checked = check_upload(SimpleUploadedFile("photo.jpg", data, "image/jpeg"))
    assert checked.cleaned is not None
    kept = Image.open(io.BytesIO(checked.cleaned))
    assert not kept.getexif()
    assert "comment" not in kept.info and "exif" not in kept.info
    assert kept.size == (30, 60)  # turned upright
    assert kept.getpixel((15, 5))[0] > 150  # the red band is now at the top
    assert checked.size == len(checked.cleaned)


def test_finding_17_exif_png_text_is_stripped():
    checked = check_upload(SimpleUploadedFile("scan.png", png_with_text(), "image/png"))
    assert checked.cleaned is not None
    assert "Comment" not in Image.open(io.BytesIO(checked.cleaned)).info


def test_finding_17_exif_stored_files_have_no_gps(cases, world):  # noqa: F811
    application = cases.draft()
    record = services.file_attach(
        actor=world.assistant_a1,
        application=application,
        kind=ApplicationFile.Kind.CONSENT,
        uploaded=SimpleUploadedFile("授权书.jpg", jpeg_with_gps(), "image/jpeg"),
    )
    with record.file.open("rb") as stored:
        data = stored.read()
    assert b"PhoneMaker" not in data and b"taken at home" not in data
    assert not Image.open(io.BytesIO(data)).getexif()
    assert record.size == len(data)


# -- finding 17: search --------------------------------------------------------------------------------

ID_NUMBER = make_id_number(order=555)
SEARCH = reverse("guide_search:results")


@pytest.mark.parametrize(
    "query",
    [
        ID_NUMBER,
        ID_NUMBER[:17] + "X",
        ID_NUMBER[:6] + " " + ID_NUMBER[6:],
        "13812345678",
        "１３８１２３４５６７８",
        "138-1234-5678",
    ],
)
def test_finding_17_search_an_id_like_query_never_reaches_a_url(client, query):
    response = client.post(SEARCH, {"q": query})
    assert response.status_code == 303
    assert response["Location"] == SEARCH + "?refused=id"
    page = client.get(response["Location"]).content.decode()
    assert "身份证号" in page or "ID number" in page
    assert query not in page


def test_finding_17_search_an_id_like_query_in_the_url_is_not_echoed(client):
    response = client.get(SEARCH, {"q": ID_NUMBER})
    assert response["Location"] == SEARCH + "?refused=id"
    page = client.get(response["Location"]).content.decode()
    assert ID_NUMBER not in page
    assert ID_NUMBER[-6:] not in page


def test_finding_17_search_ordinary_queries_post_then_redirect(client):
    response = client.post(SEARCH, {"q": "低保"})
    assert response.status_code == 303
    assert response["Location"] == SEARCH + "?q=%E4%BD%8E%E4%BF%9D"
    for query in ("2024年", "120115", "低保 2023"):
        assert client.post(SEARCH, {"q": query})["Location"].startswith(SEARCH + "?q=")


def test_finding_17_search_the_boxes_post_and_carry_a_pattern(client):
    page = client.get(SEARCH).content.decode()
    assert 'method="post"' in page and 'pattern="(?!.*[0-9０-９]{11}).*"' in page


def test_finding_17_search_our_code_logs_no_query(client, caplog):
    with caplog.at_level(logging.DEBUG):
        client.post(SEARCH, {"q": ID_NUMBER})
        client.get(SEARCH, {"q": ID_NUMBER})
    assert ID_NUMBER not in caplog.text
