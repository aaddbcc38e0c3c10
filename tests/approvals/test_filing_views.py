"""The assistant's filing pages through the Django test client: new → start → upload → submit →
receipt, drafts resumed, double clicks, bad input that loses nothing, and who may use the pages.

Pages are read in English (the language cookie), so assertions do not depend on the catalog.
"""

import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from approvals import services
from approvals.models import Application, ApplicationEvent, ApplicationFile
from approvals.services import MissingItem
from approvals.states import Act, State
from portal.people.models import Resident
from portal.people.roles import Role
from portal.people.services import membership_create
from tests.approvals.conftest import png_upload
from tests.approvals.upload_files import png_bytes, reportlab_pdf
from tests.factories import UserFactory, make_id_number

pytestmark = pytest.mark.django_db

ID_NUMBER = make_id_number(order=345)
WRONG_CHECK_DIGIT = ID_NUMBER[:17] + ("0" if ID_NUMBER[17] != "0" else "1")


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def assistant(english, world):
    english.force_login(world.assistant_a1)
    return english


def exe_as_pdf(name: str = "户口簿.pdf") -> SimpleUploadedFile:
    """A Windows program renamed to look like a PDF."""
    return SimpleUploadedFile(
        name, b"MZ\x90\x00" + b"\x00" * 400 + b"This program cannot be run in DOS mode", "application/pdf"
    )


def field(material) -> str:
    return f"material_{material.pk}"


def materials_of(item) -> dict[str, object]:
    return {material.name: material for material in item.materials.all()}


def villager(**overrides) -> dict[str, str]:
    data = {"name": "王秀英", "id_number": ID_NUMBER, "mobile": "13711112222", "request_note": "申请低保"}
    data.update(overrides)
    return data


def start_url(item) -> str:
    return reverse("approvals:start", args=[item.pk])


def token_of(response) -> str:
    return str(response.context["form"]["client_token"].value())


def events(application, act) -> int:
    return ApplicationEvent.objects.filter(application=application, act=act).count()


# -- the happy path ------------------------------------------------------------------------------


def test_assistant_files_an_application_from_start_to_receipt(assistant, items, world):
    dibao = items["dibao"]
    listing = assistant.get(reverse("approvals:new"))
    assert listing.status_code == 200
    assert start_url(dibao) in listing.content.decode()

    page = assistant.get(start_url(dibao))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'name="client_token"' in html
    assert "May be missing (容缺)" in html  # 家庭收入情况声明
    # No word of a fee (代办 is free); attribute values are left out: a random CSRF token may spell it.
    assert not re.search(r"\bfees?\b", re.sub(r'value="[^"]*"', "", html).lower())

    materials = materials_of(dibao)
    response = assistant.post(
        start_url(dibao),
        {
            "client_token": token_of(page),
            **villager(),
            field(materials["居民身份证"]): png_upload("身份证.png"),
            field(materials["户口簿"]): SimpleUploadedFile("户口簿.pdf", reportlab_pdf(), "application/pdf"),
            "consent": png_upload("授权委托书.png"),
            "submit": "1",
        },
    )
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("approvals:receipt", args=[application.pk])
    assert application.state == State.SUBMITTED
    assert application.resident.name == "王秀英"
    assert application.request_note == "申请低保"
    assert ApplicationFile.objects.filter(application=application, superseded_at__isnull=True).count() == 3

    receipt = assistant.get(response["Location"])
    html = receipt.content.decode()
    assert receipt.status_code == 200
    for group in application.number.split("-"):
        assert f"<span>{group}</span>" in html
    assert "王*英" in html and "王秀英" not in html
    assert application.resident.id_number_masked in html and ID_NUMBER not in html
    assert world.centre_a.name in html
    assert "Entrustment (委托)" in html and world.d1.name in html
    assert f"{application.accept_by:%Y-%m-%d}" in html
    assert "within 20 working days" in html
    assert "http://testserver" + reverse("tracking:form") in html
    assert "Free of charge (免费代办)" in html
    assert "fee" not in html.lower()


def test_receipt_links_the_office_phone(assistant, cases, world):
    world.centre_a.phone = "022-29240000"
    world.centre_a.save()
    application = cases.submitted()
    html = assistant.get(reverse("approvals:receipt", args=[application.pk])).content.decode()
    assert 'href="tel:022-29240000"' in html


def test_draft_is_saved_and_resumed(assistant, items):
    dibao = items["dibao"]
    materials = materials_of(dibao)
    page = assistant.get(start_url(dibao))
    response = assistant.post(
        start_url(dibao),
        {
            "client_token": token_of(page),
            **villager(),
            field(materials["居民身份证"]): png_upload("身份证.png"),
            "save": "1",
        },
    )
    application = Application.objects.get()
    edit_url = reverse("approvals:edit", args=[application.pk])
    assert response.status_code == 302 and response["Location"] == edit_url
    assert application.state == State.DRAFT

    resumed = assistant.get(edit_url)
    html = resumed.content.decode()
    assert "王秀英" in html and application.resident.id_number_masked in html
    assert "身份证.png" in html
    assert reverse("approvals:file", args=[application.pk, application.files.get().pk]) in html
    assert resumed.context["form"]["resident"].value() == application.resident_id
    assert "Upload “户口簿”." in html  # what is still needed

    done = assistant.post(
        edit_url,
        {
            "resident": application.resident_id,
            "request_note": "申请低保",
            field(materials["户口簿"]): png_upload("户口簿.png"),
            "consent": png_upload("授权.png"),
            "submit": "1",
        },
    )
    assert done.status_code == 302 and done["Location"] == reverse("approvals:receipt", args=[application.pk])
    application.refresh_from_db()
    assert application.state == State.SUBMITTED


def test_registered_villager_can_be_chosen_from_the_list(assistant, items, residents):
    page = assistant.get(start_url(items["dibao"]))
    assert residents["a1"].id_number_masked in page.content.decode()
    assert residents["b1"].name not in page.content.decode()  # another township's villager
    assistant.post(
        start_url(items["dibao"]),
        {"client_token": token_of(page), "resident": residents["a1"].pk, "save": "1"},
    )
    assert Application.objects.get().resident == residents["a1"]


def test_a_file_can_be_removed_from_a_draft(assistant, cases):
    application = cases.draft()
    consent = application.files.get(kind=ApplicationFile.Kind.CONSENT)
    response = assistant.post(
        reverse("approvals:edit", args=[application.pk]),
        {"resident": application.resident_id, "remove": [str(consent.pk)], "save": "1"},
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.superseded_at is not None


# -- double clicks -------------------------------------------------------------------------------


def test_double_post_of_the_start_form_makes_one_draft(assistant, items):
    page = assistant.get(start_url(items["dibao"]))
    data = {"client_token": token_of(page), **villager(), "save": "1"}
    first = assistant.post(start_url(items["dibao"]), data)
    second = assistant.post(start_url(items["dibao"]), data)
    application = Application.objects.get()
    assert first["Location"] == second["Location"] == reverse("approvals:edit", args=[application.pk])
    assert events(application, Act.CREATE) == 1


def test_double_submit_from_the_form_submits_once(assistant, cases):
    application = cases.draft()
    url = reverse("approvals:edit", args=[application.pk])
    data = {"resident": application.resident_id, "submit": "1"}
    first = assistant.post(url, data)
    second = assistant.post(url, data, follow=True)
    receipt = reverse("approvals:receipt", args=[application.pk])
    assert first["Location"] == receipt
    assert second.redirect_chain[-1][0] == receipt
    assert "already submitted" in second.content.decode()
    assert events(application, Act.SUBMIT) == 1


def test_double_submit_from_the_detail_page_submits_once(assistant, cases):
    application = cases.draft()
    url = reverse("approvals:submit", args=[application.pk])
    first = assistant.post(url)
    second = assistant.post(url, follow=True)
    assert first["Location"] == reverse("approvals:receipt", args=[application.pk])
    assert "already submitted" in second.content.decode()
    assert events(application, Act.SUBMIT) == 1


def test_submit_page_refuses_get(assistant, cases):
    application = cases.draft()
    assert assistant.get(reverse("approvals:submit", args=[application.pk])).status_code == 405


def test_submitting_an_incomplete_draft_lists_what_is_missing(assistant, items):
    page = assistant.get(start_url(items["dibao"]))
    response = assistant.post(
        start_url(items["dibao"]), {"client_token": token_of(page), **villager(), "submit": "1"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "Upload “居民身份证”." in html and "授权委托书" in html
    assert Application.objects.get().state == State.DRAFT


# -- bad input loses nothing ---------------------------------------------------------------------


def test_wrong_check_digit_keeps_the_typed_villager_and_the_uploaded_files(assistant, items):
    dibao = items["dibao"]
    materials = materials_of(dibao)
    page = assistant.get(start_url(dibao))
    response = assistant.post(
        start_url(dibao),
        {
            "client_token": token_of(page),
            **villager(id_number=WRONG_CHECK_DIGIT),
            field(materials["居民身份证"]): png_upload("身份证.png"),
            "submit": "1",
        },
    )
    assert response.status_code == 200
    assert response.templates[0].name == "approvals/filing_form.html"
    form = response.context["form"]
    assert "check digit" in " ".join(form.errors["id_number"])
    application = Application.objects.get()
    assert application.state == State.DRAFT and application.resident is None
    assert application.request_note == "申请低保"
    html = response.content.decode()
    assert f'action="{reverse("approvals:edit", args=[application.pk])}"' in html
    assert 'value="王秀英"' in html and 'value="13711112222"' in html
    assert "Uploaded (已上传):" in html and "身份证.png" in html
    assert "Upload “户口簿”." in html  # what else a submission needs, in the summary
    assert "Enter the villager's name, ID number and mobile." not in html  # the field says it
    assert application.files.get().display_name == "身份证.png"
    assert not Resident.objects.exists()


def test_a_program_renamed_pdf_is_refused_next_to_its_field_and_the_other_file_is_kept(assistant, items):
    dibao = items["dibao"]
    materials = materials_of(dibao)
    page = assistant.get(start_url(dibao))
    response = assistant.post(
        start_url(dibao),
        {
            "client_token": token_of(page),
            **villager(),
            field(materials["居民身份证"]): png_upload("身份证.png"),
            field(materials["户口簿"]): exe_as_pdf(),
            "save": "1",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [field(materials["户口簿"])]
    assert "Windows program" in form.errors[field(materials["户口簿"])][0]
    application = Application.objects.get()
    assert [f.display_name for f in application.files.all()] == ["身份证.png"]
    assert application.resident is not None  # the valid villager was registered


@pytest.mark.parametrize("limit", [2_000])
def test_an_oversized_file_is_refused_and_the_other_file_is_kept(assistant, items, settings, limit):
    settings.CUNBAN_UPLOAD_MAX_BYTES = limit
    dibao = items["dibao"]
    materials = materials_of(dibao)
    page = assistant.get(start_url(dibao))
    big = SimpleUploadedFile("户口簿.png", png_bytes((400, 400)), "image/png")
    assert big.size > limit
    response = assistant.post(
        start_url(dibao),
        {
            "client_token": token_of(page),
            **villager(),
            field(materials["居民身份证"]): png_upload("身份证.png"),
            field(materials["户口簿"]): big,
            "save": "1",
        },
    )
    assert response.status_code == 200
    message = response.context["form"].errors[field(materials["户口簿"])][0]
    assert "is larger than 2.0\xa0KB and was not kept" in message  # dropped as it arrived (upload_limits)
    assert [f.display_name for f in Application.objects.get().files.all()] == ["身份证.png"]


def test_a_12_mb_file_gets_the_friendly_message_under_the_default_limit(assistant, items):
    dibao = items["dibao"]
    materials = materials_of(dibao)
    page = assistant.get(start_url(dibao))
    twelve_mb = SimpleUploadedFile("扫描.pdf", b"%PDF-1.4\n" + b"0" * (12 * 1024 * 1024), "application/pdf")
    response = assistant.post(
        start_url(dibao),
        {
            "client_token": token_of(page),
            **villager(),
            field(materials["居民身份证"]): twelve_mb,
            "consent": png_upload("授权.png"),
            "save": "1",
        },
    )
    assert response.status_code == 200
    assert (
        "is larger than 10.0\xa0MB and was not kept"
        in response.context["form"].errors[field(materials["居民身份证"])][0]
    )
    assert [f.display_name for f in Application.objects.get().files.all()] == ["授权.png"]


def test_a_half_typed_villager_is_told_what_else_to_type(assistant, items):
    page = assistant.get(start_url(items["dibao"]))
    response = assistant.post(
        start_url(items["dibao"]), {"client_token": token_of(page), "name": "王秀英", "save": "1"}
    )
    form = response.context["form"]
    assert set(form.errors) == {"id_number", "mobile"}
    assert 'value="王秀英"' in response.content.decode()


def test_a_bad_mobile_is_refused_next_to_its_field(assistant, items):
    page = assistant.get(start_url(items["dibao"]))
    response = assistant.post(
        start_url(items["dibao"]), {"client_token": token_of(page), **villager(mobile="0223"), "save": "1"}
    )
    assert list(response.context["form"].errors) == ["mobile"]


def test_an_id_number_registered_in_another_village_is_linked_without_saying_so(assistant, items, residents):
    """Issue 16, finding 14: the same answer as for a new number (see tests/security/test_findings_data.py)."""
    page = assistant.get(start_url(items["dibao"]))
    b1 = residents["b1"]
    response = assistant.post(
        start_url(items["dibao"]),
        {
            "client_token": token_of(page),
            **villager(id_number=b1.id_number),
            "request_note": "x",
            "save": "1",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "id_number" not in response.context["form"].errors
    application = Application.objects.get()
    assert application.resident == b1 and application.request_note == "x"
    assert (application.applicant_name, application.applicant_mobile) == ("王秀英", "13711112222")


# -- supplement after a return -------------------------------------------------------------------


def test_returned_application_shows_the_notice_and_is_resubmitted(assistant, cases, world):
    application = cases.submitted()
    hukou = materials_of(application.item)["户口簿"]
    services.application_return(
        actor=world.clerk_a,
        application=application,
        items=[MissingItem(material=hukou, reason="复印件不清楚")],
    )
    url = reverse("approvals:edit", args=[application.pk])
    page = assistant.get(url)
    html = page.content.decode()
    assert "One-time notice (一次性告知)" in html and "复印件不清楚" in html
    assert "name_id_number" not in html and 'name="id_number"' not in html  # the villager is fixed now
    response = assistant.post(url, {field(hukou): png_upload("户口簿-清楚.png"), "submit": "1"})
    assert response["Location"] == reverse("approvals:receipt", args=[application.pk])
    application.refresh_from_db()
    assert application.state == State.SUBMITTED
    assert events(application, Act.RESUBMIT) == 1
    # Several files per material (issue 18, gap 5): the new one is added beside the first.
    current = application.files.filter(material=hukou, superseded_at__isnull=True)
    assert set(current.values_list("display_name", flat=True)) == {"户口簿.png", "户口簿-清楚.png"}


def test_edit_of_a_submitted_application_goes_to_its_page(assistant, cases):
    application = cases.submitted()
    response = assistant.get(reverse("approvals:edit", args=[application.pk]))
    assert response["Location"] == reverse("approvals:detail", args=[application.pk])


def test_receipt_of_a_draft_goes_back_to_the_form(assistant, cases):
    application = cases.draft()
    response = assistant.get(reverse("approvals:receipt", args=[application.pk]))
    assert response["Location"] == reverse("approvals:edit", args=[application.pk])


# -- who may use the pages -----------------------------------------------------------------------


def test_assistant_of_another_village_gets_404(english, cases, world):
    application = cases.draft()
    submitted = cases.submitted()
    english.force_login(world.assistant_b1)
    assert english.get(reverse("approvals:edit", args=[application.pk])).status_code == 404
    assert english.post(reverse("approvals:edit", args=[application.pk]), {"save": "1"}).status_code == 404
    assert english.post(reverse("approvals:submit", args=[application.pk])).status_code == 404
    assert english.get(reverse("approvals:receipt", args=[submitted.pk])).status_code == 404
    assert events(application, Act.SUBMIT) == 0


def test_assistant_may_start_only_for_their_own_village(english, items, world):
    english.force_login(world.assistant_b1)
    page = english.get(start_url(items["dibao"]))
    assert page.context["village"] == world.village_b1
    english.post(
        start_url(items["dibao"]),
        {"client_token": token_of(page), "save": "1", "village": world.village_a1.pk},
    )
    assert Application.objects.get().village == world.village_b1


def test_clerk_cannot_use_the_filing_pages(english, cases, items, world):
    application = cases.submitted()
    draft = cases.draft()
    english.force_login(world.clerk_a)
    assert english.get(reverse("approvals:new")).status_code == 403
    assert english.get(start_url(items["dibao"])).status_code == 403
    assert english.post(start_url(items["dibao"]), {"save": "1"}).status_code == 403
    assert english.get(reverse("approvals:edit", args=[application.pk])).status_code == 404
    assert english.get(reverse("approvals:edit", args=[draft.pk])).status_code == 404
    assert english.post(reverse("approvals:submit", args=[draft.pk])).status_code == 404
    assert Application.objects.count() == 2


def test_clerk_may_read_the_receipt_of_work_they_handle(english, cases, world):
    application = cases.submitted()
    english.force_login(world.clerk_a)
    assert english.get(reverse("approvals:receipt", args=[application.pk])).status_code == 200


def test_outsider_and_anonymous_are_kept_out(client, english, cases, world, items):
    application = cases.submitted()
    login = reverse("people:login")
    assert client.get(reverse("approvals:new"))["Location"].startswith(login)
    assert client.get(reverse("approvals:receipt", args=[application.pk]))["Location"].startswith(login)
    english.force_login(world.outsider)
    assert english.get(reverse("approvals:new")).status_code == 403
    assert english.get(reverse("approvals:receipt", args=[application.pk])).status_code == 404


def test_item_not_filed_in_villages_is_not_offered(assistant, guide, world):
    from tests.services_catalog.conftest import make_item

    county_only = make_item(guide, world.d1, code="120115-XK-009", title="采矿许可", village_proxy=False)
    listing = assistant.get(reverse("approvals:new")).content.decode()
    assert "采矿许可" not in listing
    assert assistant.get(start_url(county_only)).status_code == 404


# -- more than one village -----------------------------------------------------------------------


@pytest.fixture
def two_village_assistant(english, world):
    user = UserFactory(username="assistant_a12", name="assistant_a12")
    membership_create(actor=None, user=user, office=world.station_a1, role=Role.VILLAGE_ASSISTANT)
    membership_create(actor=None, user=user, office=world.station_a2, role=Role.VILLAGE_ASSISTANT)
    english.force_login(user)
    return english


def test_assistant_of_two_villages_chooses_the_village(two_village_assistant, items, world):
    client = two_village_assistant
    page = client.get(start_url(items["dibao"]))
    assert 'name="village"' in page.content.decode()
    client.post(
        start_url(items["dibao"]),
        {"client_token": token_of(page), "village": world.village_a2.pk, **villager(), "save": "1"},
    )
    application = Application.objects.get()
    assert application.village == world.village_a2
    assert application.resident.village == world.village_a2


def test_without_a_village_nothing_is_started(two_village_assistant, items):
    page = two_village_assistant.get(start_url(items["dibao"]))
    response = two_village_assistant.post(
        start_url(items["dibao"]), {"client_token": token_of(page), **villager(), "save": "1"}
    )
    assert response.status_code == 200
    assert "village" in response.context["form"].errors
    assert 'value="王秀英"' in response.content.decode()
    assert not Application.objects.exists()


def test_a_chosen_villager_implies_the_village(two_village_assistant, items, residents, world):
    page = two_village_assistant.get(start_url(items["dibao"]))
    two_village_assistant.post(
        start_url(items["dibao"]),
        {"client_token": token_of(page), "resident": residents["a1"].pk, "save": "1"},
    )
    assert Application.objects.get().village == world.village_a1


# -- query counts --------------------------------------------------------------------------------


def test_item_list_runs_a_fixed_number_of_queries(assistant, items, guide, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.services_catalog.conftest import make_item

    url = reverse("approvals:new")
    assistant.get(url)  # warm the content-type cache
    with CaptureQueriesContext(connection) as few:
        first = assistant.get(url)
    for n in range(5):
        make_item(guide, world.d2, code=f"120115-QT-1{n:02d}", title=f"事项{n}")
    with CaptureQueriesContext(connection) as more:
        second = assistant.get(url)
    # session, user, "has the user a second factor?" (portal/people/two_factor.py), "may the
    # user file somewhere?", the items with their departments. The session is not written back:
    # its expiry was renewed by the warming request less than a minute ago.
    assert len(few) == len(more) == 5, "\n".join(q["sql"] for q in more.captured_queries)
    assert len(second.context["items"]) == len(first.context["items"]) + 5
    filtered = assistant.get(url, {"q": "宅基地"})
    assert [item.title for item in filtered.context["items"]] == ["农村宅基地建房审批"]
