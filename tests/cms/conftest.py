"""The county's page tree on top of the shared `world`, and a second county to keep out of.

Page root
├── 宝坻区 CountyHomePage (baodi, default site root; world.county 120115000000)
│   ├── 政策文件 PolicyIndexPage (policies)
│   ├── 新闻动态 NewsIndexPage (news)
│   └── 办事指南 ServiceGuideIndexPage (guide) ── 最低生活保障审核确认 ServiceItemPage
└── 右江区 CountyHomePage (youjiang; 451002000000, another county)
    └── 政策文件 PolicyIndexPage (policies)

Editors: world.editor and `second_editor` (both at 区政务服务办, so both in
"Cunban editors of 120115"), `youjiang_editor` (in "Cunban editors of 451002"). Every editor has
an email address so that Wagtail's notifications are written.
"""

import datetime
from dataclasses import dataclass

import pytest
from wagtail.models import Page, Site

from cms.models import CountyHomePage, NewsIndexPage, NewsPage, PolicyIndexPage, PolicyPage
from portal.offices.models import OfficeKind
from portal.people.models import User
from portal.people.roles import Role
from portal.people.services import membership_create
from portal.places.models import RegionLevel
from services_catalog.models import ItemType, LegalBasis, ServiceGuideIndexPage, ServiceItemPage
from tests.factories import OfficeFactory, RegionFactory, UserFactory
from tests.sharing import shareable, shared


def with_email(user: User) -> User:
    user.email = f"{user.username}@cunban.example"
    user.save(update_fields=["email"])
    return user


@dataclass
class Tree:
    home: CountyHomePage
    policies: PolicyIndexPage
    news: NewsIndexPage
    guide: ServiceGuideIndexPage
    item: ServiceItemPage


@pytest.fixture
def tree(request, world) -> Tree:
    """The county's pages, built once per module (tests/sharing.py)."""
    return shared(request, "tree")


def build_tree(world) -> Tree:
    root = Page.get_first_root_node()
    home = root.add_child(instance=CountyHomePage(title="宝坻区", slug="baodi", region=world.county))
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "port": 80, "root_page": home}
    )
    policies = home.add_child(instance=PolicyIndexPage(title="政策文件", slug="policies"))
    news = home.add_child(instance=NewsIndexPage(title="新闻动态", slug="news"))
    guide = home.add_child(instance=ServiceGuideIndexPage(title="办事指南", slug="guide"))
    item = ServiceItemPage(
        title="最低生活保障审核确认",
        slug="dibao",
        item_code="120115-JF-001",
        item_type=ItemType.BENEFIT,
        department=world.d1,
        conditions="具有本区户籍\n家庭人均收入低于当地低保标准",
        steps="向村级代办员提出申请\n乡镇受理审核\n审批",
        legal_limit_days=30,
        promised_limit_days=20,
    )
    item.legal_bases = [LegalBasis(text="《社会救助暂行办法》第九条")]
    guide.add_child(instance=item)
    item.save_revision().publish()
    return Tree(home=home, policies=policies, news=news, guide=guide, item=item)


shareable("tree", tree)(lambda get: build_tree(get("world")))


@pytest.fixture
def editor(world) -> User:
    return with_email(world.editor)


@pytest.fixture
def second_editor(world) -> User:
    user = UserFactory(username="editor_2", name="第二编辑")
    membership_create(actor=None, user=user, office=world.ds, role=Role.EDITOR)
    return with_email(user)


@pytest.fixture
def youjiang(db) -> CountyHomePage:
    """A second county (百色市右江区) with its own home page and policy list."""
    county = RegionFactory(code="451002000000", name="右江区", level=RegionLevel.COUNTY)
    home = Page.get_first_root_node().add_child(
        instance=CountyHomePage(title="右江区", slug="youjiang", region=county)
    )
    home.add_child(instance=PolicyIndexPage(title="政策文件", slug="policies"))
    return home


@pytest.fixture
def youjiang_editor(youjiang) -> User:
    office = OfficeFactory(
        name="百色市右江区政务服务管理局", kind=OfficeKind.DEPARTMENT, region=youjiang.region
    )
    user = UserFactory(username="editor_yj", name="右江编辑")
    membership_create(actor=None, user=user, office=office, role=Role.EDITOR)
    return with_email(user)


def make_policy(index: PolicyIndexPage, *, n: int = 1, publish: bool = True, **fields) -> PolicyPage:
    values = {
        "title": f"关于调整城乡低保标准的通知（{n}）",
        "slug": f"policy-{n}",
        "summary": "自2024年起，城乡低保标准统一提高。",
        "body": "<p>各镇人民政府，区各有关单位：</p><p>现将有关事项通知如下。</p>",
        "effective_date": datetime.date(2024, 1, 1) + datetime.timedelta(days=n),
        "issuing_body": "天津市宝坻区人民政府办公室",
        "document_number": f"宝坻政办发〔2024〕{n}号",
        "live": False,  # Page.live defaults to True; a page is live once published
    }
    values.update(fields)
    policy = index.add_child(instance=PolicyPage(**values))
    if publish:
        policy.save_revision().publish()
    return policy


def make_news(index: NewsIndexPage, *, n: int = 1) -> NewsPage:
    news = index.add_child(
        instance=NewsPage(
            title=f"便民服务中心调整办公时间（{n}）",
            slug=f"news-{n}",
            date=datetime.date(2024, 5, 1) + datetime.timedelta(days=n),
            summary="国庆假期期间窗口照常受理。",
            body="<p>详情请咨询各镇便民服务中心。</p>",
            live=False,
        )
    )
    news.save_revision().publish()
    return news
