"""The return loop (issue 18, gaps 4-6): a supplement goes back only when every line of the
one-time notice has a new file or a written answer; a second return needs a supervisor's
written reason given by someone other than the clerk who returns it, and is counted per centre;
a material holds several files; the clerk's return form shows what was received, with previews
behind the download's permission check; the receipt lists the materials received."""

import io
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from approvals import selectors, services
from approvals.models import ApplicationEvent, ApplicationFile, Notice
from approvals.services import MissingItem
from approvals.states import Act, State
from portal.errors import DomainError, NotPermitted
from ratings import figures
from tests.approvals.conftest import png_upload
from tests.approvals.upload_files import reportlab_pdf
from tests.certificates.conftest import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    """The services' refusals in English, so the assertions read the same in any catalog."""
    with translation.override("en"):
        yield


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def materials_of(application) -> dict[str, object]:
    return {material.name: material for material in application.item.materials.all()}


def returned(cases, world, *lines: MissingItem):
    application = cases.submitted()
    notice = services.application_return(actor=world.clerk_a, application=application, items=list(lines))
    application.refresh_from_db()
    return application, notice


def upload(world, application, material=None, name="scan.png", line=None):
    return services.file_attach(
        actor=world.assistant_a1,
        application=application,
        kind=ApplicationFile.Kind.MATERIAL,
        material=material,
        notice_item=line,
        uploaded=png_upload(name),
    )


def resubmitted_once(cases, world):
    """Returned once (户口簿 unclear), supplied and sent back: the second return's starting point."""
    application = cases.submitted()
    hukou = materials_of(application)["户口簿"]
    services.application_return(
        actor=world.clerk_a, application=application, items=[MissingItem(hukou, "复印件不清楚")]
    )
    upload(world, application, hukou, "户口簿-清楚.png")
    return services.application_resubmit(actor=world.assistant_a1, application=application)


# -- gap 4: resubmission needs every line settled ----------------------------------------------


def test_resubmission_is_refused_while_a_line_has_neither_a_new_file_nor_an_answer(cases, world):
    application = cases.submitted()
    materials = materials_of(application)
    services.application_return(
        actor=world.clerk_a,
        application=application,
        items=[
            MissingItem(materials["居民身份证"], "缺配偶的身份证"),
            MissingItem(materials["户口簿"], "缺户主页"),
        ],
    )
    with pytest.raises(DomainError) as refusal:
        services.application_resubmit(actor=world.assistant_a1, application=application)
    assert "居民身份证" in str(refusal.value) and "户口簿" in str(refusal.value)
    # The file uploaded before the notice does not count for its line.
    assert ApplicationFile.objects.filter(application=application, material=materials["户口簿"]).exists()
    upload(world, application, materials["居民身份证"], "配偶身份证.png")
    with pytest.raises(DomainError) as refusal:
        services.application_resubmit(actor=world.assistant_a1, application=application)
    assert "户口簿" in str(refusal.value) and "居民身份证" not in str(refusal.value)
    assert state_of(application) == State.RETURNED


def state_of(application) -> str:
    application.refresh_from_db()
    return application.state


def test_a_written_answer_settles_a_line_and_the_history_says_what_was_done(cases, world):
    application = cases.submitted()
    materials = materials_of(application)
    notice = services.application_return(
        actor=world.clerk_a,
        application=application,
        items=[
            MissingItem(materials["居民身份证"], "缺配偶的身份证"),
            MissingItem(materials["户口簿"], "缺户主页"),
        ],
    )
    id_line, hukou_line = notice.items.order_by("pk")
    upload(world, application, materials["居民身份证"], "配偶身份证.png")
    services.notice_item_answer(
        actor=world.assistant_a1, application=application, notice_item=hukou_line, answer="  该户只有一人 "
    )
    application = services.application_resubmit(actor=world.assistant_a1, application=application)
    assert application.state == State.SUBMITTED
    id_line.refresh_from_db()
    hukou_line.refresh_from_db()
    assert id_line.supplied_at is not None and hukou_line.supplied_at is None  # 已补齐 only if supplied
    assert hukou_line.answer == "该户只有一人" and hukou_line.answered_by == world.assistant_a1
    event = application.events.get(act=Act.RESUBMIT)
    assert event.data["supplied"] == ["居民身份证"] and event.data["answered"] == ["户口簿"]


def test_only_the_filing_assistant_writes_an_answer(cases, world):
    application, notice = returned(cases, world, MissingItem(None, "缺页", name="户口簿"))
    line = notice.items.get()
    for outsider in (world.clerk_a, world.assistant_b1, world.supervisor_a):
        with pytest.raises(NotPermitted):
            services.notice_item_answer(actor=outsider, application=application, notice_item=line, answer="x")
    line.refresh_from_db()
    assert line.answer == ""


def test_a_line_under_other_materials_has_its_own_upload_slot(cases, world):
    application, notice = returned(cases, world, MissingItem(None, "请提供村委会证明", name="村委会证明"))
    line = notice.items.get()
    record = upload(world, application, name="证明.png", line=line)
    assert record.material is None and record.material_name == "村委会证明" and record.notice_item == line
    application = services.application_resubmit(actor=world.assistant_a1, application=application)
    line.refresh_from_db()
    assert line.supplied_at is not None
    # The slot closes with the notice.
    with pytest.raises(DomainError):
        upload(world, application, name="again.png", line=line)


# -- gap 5: several files per material -----------------------------------------------------------


def test_a_second_file_for_a_material_is_added_and_removing_one_is_recorded(cases, world):
    application = cases.draft()
    id_card = materials_of(application)["居民身份证"]
    second = upload(world, application, id_card, "配偶身份证.png")
    current = ApplicationFile.objects.filter(
        application=application, material=id_card, superseded_at__isnull=True
    )
    assert current.count() == 2
    services.file_remove(actor=world.assistant_a1, application=application, file=second)
    assert current.count() == 1
    event = ApplicationEvent.objects.get(application=application, act=Act.FILE_REMOVED)
    assert event.data["file"] == "配偶身份证.png" and event.actor == world.assistant_a1


def test_a_new_consent_still_replaces_the_old_one(cases, world):
    application = cases.draft()
    services.file_attach(
        actor=world.assistant_a1, application=application, kind="consent", uploaded=png_upload("新授权.png")
    )
    consents = application.files.filter(kind="consent", superseded_at__isnull=True)
    assert list(consents.values_list("display_name", flat=True)) == ["新授权.png"]


# -- gap 4: the second return --------------------------------------------------------------------


def test_a_second_return_needs_a_supervisors_reason_given_by_another_person(cases, world):
    application = resubmitted_once(cases, world)
    id_card = materials_of(application)["居民身份证"]
    lines = [MissingItem(id_card, "已过期")]
    with pytest.raises(DomainError, match="already returned once"):
        services.application_return(actor=world.clerk_a, application=application, items=lines)
    with pytest.raises(DomainError, match="supervisor"):
        services.application_return_again(actor=world.clerk_a, application=application, items=lines)
    with pytest.raises(NotPermitted):  # a clerk cannot agree to their own second return
        services.application_agree_second_return(actor=world.clerk_a, application=application, reason="x")
    with pytest.raises(DomainError):
        services.application_agree_second_return(
            actor=world.supervisor_a, application=application, reason=" "
        )
    services.application_agree_second_return(
        actor=world.supervisor_a, application=application, reason="身份证在受理时才发现已过期"
    )
    with pytest.raises(DomainError, match="another person"):  # four eyes
        services.application_return_again(actor=world.supervisor_a, application=application, items=lines)
    notice = services.application_return_again(actor=world.clerk_a, application=application, items=lines)
    assert notice.kind == Notice.Kind.SUPPLEMENT
    event = application.events.get(act=Act.SECOND_RETURN)
    assert event.to_state == State.RETURNED and event.actor_office == world.centre_a
    assert event.data["reason"] == "身份证在受理时才发现已过期"
    assert not application.events.filter(act=Act.RETURN, pk__gt=event.pk).exists()


def test_an_agreement_is_for_one_return(cases, world):
    application = resubmitted_once(cases, world)
    id_card = materials_of(application)["居民身份证"]
    services.application_agree_second_return(actor=world.supervisor_a, application=application, reason="过期")
    services.application_return_again(
        actor=world.clerk_a, application=application, items=[MissingItem(id_card, "已过期")]
    )
    upload(world, application, id_card, "新身份证.png")
    services.application_resubmit(actor=world.assistant_a1, application=application)
    with pytest.raises(DomainError, match="supervisor"):
        services.application_return_again(
            actor=world.clerk_a, application=application, items=[MissingItem(id_card, "仍不清楚")]
        )


def test_first_return_needs_no_agreement_and_the_agreement_step_is_not_offered(cases, world):
    application = cases.submitted()
    acts = {step.act for step in selectors.steps_for(world.supervisor_a, application)}
    assert Act.RETURN in acts and Act.AGREE_SECOND_RETURN not in acts and Act.SECOND_RETURN not in acts
    with pytest.raises(DomainError):
        services.application_agree_second_return(
            actor=world.supervisor_a, application=application, reason="x"
        )


def test_second_returns_are_counted_per_centre_and_township(cases, world, django_assert_num_queries):
    application = resubmitted_once(cases, world)
    services.application_agree_second_return(actor=world.supervisor_a, application=application, reason="过期")
    services.application_return_again(
        actor=world.clerk_a,
        application=application,
        items=[MissingItem(materials_of(application)["居民身份证"], "已过期")],
    )
    with django_assert_num_queries(1):
        assert selectors.second_returns_by_office([world.centre_a.pk, world.centre_b.pk]) == {
            world.centre_a.pk: 1
        }
    with django_assert_num_queries(1):
        by_township = selectors.second_returns_by_township([world.township_a.pk, world.township_b.pk])
    assert by_township == {world.township_a.pk: 1}
    offices = {row.key: row for row in figures.for_offices([world.centre_a, world.centre_b])["offices"]}
    assert offices[world.centre_a.pk].second_returns == 1
    townships = {row.key: row for row in figures.by_township([world.township_a, world.township_b])}
    assert townships[world.township_a.pk].second_returns == 1
    assert townships[world.township_b.pk].second_returns == 0


def test_the_satisfaction_pages_show_second_returns(english, cases, world):
    application = resubmitted_once(cases, world)
    services.application_agree_second_return(actor=world.supervisor_a, application=application, reason="过期")
    services.application_return_again(
        actor=world.clerk_a,
        application=application,
        items=[MissingItem(materials_of(application)["居民身份证"], "已过期")],
    )
    public = english.get(reverse("satisfaction:summary")).content.decode()
    assert "Second returns (再次退回)" in public
    english.force_login(world.supervisor_a)
    staff = english.get(reverse("ratings:figures")).content.decode()
    assert "Second returns (再次退回)" in staff
    assert re.search(r"<td[^>]*>1</td>", staff)  # cells carry data-label for stacked rows (长辈版)


def test_the_villager_is_told_what_was_really_handed_in(cases, world, client):
    application = cases.submitted()
    materials = materials_of(application)
    notice = services.application_return(
        actor=world.clerk_a,
        application=application,
        items=[
            MissingItem(materials["居民身份证"], "缺配偶的"),
            MissingItem(materials["户口簿"], "缺户主页"),
        ],
    )
    upload(world, application, materials["居民身份证"], "配偶.png")
    services.notice_item_answer(
        actor=world.assistant_a1,
        application=application,
        notice_item=notice.items.last(),
        answer="该户只有一人",
    )
    services.application_resubmit(actor=world.assistant_a1, application=application)
    from approvals.views.tracking import _history  # why: the villager's words, without a session

    texts = " ".join(step.text for step in _history(application))
    assert "居民身份证" in texts and "户口簿" in texts


# -- views: the assistant's supplement form ------------------------------------------------------


def test_the_supplement_form_refuses_an_open_line_and_keeps_the_typed_answer(english, cases, world):
    application = cases.submitted()
    materials = materials_of(application)
    notice = services.application_return(
        actor=world.clerk_a,
        application=application,
        items=[
            MissingItem(materials["居民身份证"], "缺配偶的"),
            MissingItem(None, "缺证明", name="村委会证明"),
        ],
    )
    id_line, other_line = notice.items.order_by("pk")
    english.force_login(world.assistant_a1)
    url = reverse("approvals:edit", args=[application.pk])
    page = english.get(url).content.decode()
    assert f'name="line_{other_line.pk}"' in page and f'name="answer_{id_line.pk}"' in page
    response = english.post(url, {f"answer_{id_line.pk}": "该户只有一人", "submit": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Still open on the one-time notice" in html and "村委会证明" in html
    assert "该户只有一人" in html  # kept, and saved
    id_line.refresh_from_db()
    assert id_line.answer == "该户只有一人"
    response = english.post(url, {f"line_{other_line.pk}": png_upload("证明.png"), "submit": "1"})
    assert response.status_code == 302
    assert state_of(application) == State.SUBMITTED


def test_several_files_for_one_material_in_one_go(english, cases, world):
    application = cases.draft()
    id_card = materials_of(application)["居民身份证"]
    english.force_login(world.assistant_a1)
    english.post(
        reverse("approvals:edit", args=[application.pk]),
        {f"material_{id_card.pk}": [png_upload("本人.png"), png_upload("配偶.png")], "save": "1"},
    )
    names = set(
        application.files.filter(material=id_card, superseded_at__isnull=True).values_list(
            "display_name", flat=True
        )
    )
    assert {"本人.png", "配偶.png"} <= names


# -- views: the clerk's return form, previews, the receipt ----------------------------------------


def test_the_return_form_lists_what_was_received_and_what_is_missing(
    english, cases, world, django_assert_max_num_queries
):
    application = cases.submitted()
    upload_count = application.files.filter(kind="material", superseded_at__isnull=True).count()
    assert upload_count >= 1
    english.force_login(world.clerk_a)
    url = reverse("approvals:act", args=[application.pk, Act.RETURN])
    with django_assert_max_num_queries(30) as few:
        html = english.get(url).content.decode()
    assert "Materials received (收件清单)" in html and "Missing (未上传)" in html  # 家庭收入情况声明
    assert (
        reverse(
            "approvals:thumbnail", args=[application.pk, application.files.filter(kind="material").first().pk]
        )
        in html
    )
    draft = cases.draft()
    for name in ("a.png", "b.png", "c.png"):
        upload(world, draft, materials_of(draft)["居民身份证"], name)
    application, _ = services.application_submit(actor=world.assistant_a1, application=draft)
    url = reverse("approvals:act", args=[application.pk, Act.RETURN])
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = english.get(url).content.decode()
    assert "4 files (已上传)" in html


def test_the_agreement_form_keeps_what_was_typed_on_error(english, cases, world):
    application = resubmitted_once(cases, world)
    english.force_login(world.supervisor_a)
    url = reverse("approvals:act", args=[application.pk, Act.AGREE_SECOND_RETURN])
    response = english.post(url, {"version": application.version - 1, "reason": "身份证过期"})
    assert response.status_code == 400 and "身份证过期" in response.content.decode()
    application.refresh_from_db()
    response = english.post(url, {"version": application.version, "reason": "身份证过期"})
    assert response.status_code == 302
    english.force_login(world.clerk_a)
    page = english.get(reverse("approvals:act", args=[application.pk, Act.SECOND_RETURN])).content.decode()
    assert "身份证过期" in page and "Earlier one-time notice" in page
    response = english.get(reverse("approvals:act", args=[application.pk, Act.RETURN]), follow=True)
    # The refusal names the real reason (the one-time rule), not the state.
    assert "A second return needs the supervisor" in response.content.decode()


def pdf_upload(name="scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, reportlab_pdf(), content_type="application/pdf")


def test_previews_are_small_pngs_behind_the_download_check(english, cases, world):
    application = cases.draft()
    pdf = services.file_attach(
        actor=world.assistant_a1,
        application=application,
        kind="material",
        material=materials_of(application)["户口簿"],
        uploaded=pdf_upload(),
    )
    application, _ = services.application_submit(actor=world.assistant_a1, application=application)
    image = application.files.filter(content_type="image/png").first()
    english.force_login(world.clerk_a)
    for record in (pdf, image):
        url = reverse("approvals:thumbnail", args=[application.pk, record.pk])
        response = english.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/png"
        assert "public" not in response["Cache-Control"]
        with Image.open(io.BytesIO(response.content)) as thumb:
            assert max(thumb.size) <= 240
    pdf.refresh_from_db()
    assert pdf.thumbnail  # kept for the next request
    url = reverse("approvals:thumbnail", args=[application.pk, pdf.pk])
    english.force_login(world.clerk_b)  # another township's clerk
    assert english.get(url).status_code == 404
    english.logout()
    assert english.get(url).status_code == 302  # to the login page


def test_the_receipt_lists_the_materials_received(english, cases, world):
    draft = cases.draft()
    upload(world, draft, materials_of(draft)["居民身份证"], "配偶.png")
    application, _ = services.application_submit(actor=world.assistant_a1, application=draft)
    english.force_login(world.assistant_a1)
    html = english.get(reverse("approvals:receipt", args=[application.pk])).content.decode()
    assert "Materials received (收件清单)" in html and "居民身份证: 2 file(s)" in html
    text = pdf_text(english.get(reverse("approvals:receipt_pdf", args=[application.pk])).content)
    assert "收件清单" in text and "居民身份证" in text and "户口簿" in text
