"""A county home with a service guide and two items, on top of the shared `world`."""

import datetime

import pytest
from wagtail.models import Page, Site

from cms.models import CountyHomePage
from services_catalog.models import (
    Delegation,
    DelegationMode,
    ItemType,
    LegalBasis,
    Material,
    ServiceGuideIndexPage,
    ServiceItemPage,
)
from tests.sharing import shareable, shared


def make_item(
    guide, department, *, code: str, title: str, village_proxy: bool = True, **fields
) -> ServiceItemPage:
    item = ServiceItemPage(
        title=title,
        slug=code.lower(),
        item_code=code,
        item_type=ItemType.BENEFIT,
        department=department,
        summary="困难家庭可以申请。",
        conditions="具有本区户籍\n家庭人均收入低于当地低保标准",
        steps="向村级代办员提出申请\n乡镇受理审核\n公示\n审批",
        legal_limit_days=30,
        promised_limit_days=20,
        village_proxy=village_proxy,
        consult_phone="022-29240101",
        complaint_phone="12345",
        **fields,
    )
    item.materials = [
        Material(name="居民身份证", form=Material.Form.BOTH, copies=1),
        Material(name="户口簿", form=Material.Form.COPY, copies=1),
        Material(name="家庭收入情况声明", required=False, may_be_missing=True, notes="村级代办员可代填"),
    ]
    item.legal_bases = [LegalBasis(text="《社会救助暂行办法》第九条")]
    guide.add_child(instance=item)
    item.save_revision().publish()
    return item


def build_guide(world) -> ServiceGuideIndexPage:
    root = Page.get_first_root_node()
    home = root.add_child(instance=CountyHomePage(title="宝坻区", slug="baodi", region=world.county))
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "root_page": home, "port": 80}
    )
    return home.add_child(instance=ServiceGuideIndexPage(title="办事指南", slug="guide"))


@pytest.fixture
def guide(request, world):
    """The county home and its service guide, built once per module (tests/sharing.py)."""
    return shared(request, "guide")


@pytest.fixture
def dibao(request, guide, world):
    return shared(request, "dibao")


shareable("guide", guide)(lambda get: build_guide(get("world")))
shareable("dibao", dibao)(
    lambda get: make_item(get("guide"), get("world").d1, code="120115-JF-001", title="最低生活保障审核确认")
)


def delegate_item(
    item,
    centres,
    *,
    mode=DelegationMode.ENTRUSTMENT,
    valid_from=None,
    valid_until=None,
    revoked_on=None,
    number="宝坻政发〔2024〕12号",
) -> Delegation:
    delegation = Delegation.objects.create(
        item=item,
        department=item.department,
        mode=mode,
        document_number=number,
        valid_from=valid_from or datetime.date(2024, 3, 1),
        valid_until=valid_until,
        revoked_on=revoked_on,
    )
    delegation.centres.set(centres)
    return delegation


@pytest.fixture
def delegate(world):
    return delegate_item
