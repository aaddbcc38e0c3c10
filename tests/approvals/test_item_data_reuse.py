# ruff: noqa: F811 (the fixtures imported from tests.approvals.conftest are used as arguments)
"""免提交 (issue 19, part 6): with the villager's consent, a draft reuses what they handed in for
an earlier application (an ID card scan, the 户口簿, a bank account) instead of handing it in again,
and the clerk sees where it came from and when.

    张小明 (village A1) ── earlier: 低保 application, submitted by assistant_a1, with
    │                       居民身份证 and 户口簿 scans, a bank account and a spouse
    └── now: a draft for 宅基地建房 by assistant_a1 (same county)
    elsewhere: another villager's application at A1; 张小明's application at B1 (assistant_b1, which
    assistant_a1 cannot see); a draft of another assistant of A1; a draft in another county.
"""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from approvals import item_data, selectors, services
from approvals.models import Application, ApplicationEvent, ApplicationFile
from approvals.reuse import material_key
from approvals.services import MissingItem
from approvals.states import Act
from portal.errors import DomainError, NotPermitted
from portal.offices.models import OfficeKind
from portal.people.roles import Role
from portal.people.services import membership_create, resident_register
from portal.places.models import RegionLevel
from services_catalog.item_forms.schema import digest
from services_catalog.models import ItemFormVersion
from tests.approvals.conftest import (  # noqa: F401 (fixtures)
    cases,
    delegate,
    dibao,
    guide,
    items,
    png_upload,
    residents,
)
from tests.factories import OfficeFactory, RegionFactory, UserFactory, make_id_number

pytestmark = pytest.mark.django_db

DAY = datetime.datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
ACCOUNT = "6228480402564890018"
FORM = {
    "sections": [
        {
            "title": "补贴发放",
            "fields": [
                {"key": "bank", "kind": "bank_account", "label": "补贴发放账户"},
                {"key": "spouse", "kind": "person", "label": "配偶"},
            ],
        }
    ]
}


@pytest.fixture(autouse=True)
def fixed_day():
    with time_machine.travel(DAY, tick=True):
        yield


@pytest.fixture(autouse=True)
def in_english():
    """The services' refusals in English, so the assertions read the same in any catalog."""
    with translation.override("en"):
        yield


@pytest.fixture
def forms(items):
    for item in (items["dibao"], items["housing"]):
        ItemFormVersion.objects.create(
            item=item, number=1, definition=FORM, digest=digest(FORM), published_at=timezone.now()
        )


def file_for(world, application, resident, *, assistant=None, typed=False, form=True):
    """A draft of `application`'s kind for `resident` with both material scans and the answers."""
    assistant = assistant or world.assistant_a1
    if typed:
        services.draft_update(
            actor=assistant,
            application=application,
            resident=resident,
            typed_name=resident.name,
            typed_mobile=resident.mobile,
        )
    else:
        services.draft_update(actor=assistant, application=application, resident=resident)
    for material in application.item.materials.filter(required=True, may_be_missing=False):
        services.file_attach(
            actor=assistant,
            application=application,
            kind=ApplicationFile.Kind.MATERIAL,
            material=material,
            uploaded=png_upload(f"{material.name}.png"),
        )
    services.file_attach(
        actor=assistant,
        application=application,
        kind=ApplicationFile.Kind.CONSENT,
        uploaded=png_upload("授权.png"),
    )
    if form:
        services.item_data_save(
            actor=assistant,
            application=application,
            raw={
                "bank.bank": "农村商业银行宝坻支行",
                "bank.account": ACCOUNT,
                "bank.holder": resident.name,
                "spouse.name": "王小红",
                "spouse.id_number": make_id_number(birth="19800101", order=404),
                "spouse.relation": "配偶",
            },
        )
    return Application.objects.get(pk=application.pk)


def earlier(world, items, residents, *, resident=None, assistant=None, village=None, submit=True):
    assistant = assistant or world.assistant_a1
    draft = services.draft_start(actor=assistant, item=items["dibao"], village=village or world.village_a1)
    resident = resident or residents["a1"]
    draft = file_for(
        world, draft, resident, assistant=assistant, typed=resident.village_id != draft.village_id
    )
    if submit:
        draft, _ = services.application_submit(actor=assistant, application=draft)
    return draft


def target(world, items, residents) -> Application:
    draft = services.draft_start(actor=world.assistant_a1, item=items["housing"], village=world.village_a1)
    services.draft_update(actor=world.assistant_a1, application=draft, resident=residents["a1"])
    return selectors.application_detail_for(world.assistant_a1, draft.pk)


def test_offers_the_earlier_scans_and_answers_masked(world, items, residents, forms):
    source = earlier(world, items, residents)
    draft = target(world, items, residents)
    offers = selectors.reuse_offers(world.assistant_a1, draft)
    assert sorted(o.material.name for o in offers.files) == ["居民身份证", "户口簿"]
    assert {o.source.application for o in offers.files} == {source}
    assert [(o.key, o.source) for o in offers.facts] == [("bank", source), ("spouse", source)]
    bank = offers.facts[0]
    assert ACCOUNT not in bank.text and "****0018" in bank.text


def test_a_file_is_reused_with_consent(world, items, residents, forms):
    source = earlier(world, items, residents)
    draft = target(world, items, residents)
    scan = next(
        o.source
        for o in selectors.reuse_offers(world.assistant_a1, draft).files
        if o.material.name == "户口簿"
    )
    reused = services.material_reuse(
        actor=world.assistant_a1, application=draft, source_file=scan, consent_note="村民当面口头同意"
    )
    assert reused.application == draft and reused.reused_from == scan
    assert (reused.file.name, reused.sha256, reused.size, reused.content_type, reused.display_name) == (
        scan.file.name,
        scan.sha256,
        scan.size,
        scan.content_type,
        scan.display_name,
    )
    assert reused.material.page_id == items["housing"].pk and reused.material.name == "户口簿"
    event = ApplicationEvent.objects.get(application=draft, act=Act.REUSED)
    assert event.actor == world.assistant_a1
    assert event.data == {
        "source": source.number,
        "file": "户口簿.png",
        "material": "户口簿",
        "source_date": "2026-12-07",
        "consent": "村民当面口头同意",
    }
    remaining = selectors.reuse_offers(world.assistant_a1, draft).files
    assert [o.material.name for o in remaining] == ["居民身份证"]  # not offered twice
    with pytest.raises(DomainError, match="already on the application"):
        services.material_reuse(
            actor=world.assistant_a1, application=draft, source_file=scan, consent_note="同意"
        )


def test_a_bank_account_is_reused_with_consent(world, items, residents, forms):
    source = earlier(world, items, residents)
    draft = target(world, items, residents)
    services.fact_reuse(
        actor=world.assistant_a1,
        application=draft,
        source_application=source,
        key="bank",
        consent_note="村民签字同意",
    )
    draft.refresh_from_db()
    assert item_data.full_data(draft)["bank"] == {
        "bank": "农村商业银行宝坻支行",
        "account": ACCOUNT,
        "holder": "张小明",
    }
    assert draft.item_data["bank"]["account"] == "****0018"  # sealed again
    assert ACCOUNT not in str(draft.item_data)
    event = ApplicationEvent.objects.get(application=draft, act=Act.REUSED)
    assert event.data["source"] == source.number and event.data["key"] == "bank"
    assert event.data["consent"] == "村民签字同意" and event.data["source_date"] == "2026-12-07"
    assert ACCOUNT not in str(event.data)
    assert [o.key for o in selectors.reuse_offers(world.assistant_a1, draft).facts] == ["spouse"]


def test_nothing_is_reused_without_consent(world, items, residents, forms, client):
    source = earlier(world, items, residents)
    draft = target(world, items, residents)
    scan = source.files.filter(kind=ApplicationFile.Kind.MATERIAL).first()
    with pytest.raises(DomainError, match="must agree"):
        services.material_reuse(
            actor=world.assistant_a1, application=draft, source_file=scan, consent_note=" "
        )
    with pytest.raises(DomainError, match="must agree"):
        services.fact_reuse(
            actor=world.assistant_a1,
            application=draft,
            source_application=source,
            key="bank",
            consent_note="",
        )
    client.force_login(world.assistant_a1)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        reverse("approvals:reuse", args=[draft.pk]),
        {"materials": [scan.pk], "answers": [f"{source.pk}:bank"]},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "nothing is reused without their consent" in html
    assert re.search(rf'value="{scan.pk}"[^>]*checked', html)  # what was ticked stays ticked
    assert not draft.files.exists()
    assert not ApplicationEvent.objects.filter(application=draft, act=Act.REUSED).exists()
    assert item_data.full_data(Application.objects.get(pk=draft.pk)) == {}


def _another_county(world):
    county = RegionFactory(code="120116000000", name="滨海新区", level=RegionLevel.COUNTY)
    township = RegionFactory(code="120116101000", name="新城镇", level=RegionLevel.TOWNSHIP, parent=county)
    village = RegionFactory(code="120116101201", name="新城村", level=RegionLevel.VILLAGE, parent=township)
    station = OfficeFactory(name="新城村便民服务站", kind=OfficeKind.STATION, region=village)
    membership_create(actor=None, user=world.assistant_a1, office=station, role=Role.VILLAGE_ASSISTANT)
    return village


def test_sources_outside_the_rule_are_neither_offered_nor_used(world, items, residents, forms, client):
    """Another villager's application, the villager's application at B1 (not visible to
    assistant_a1), another assistant's draft at A1, and the assistant's own draft in another county."""
    other_villager, _ = resident_register(
        actor=None,
        name="赵四",
        id_number=make_id_number(order=303),
        mobile="13811112222",
        village=world.village_a1,
    )
    colleague = UserFactory(username="assistant_a1b", name="assistant_a1b")
    membership_create(actor=None, user=colleague, office=world.station_a1, role=Role.VILLAGE_ASSISTANT)
    outside = [
        earlier(world, items, residents, resident=other_villager),
        earlier(world, items, residents, assistant=world.assistant_b1, village=world.village_b1),
        earlier(world, items, residents, assistant=colleague, submit=False),
        earlier(world, items, residents, village=_another_county(world), submit=False),
    ]
    draft = target(world, items, residents)
    assert not selectors.reuse_offers(world.assistant_a1, draft)
    for source in outside:
        scan = source.files.filter(kind=ApplicationFile.Kind.MATERIAL).first()
        with pytest.raises(NotPermitted):
            services.material_reuse(
                actor=world.assistant_a1, application=draft, source_file=scan, consent_note="同意"
            )
        with pytest.raises(NotPermitted):
            services.fact_reuse(
                actor=world.assistant_a1,
                application=draft,
                source_application=source,
                key="bank",
                consent_note="同意",
            )
    client.force_login(world.assistant_a1)
    hidden = outside[1].files.filter(kind=ApplicationFile.Kind.MATERIAL).first()
    response = client.post(
        reverse("approvals:reuse", args=[draft.pk]),
        {"materials": [hidden.pk], "answers": [f"{outside[1].pk}:bank"], "consent": "on"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and outside[1].number not in html and hidden.display_name not in html
    assert not draft.files.exists()
    assert not ApplicationEvent.objects.filter(application=draft, act=Act.REUSED).exists()


def test_the_page_is_only_for_the_filer(world, items, residents, forms, client):
    draft = target(world, items, residents)
    for person in (world.assistant_b1, world.clerk_a, world.outsider):
        client.force_login(person)
        assert client.get(reverse("approvals:reuse", args=[draft.pk])).status_code == 404


def test_reuse_through_the_page_and_the_clerk_sees_the_origin(world, items, residents, forms, client):
    source = earlier(world, items, residents)
    draft = target(world, items, residents)
    client.force_login(world.assistant_a1)
    page = client.get(reverse("approvals:reuse", args=[draft.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "****0018" in html and ACCOUNT not in html
    offers = selectors.reuse_offers(world.assistant_a1, draft)
    response = client.post(
        reverse("approvals:reuse", args=[draft.pk]),
        {
            "materials": [o.source.pk for o in offers.files],
            "answers": [o.token for o in offers.facts],
            "consent": "on",
            "consent_note": "",
        },
    )
    assert response.status_code == 302 and response.url == reverse("approvals:edit", args=[draft.pk])
    events = ApplicationEvent.objects.filter(application=draft, act=Act.REUSED)
    assert events.count() == 4
    assert {e.data["consent"] for e in events} == {"村民当面口头同意"}  # the page's default note
    draft.refresh_from_db()
    assert item_data.full_data(draft)["spouse"]["relation"] == "配偶"
    services.file_attach(
        actor=world.assistant_a1,
        application=draft,
        kind=ApplicationFile.Kind.CONSENT,
        uploaded=png_upload("授权.png"),
    )
    submitted, _ = services.application_submit(actor=world.assistant_a1, application=draft)
    client.force_login(world.clerk_a)
    with translation.override("zh-hans"):
        detail = client.get(reverse("approvals:detail", args=[submitted.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = detail.content.decode()
    assert f"免提交：来自 {source.number}（2026-12-07）" in html  # beside each reused file
    assert f"户口簿来自{source.number}（2026-12-07）；村民同意：村民当面口头同意" in html  # the history


def test_the_page_queries_do_not_grow_with_sources(
    world, items, residents, forms, client, django_assert_max_num_queries
):
    earlier(world, items, residents)
    draft = target(world, items, residents)
    client.force_login(world.assistant_a1)
    url = reverse("approvals:reuse", args=[draft.pk])
    client.get(url)  # the session and the caches are warm
    # The session, the user and their devices, the draft (application_detail_for), the two
    # permission lookups (FILE), the item's materials, the draft's files, the sources' files, the
    # draft's form, the sources with their forms, and the session saved again (savepoint, update,
    # release): 14, however many earlier applications the villager has.
    with django_assert_max_num_queries(14):
        client.get(url)
    newest = [earlier(world, items, residents) for _ in range(3)][-1]
    with django_assert_max_num_queries(14):
        response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('type="checkbox" name="materials"') == 2  # the same scans, offered once
    assert newest.number in html  # from the newest application


def test_material_names_match_as_checklists_write_them():
    assert material_key("户口簿（首页及本人页）") == material_key("户口簿") == material_key(" 户口簿 ")
    assert material_key("居民身份证(复印件)") == "居民身份证"
    assert material_key("户口簿") != material_key("居民身份证")


def test_after_a_return_files_may_be_reused_but_not_answers(world, items, residents, forms):
    source = earlier(world, items, residents)
    returned = earlier(world, items, residents)  # dibao again, the villager's later application
    card = returned.files.get(material__name="居民身份证")
    services.application_return(
        actor=world.clerk_a,
        application=returned,
        items=[MissingItem(material=card.material, reason="身份证照片不清楚")],
    )
    services.file_remove(actor=world.assistant_a1, application=returned, file=card)
    returned = selectors.application_detail_for(world.assistant_a1, returned.pk)
    offers = selectors.reuse_offers(world.assistant_a1, returned)
    assert not offers.facts  # the form is changed only where the notice asks, by typing (补正)
    scan = next(o.source for o in offers.files if o.material.name == "居民身份证")
    assert scan.application == source
    services.material_reuse(
        actor=world.assistant_a1, application=returned, source_file=scan, consent_note="同意"
    )
    assert not services.resubmission_problems(Application.objects.get(pk=returned.pk))
    with pytest.raises(DomainError):
        services.fact_reuse(
            actor=world.assistant_a1,
            application=returned,
            source_application=source,
            key="bank",
            consent_note="同意",
        )
