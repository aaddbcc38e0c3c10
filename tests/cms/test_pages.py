"""What villagers read: the policy and news lists and pages, and policies on item pages."""

import pytest
from django.conf import settings
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from cms.models import PolicyPage
from tests.cms.conftest import make_news, make_policy

MAX_PAGE_BYTES = 30_000


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert len(response.content) < MAX_PAGE_BYTES, f"{url} is {len(response.content)} bytes"
    return response.content.decode()


def test_the_policy_list_shows_live_policies_newest_in_force_first(client, tree):
    older = make_policy(tree.policies, n=1)
    newer = make_policy(tree.policies, n=2)
    draft = make_policy(tree.policies, n=3, publish=False)
    body = get(client, tree.policies.url)
    assert body.index(newer.title) < body.index(older.title)
    assert draft.title not in body
    assert "宝坻政办发〔2024〕2号" in body and "天津市宝坻区人民政府办公室" in body


def english(client):
    """Assertions read the English msgids, whatever the zh_Hans catalog says by then."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_an_empty_policy_list_says_where_to_ask(client, tree):
    body = get(english(client), tree.policies.url)
    assert "No policies have been published here yet" in body and "village assistant" in body


def test_the_policy_list_has_twenty_to_a_page(client, tree):
    for n in range(1, 22):
        make_policy(tree.policies, n=n)
    first = get(client, tree.policies.url)
    second = get(client, tree.policies.url + "?page=2")
    assert first.count('href="/policies/policy-') == 20
    assert second.count('href="/policies/policy-') == 1
    assert "policy-1/" in second  # the oldest comes last
    assert 'rel="next"' in first and 'rel="prev"' in second
    assert get(client, tree.policies.url + "?page=x").count("policy-21/") == 1  # a wrong number: page 1


def test_the_policy_list_runs_no_query_per_row(client, tree, django_assert_max_num_queries):
    for n in range(1, 6):
        make_policy(tree.policies, n=n)
    client.get(tree.policies.url)  # warm Wagtail's site root paths cache
    with CaptureQueriesContext(connection) as five:
        client.get(tree.policies.url)
    for n in range(6, 16):
        make_policy(tree.policies, n=n)
    # 9: Wagtail's routing (site, site root, county home's guide lookup, the child, its specific
    # row), the view-restriction check (ancestors, restrictions), then ours: count and rows.
    with django_assert_max_num_queries(9):
        body = client.get(tree.policies.url).content.decode()
    assert len(five.captured_queries) == 9  # ten more policies added no query
    assert body.count('href="/policies/policy-') == 15


def test_a_policy_page_shows_its_facts_attachments_and_service_items(client, tree):
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    from cms.models import PolicyAttachment

    document = Document(title="政策解读")
    document.file.save("jiedu.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    policy = make_policy(tree.policies, publish=False)
    policy.attachments = [PolicyAttachment(label="政策解读", document=document)]
    policy.related_items = [tree.item]
    policy.save_revision().publish()

    body = get(client, policy.url)
    assert policy.summary in body and "现将有关事项通知如下" in body
    assert "宝坻政办发〔2024〕1号" in body and "天津市宝坻区人民政府办公室" in body
    assert document.url in body and "政策解读" in body and "PDF" in body
    assert f'href="{tree.item.url}"' in body and tree.item.title in body


def test_a_policy_page_leaves_out_items_that_are_not_live(client, tree):
    policy = make_policy(tree.policies, publish=False)
    policy.related_items = [tree.item]
    policy.save_revision().publish()
    tree.item.unpublish()
    assert tree.item.title not in get(client, policy.url)


def test_the_item_knows_its_policies_and_the_include_lists_live_ones(client, tree, rf: RequestFactory):
    live = make_policy(tree.policies, n=1, publish=False)
    live.related_items = [tree.item]
    live.save_revision().publish()
    newer = make_policy(tree.policies, n=2, publish=False)
    newer.related_items = [tree.item]
    newer.save_revision().publish()
    draft = make_policy(tree.policies, n=3, publish=False, related_items=[tree.item])
    draft.save()  # the link exists in the database, but the policy is not live

    assert set(tree.item.related_policies.all()) == {live, newer, draft}
    template = Template(
        '{% include "cms/includes/related_policies.html" with policies=page.related_policies %}'
    )
    request = rf.get(tree.item.url)
    html = template.render(Context({"page": tree.item, "request": request}))
    assert html.index(newer.title) < html.index(live.title)
    assert draft.title not in html
    assert f'href="{live.url}"' in html


def test_the_include_renders_nothing_without_live_policies(tree, rf):
    template = Template(
        '{% include "cms/includes/related_policies.html" with policies=page.related_policies %}'
    )
    html = template.render(Context({"page": tree.item, "request": rf.get("/")}))
    assert html.strip() == ""


def test_the_include_costs_no_query_when_prefetched(tree, rf, django_assert_num_queries):
    from django.db.models import prefetch_related_objects

    policy = make_policy(tree.policies, publish=False)
    policy.related_items = [tree.item]
    policy.save_revision().publish()
    item = type(tree.item).objects.get(pk=tree.item.pk)
    prefetch_related_objects([item], "related_policies")
    template = Template(
        '{% include "cms/includes/related_policies.html" with policies=page.related_policies %}'
    )
    request = rf.get("/")
    template.render(Context({"page": item, "request": request}))  # warm the site root cache
    with django_assert_num_queries(0):
        html = template.render(Context({"page": item, "request": request}))
    assert policy.title in html


def test_the_news_list_and_a_news_page(client, tree):
    assert "There is no news yet" in get(english(client), tree.news.url)
    first = make_news(tree.news, n=1)
    second = make_news(tree.news, n=2)
    body = get(client, tree.news.url)
    assert body.index(second.title) < body.index(first.title)
    assert "详情请咨询各镇便民服务中心" in get(client, first.url)


def test_policies_are_found_by_summary_and_body(tree):
    # The database backend splits words at spaces and punctuation, not inside Chinese runs, so
    # the queries are whole runs; finding 宅基地 inside one is the guide search's business.
    make_policy(
        tree.policies, n=1, summary="宅基地建房审批办法。", body="<p>申请人向村民委员会提出申请。</p>"
    )
    make_policy(tree.policies, n=2)
    assert [p.slug for p in PolicyPage.objects.live().search("宅基地建房审批办法")] == ["policy-1"]
    assert [p.slug for p in PolicyPage.objects.live().search("申请人向村民委员会提出申请")] == ["policy-1"]


@pytest.mark.parametrize("url_name", ["policies", "news"])
def test_index_pages_render_for_elderly_mode_without_script(client, tree, url_name):
    body = get(client, getattr(tree, url_name).url)
    assert "<form" not in body.split("<main", 1)[1].split("</main>", 1)[0]  # plain links only


def test_a_draft_previews_with_its_unsaved_attachments_and_items(tree, rf):
    """The editor's preview is built from the form, not the database: nothing may re-query it."""
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    from cms.models import PolicyAttachment

    document = Document(title="申请表")
    document.file.save("shenqingbiao.docx", ContentFile(b"form"), save=True)
    policy = make_policy(tree.policies)
    draft = policy.get_latest_revision_as_object()
    draft.title = "修改中的政策"
    draft.attachments = [PolicyAttachment(label="申请表", document=document)]
    draft.related_items = [tree.item]
    response = draft.make_preview_request(rf.get("/"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "修改中的政策" in body and "申请表" in body and "DOCX" in body and tree.item.title in body
