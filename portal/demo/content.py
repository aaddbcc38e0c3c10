"""Demo pages: the county home, its service guide (imported from the demo catalogue), policy
pages and news. Keyed by slug, so loading again changes nothing."""

import datetime
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.models import Page, Site

from cms.models import CountyHomePage, NewsIndexPage, NewsPage, PolicyIndexPage, PolicyPage
from portal.places.models import Region
from portal.printing.layout import Paper, render
from services_catalog.catalogue_io.services import catalogue_import
from services_catalog.models import Material, ServiceItemPage
from services_catalog.search.services import search_index_rebuild

DEMO_CATALOGUE = Path(settings.BASE_DIR) / "services_catalog" / "demo_catalogue"

POLICIES = [
    {
        "slug": "dibao-2025",
        "title": "关于调整城乡居民最低生活保障标准的通知",
        "summary": "自2025年7月1日起，城乡低保标准统一调整，低保家庭按新标准领取。",
        "issuing_body": "天津市宝坻区民政局",
        "document_number": "宝坻民发〔2025〕9号",
        "effective_date": datetime.date(2025, 7, 1),
        "body": "<p>根据全市统一部署，自2025年7月1日起调整城乡居民最低生活保障标准。已经领取低保金的家庭不需要重新申请，"
        "差额部分由区民政局统一补发。</p><p>新申请低保的家庭，可以请村级代办员免费代为申请。</p>",
        "items": ["最低生活保障审核确认", "特困人员认定"],
    },
    {
        "slug": "nongshi-cunban",
        "title": "宝坻区推行“农事村办”代办服务的实施意见",
        "summary": "每个村设便民服务站和村级事务助理，群众办事由代办员免费代办，实现群众动嘴、干部跑腿。",
        "issuing_body": "天津市宝坻区人民政府办公室",
        "document_number": "宝坻政办发〔2024〕3号",
        "effective_date": datetime.date(2024, 3, 1),
        "body": "<p>在各镇便民服务中心和各村便民服务站推行“一站三中心”工作模式，村级事务助理为群众免费代办政务服务事项。</p>"
        "<p>代办事项清单由区政务服务办公室统一公布，并根据权限下放情况动态调整。</p>",
        "items": ["最低生活保障审核确认", "临时救助"],
    },
    {
        "slug": "yibao-2026",
        "title": "2026年度城乡居民基本医疗保险参保缴费的通告",
        "summary": "2026年度城乡居民医保集中缴费期为2025年9月至12月，可以请村级代办员帮助办理参保登记。",
        "issuing_body": "天津市宝坻区医疗保障局",
        "document_number": "宝坻医保发〔2025〕6号",
        "effective_date": datetime.date(2025, 9, 1),
        "body": "<p>城乡居民应在集中缴费期内完成参保缴费，享受待遇期为2026年1月1日至12月31日。</p>"
        "<p>特困人员、低保对象等困难群众的个人缴费部分按规定给予资助。</p>",
        "items": ["基本医疗保险参保登记"],
    },
    {
        "slug": "gaoling-jintie",
        "title": "宝坻区高龄津贴发放办法",
        "summary": "年满80周岁的本区户籍老年人可以申领高龄津贴，由村级代办员代为申请。",
        "issuing_body": "天津市宝坻区民政局",
        "document_number": "宝坻民发〔2024〕21号",
        "effective_date": datetime.date(2024, 10, 1),
        "body": "<p>高龄津贴按月发放到老年人社会保障卡。行动不便的老年人，可由村级代办员上门采集材料、代为申请。</p>",
        "items": ["高龄津贴"],
    },
    {
        "slug": "zhaijidi",
        "title": "宝坻区农村宅基地和建房审批管理办法（试行）解读",
        "summary": "农村村民建房实行乡镇审批，郝各庄镇、霍各庄镇已承接审批权限，审批前需现场勘查和公示。",
        "issuing_body": "天津市宝坻区农业农村委员会",
        "document_number": "宝坻农发〔2024〕15号",
        "effective_date": datetime.date(2024, 5, 1),
        "body": "<p>一户只能拥有一处宅基地。村民申请建房，经村民代表会议讨论通过并公示后，报镇政府审批。</p>"
        "<p>审批过程中的现场勘查和公示时间不计入办理时限。</p>",
        "items": ["宅基地和建房"],
    },
]

NEWS = [
    {
        "slug": "daiban-2026",
        "title": "全区村级代办员培训完成，代办事项扩大到37项",
        "summary": "区政务服务办公室组织全区村级事务助理集中培训，可在村里代办的事项扩大到37项。",
        "date": datetime.date(2026, 10, 20),
        "body": "<p>培训内容包括办事指南、材料审核和一次性告知。村民可在“找代办员”页面找到本村代办员的电话。</p>",
    },
]


def _child(parent: Page, model, slug: str, **fields):
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is None:
        page = parent.add_child(instance=model(slug=slug, **fields))
    return page


def load_demo_pages(*, county: Region, admin, progress: Callable[[str], None]) -> None:
    root = Page.get_first_root_node()
    home = CountyHomePage.objects.filter(region=county).first() or root.add_child(
        instance=CountyHomePage(title=f"{county.name}村办", slug="baodi", region=county)
    )
    site = Site.objects.filter(is_default_site=True).first()
    old_root = site.root_page if site else None
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "村办"},
    )
    if (
        old_root is not None
        and old_root.pk != home.pk
        and old_root.depth == 2
        and not old_root.get_children().exists()
    ):
        old_root.delete()  # Wagtail's "Welcome to your new Wagtail site!" page

    report = catalogue_import(actor=admin, source=DEMO_CATALOGUE, county_home=home)
    if not report.ok:
        raise RuntimeError(f"the demo catalogue did not import: {report.problems[:5]}")
    progress(f"service guide: {ServiceItemPage.objects.live().count()} items")
    attached = _attach_forms(admin)
    progress(f"blank forms and filled samples: {attached} materials")

    policies = _child(
        home, PolicyIndexPage, "policies", title="政策文件", intro="与办事有关的政策文件和解读。"
    )
    for data in POLICIES:
        if PolicyPage.objects.child_of(policies).filter(slug=data["slug"]).exists():
            continue
        fields = {key: value for key, value in data.items() if key not in {"slug", "items"}}
        page = policies.add_child(instance=PolicyPage(slug=data["slug"], **fields))
        page.related_items.set(
            [
                item
                for words in data["items"]
                for item in ServiceItemPage.objects.filter(title__contains=words)[:2]
            ]
        )
        page.save_revision(user=admin).publish()
    news = _child(home, NewsIndexPage, "news", title="工作动态")
    for data in NEWS:
        if not NewsPage.objects.child_of(news).filter(slug=data["slug"]).exists():
            page = news.add_child(instance=NewsPage(**data))
            page.save_revision(user=admin).publish()
    progress(f"{len(POLICIES)} policy pages, {len(NEWS)} news")

    stats = search_index_rebuild()
    progress(f"search index: {stats.pages} pages, {stats.terms} terms")


# Items whose application form has a blank form and a filled sample (空白表格 / 示范文本) to
# download from the guide; the form is the item's first material.
ITEMS_WITH_FORMS = ("120115-JF-001", "120115-JF-002", "120115-JF-006", "120115-GG-002", "120115-XK-001")
_FORM_ROWS = (
    "申请人姓名",
    "公民身份号码",
    "户籍地址",
    "联系电话",
    "申请理由",
    "申请人签字（按手印）",
    "申请日期",
)
_SAMPLE_VALUES = (
    "张某某",
    "120115************",
    "天津市宝坻区郝各庄镇西郝各庄村",
    "138********",
    "家庭成员因病无劳动能力，家庭收入低于当地标准。",
    "张某某",
    "2026年1月5日",
)


def _form_pdf(title: str, *, sample: bool) -> bytes:
    values = _SAMPLE_VALUES if sample else ("",) * len(_FORM_ROWS)
    return render(
        [
            Paper(
                title=title,
                subtitle="示范文本" if sample else "",
                rows=tuple(zip(_FORM_ROWS, values, strict=True)),
                closing=("本人承诺以上内容真实，如有虚假愿承担相应责任。",),
                watermark="示范文本" if sample else "",
            )
        ],
        title=title,
    )


def _attach_forms(admin) -> int:
    """A blank form and a filled sample for the application form of a few items: documents
    the guide page offers for download. Keyed by document title, so loading again adds none."""
    document_model = get_document_model()
    materials = Material.objects.filter(page__item_code__in=ITEMS_WITH_FORMS, sort_order=0).select_related(
        "page"
    )
    attached = 0
    for material in materials:
        documents = []
        for sample in (False, True):
            title = f"{material.name}（{'示范文本' if sample else '空白表格'}）"
            document = document_model.objects.filter(title=title).first()
            if document is None:
                document = document_model(title=title, uploaded_by_user=admin)
                suffix = "sample" if sample else "blank"
                document.file.save(
                    f"{material.page.item_code.lower()}-{suffix}.pdf",
                    ContentFile(_form_pdf(material.name, sample=sample)),
                    save=False,
                )
                document.save()
            documents.append(document)
        if (material.blank_form_id, material.sample_id) != (documents[0].pk, documents[1].pk):
            Material.objects.filter(pk=material.pk).update(blank_form=documents[0], sample=documents[1])
            # A revision with the rows as they are now, so that the next publish keeps them.
            page = ServiceItemPage.objects.get(pk=material.page_id)
            page.save_revision(user=admin).publish(user=admin, skip_permission_checks=True)
        attached += 1
    return attached
