"""A small catalogue on top of the shared `world`, with the villagers' words for it.

Page root
└── 宝坻区 CountyHomePage (baodi, default site root)
    └── 办事指南 ServiceGuideIndexPage (guide)
        ├── 最低生活保障审核确认            (D1, benefit)        ← 低保
        ├── 农村宅基地和建房（规划许可）审批  (D1, licensing)      ← 盖房子
        ├── 城乡居民基本医疗保险参保登记      (D2, public service) ← 医保
        ├── 城乡居民基本养老保险参保登记      (D2, public service) ← 养老保险
        ├── 残疾人证办理                    (D1, confirmation)   ← 残疾证
        ├── 特困人员认定                    (D1, confirmation)
        ├── 临时救助                        (D1, benefit)
        └── 高龄津贴发放                    (D1, benefit)

Every item is published with `save_revision().publish()`, so the index is filled by the same
signal a publish in the back office sends.
"""

from dataclasses import dataclass

import pytest
from wagtail.models import Page, Site

from cms.models import CountyHomePage
from services_catalog.models import (
    ItemType,
    LegalBasis,
    Material,
    ServiceGuideIndexPage,
    ServiceItemPage,
    Synonym,
)
from tests.sharing import shareable, shared

LOW_INCOME = "最低生活保障审核确认"
HOUSING = "农村宅基地和建房（规划许可）审批"
MEDICAL = "城乡居民基本医疗保险参保登记"
PENSION = "城乡居民基本养老保险参保登记"
DISABILITY = "残疾人证办理"
EXTREME_POVERTY = "特困人员认定"
TEMPORARY_RELIEF = "临时救助"
OLD_AGE = "高龄津贴发放"

SYNONYMS = {
    "低保": "最低生活保障",
    "盖房子": "宅基地建房",
    "医保": "基本医疗保险",
    "残疾证": "残疾人证",
    "养老保险": "基本养老保险",
}

ITEMS = [
    # title, type, department attribute, summary, materials
    (
        LOW_INCOME,
        ItemType.BENEFIT,
        "d1",
        "家庭人均收入低于当地低保标准的困难家庭，可以申请最低生活保障金。",
        ["居民身份证", "户口簿", "家庭收入情况声明"],
    ),
    (
        HOUSING,
        ItemType.LICENSING,
        "d1",
        "农村村民在本村申请宅基地新建、翻建住房，先办宅基地和乡村建设规划许可。",
        ["农村宅基地和建房（规划许可）申请表", "户口簿", "建房设计图"],
    ),
    (
        MEDICAL,
        ItemType.PUBLIC_SERVICE,
        "d2",
        "没有职工医保的城乡居民，在每年集中缴费期参加居民医保。",
        ["居民身份证"],
    ),
    (
        PENSION,
        ItemType.PUBLIC_SERVICE,
        "d2",
        "年满16周岁、未参加职工养老保险的城乡居民，可以参加居民养老保险。",
        ["居民身份证", "户口簿"],
    ),
    (
        DISABILITY,
        ItemType.CONFIRMATION,
        "d1",
        "残疾人申请办理或换领中华人民共和国残疾人证。",
        ["居民身份证", "近期免冠照片", "残疾评定表"],
    ),
    (
        EXTREME_POVERTY,
        ItemType.CONFIRMATION,
        "d1",
        "无劳动能力、无生活来源、无法定赡养扶养义务人的老年人、残疾人和未成年人，申请救助供养。",
        ["居民身份证", "户口簿"],
    ),
    (
        TEMPORARY_RELIEF,
        ItemType.BENEFIT,
        "d1",
        "因火灾、交通事故、突发重大疾病等导致基本生活暂时出现严重困难的家庭，可以申请临时救助。",
        ["居民身份证", "困难情况证明材料"],
    ),
    (
        OLD_AGE,
        ItemType.BENEFIT,
        "d1",
        "80周岁以上的老年人按月领取高龄津贴。",
        ["居民身份证"],
    ),
]


@dataclass
class Catalogue:
    home: CountyHomePage
    guide: ServiceGuideIndexPage
    items: dict[str, ServiceItemPage]

    def add_item(self, title: str, *, department, publish: bool = True, n: int | None = None, **fields):
        return make_item(
            self.guide, title, department=department, publish=publish, n=n or len(self.items) + 1, **fields
        )


def make_item(
    guide: ServiceGuideIndexPage,
    title: str,
    *,
    department,
    n: int,
    publish: bool = True,
    item_type: str = ItemType.BENEFIT,
    summary: str = "",
    materials: list[str] = (),
) -> ServiceItemPage:
    item = ServiceItemPage(
        title=title,
        slug=f"item-{n}",
        item_code=f"120115-SX-{n:03d}",
        item_type=item_type,
        department=department,
        summary=summary,
        conditions="具有本区户籍\n按规定提交申请材料",
        steps="向村级代办员提出申请\n乡镇便民服务中心受理\n部门审核办结",
        legal_limit_days=20,
        promised_limit_days=10,
        live=False,
    )
    item.legal_bases = [LegalBasis(text="《社会救助暂行办法》")]
    item.materials = [Material(name=name) for name in materials]
    guide.add_child(instance=item)
    revision = item.save_revision()
    if publish:
        revision.publish()
        item.refresh_from_db()
    return item


@pytest.fixture
def synonyms(request, db) -> list[Synonym]:
    return shared(request, "synonyms")


@pytest.fixture
def catalogue(request, world, synonyms) -> Catalogue:
    """The county's guide with its items, built once per module (tests/sharing.py)."""
    return shared(request, "catalogue")


def build_catalogue(world) -> Catalogue:
    root = Page.get_first_root_node()
    home = root.add_child(instance=CountyHomePage(title="宝坻区", slug="baodi", region=world.county))
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "port": 80, "root_page": home}
    )
    guide = home.add_child(instance=ServiceGuideIndexPage(title="办事指南", slug="guide"))
    items = {}
    for n, (title, item_type, department, summary, materials) in enumerate(ITEMS, start=1):
        items[title] = make_item(
            guide,
            title,
            department=getattr(world, department),
            n=n,
            item_type=item_type,
            summary=summary,
            materials=materials,
        )
    return Catalogue(home=home, guide=guide, items=items)


shareable("synonyms", synonyms)(
    lambda get: [Synonym.objects.create(phrase=phrase, means=means) for phrase, means in SYNONYMS.items()]
)
shareable("catalogue", catalogue)(lambda get: (get("synonyms"), build_catalogue(get("world")))[1])
