"""The papers a township hands out (issue 18, gap 7): 受理通知书 once accepted, 不予受理决定书 and
不予许可/不予给付… 决定书 once refused, each citing the law of the item's type (never
《行政许可法》 for an item that is not a licence) and, for a refusal, the county's remedies; the
clerk's page and the villager's tracking page link to them through the same checks as the receipt."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from approvals import decision_papers, services
from approvals.models import Application
from approvals.papers import notice_paper
from approvals.services import MissingItem
from portal.places.models import Remedies
from portal.places.services import remedies_save
from portal.printing import layout
from services_catalog.models import ItemType, ServiceItemPage
from services_catalog.procedure_law import DEFAULT_LAW, procedure_law, refusal_title
from tests.approvals.test_deadlines import at
from tests.certificates.conftest import pdf_pages, pdf_text

pytestmark = pytest.mark.django_db

D = datetime.date
LICENSING_LAW = "行政许可法"


def flat(data: bytes) -> str:
    """The PDF's text without the wrapping (lines wrap anywhere in Chinese)."""
    return "".join(pdf_text(data).split())


def rejected(cases, world, *, item="dibao") -> Application:
    application = cases.accepted(item)
    return services.application_reject(
        actor=world.clerk_a,
        application=application,
        reason="家庭人均收入高于本区低保标准。",
        basis="《社会救助暂行办法》第九条",
    )


def as_licence(application: Application) -> Application:
    ServiceItemPage.objects.filter(pk=application.item_id).update(item_type=ItemType.LICENSING)
    return Application.objects.select_related("item").get(pk=application.pk)


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# -- the law per type ----------------------------------------------------------------------------


def test_every_type_has_a_default_and_only_the_licence_cites_the_licensing_law():
    assert set(DEFAULT_LAW) == set(ItemType)
    for item_type, law in DEFAULT_LAW.items():
        cites = LICENSING_LAW in law.at_receipt or LICENSING_LAW in law.at_decision
        assert cites == (item_type == ItemType.LICENSING), item_type
    assert "第三十二条" in DEFAULT_LAW[ItemType.LICENSING].at_receipt
    assert "第三十八条" in DEFAULT_LAW[ItemType.LICENSING].at_decision


def test_the_title_follows_the_type():
    with translation.override("zh-hans"):
        assert str(refusal_title(ItemType.LICENSING)) == "不予许可决定书"
        assert str(refusal_title(ItemType.BENEFIT)) == "不予给付决定书"
        assert str(refusal_title(ItemType.PUBLIC_SERVICE)) == "不予办理决定书"


def test_an_item_names_its_own_law_and_may_not_borrow_the_licensing_law(items):
    dibao = items["dibao"]
    dibao.procedure_basis = "《社会救助暂行办法》第十一条"
    assert procedure_law(dibao).at_receipt == "《社会救助暂行办法》第十一条"
    dibao.procedure_basis = "《中华人民共和国行政许可法》第三十二条"
    with pytest.raises(Exception, match="Licensing Law|行政许可法"):
        dibao.clean()


def test_the_one_time_notice_of_a_benefit_never_cites_the_licensing_law(cases, world):
    application = cases.submitted()
    material = application.item.materials.first()
    notice = services.application_return(
        actor=world.clerk_a,
        application=application,
        items=[MissingItem(material=material, reason="复印件看不清。")],
    )
    data = layout.render([notice_paper(notice)])
    text = flat(data)
    assert LICENSING_LAW not in text and "国发〔2022〕5号" in text
    licence = as_licence(application)
    notice.application = licence
    assert "《中华人民共和国行政许可法》第三十二条" in flat(layout.render([notice_paper(notice)]))


# -- the papers ----------------------------------------------------------------------------------


def test_the_acceptance_notice_of_an_accepted_benefit(cases, world):
    with at(D(2026, 11, 2)):
        application = cases.accepted()
        data = layout.render([decision_papers.acceptance_paper(application)])
    text = flat(data)
    assert pdf_pages(data) == 1
    assert "受理通知书" in text and application.number in text
    assert "2026年11月2日" in text and "郝各庄镇便民服务中心" in text
    assert LICENSING_LAW not in text


def test_the_refusal_of_a_benefit_gives_reason_basis_and_the_county_remedies(cases, world):
    remedies_save(
        actor=None,
        remedies=Remedies(
            county=world.county,
            review_body="天津市宝坻区人民政府",
            review_contact="区司法局复议窗口",
            court="天津市宝坻区人民法院",
        ),
    )
    application = rejected(cases, world)
    assert decision_papers.papers_available(application) == ["acceptance", "refusal"]
    data = layout.render([decision_papers.refusal_paper(application)])
    text = flat(data)
    assert pdf_pages(data) == 1
    assert "不予给付决定书" in text and "不予许可" not in text
    assert "家庭人均收入高于本区低保标准" in text and "《社会救助暂行办法》第九条" in text
    assert "60日内向天津市宝坻区人民政府申请行政复议" in text and "区司法局复议窗口" in text
    assert "6个月内向天津市宝坻区人民法院提起行政诉讼" in text
    assert "行政复议法》第二十条" in text and "行政诉讼法》第四十六条" in text
    assert LICENSING_LAW not in text


def test_without_the_county_settings_the_remedies_are_named_in_general_terms(cases, world):
    application = rejected(cases, world)
    text = flat(layout.render([decision_papers.refusal_paper(application)]))
    assert "宝坻区人民政府申请行政复议" in text and "有管辖权的人民法院" in text


def test_a_licence_refusal_cites_article_38(cases, world):
    application = as_licence(rejected(cases, world))
    text = flat(layout.render([decision_papers.refusal_paper(application)]))
    assert "不予许可决定书" in text and "行政许可法》第三十八条" in text


def test_refusing_before_acceptance_is_a_refusal_to_accept(cases, world):
    application = cases.submitted()
    application = services.application_reject(
        actor=world.clerk_a,
        application=application,
        reason="不属于本机关职权范围。",
        basis="《社会救助暂行办法》第十一条",
    )
    assert decision_papers.papers_available(application) == ["refusal"]
    text = flat(layout.render([decision_papers.refusal_paper(application)]))
    assert "不予受理决定书" in text and "不予给付" not in text and LICENSING_LAW not in text


# -- reaching them -------------------------------------------------------------------------------


def test_the_clerk_downloads_the_papers_the_state_has_produced(client, cases, world):
    application = cases.accepted()
    client.force_login(world.clerk_a)
    page = client.get(reverse("approvals:detail", args=[application.pk])).content.decode()
    acceptance = reverse("approvals:decision_paper_pdf", args=[application.pk, "acceptance"])
    refusal = reverse("approvals:decision_paper_pdf", args=[application.pk, "refusal"])
    assert acceptance in page and refusal not in page
    response = client.get(acceptance)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert client.get(refusal).status_code == 404  # not refused
    assert (
        client.get(reverse("approvals:decision_paper_pdf", args=[application.pk, "other"])).status_code == 404
    )


def test_another_township_gets_404(client, cases, world):
    application = rejected(cases, world)
    client.force_login(world.clerk_b)
    for kind in ("acceptance", "refusal"):
        assert (
            client.get(reverse("approvals:decision_paper_pdf", args=[application.pk, kind])).status_code
            == 404
        )


def test_the_villager_opens_the_written_decision_from_the_tracking_page(client, cases, world):
    application = rejected(cases, world)
    url = reverse("tracking:paper", args=[application.number, "refusal"])
    # Not yet proven: back to the form, no paper.
    assert client.get(url).status_code == 302
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.post(reverse("tracking:form"), {"number": application.number, "last4": "5678"})
    page = client.get(reverse("tracking:detail", args=[application.number])).content.decode()
    assert url in page and "The written decision says where" in page
    response = client.get(url)
    assert response.status_code == 200
    assert "不予给付决定书" in flat(response.content)
