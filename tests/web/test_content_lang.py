"""Chinese data keeps its own language on an English page (issue 18, gap 19)."""

from django.template import Context, Template
from django.utils import translation

from tests.services_catalog.conftest import delegate, dibao, guide  # noqa: F401

TEMPLATE = Template("{% load content_lang %}<h1{% data_lang %}>{{ title }}</h1><p>{{ office|zh }}</p>")


def render(language: str, **values) -> str:
    with translation.override(language):
        return TEMPLATE.render(Context(values))


def test_english_pages_mark_chinese_data_zh_hans():
    html = render("en", title="最低生活保障审核确认", office="郝各庄镇便民服务中心")
    assert html == (
        '<h1 lang="zh-Hans">最低生活保障审核确认</h1><p><span lang="zh-Hans">郝各庄镇便民服务中心</span></p>'
    )


def test_chinese_pages_need_no_marks():
    html = render("zh-hans", title="最低生活保障审核确认", office="郝各庄镇便民服务中心")
    assert html == "<h1>最低生活保障审核确认</h1><p>郝各庄镇便民服务中心</p>"


def test_the_value_is_escaped_and_empty_values_stay_empty():
    assert (
        render("en", title="", office="<b>镇</b>")
        == '<h1 lang="zh-Hans"></h1><p><span lang="zh-Hans">&lt;b&gt;镇&lt;/b&gt;</span></p>'
    )
    assert render("en", title="", office="") == '<h1 lang="zh-Hans"></h1><p></p>'
    assert render("zh-hans", title="", office="<b>镇</b>") == "<h1></h1><p>&lt;b&gt;镇&lt;/b&gt;</p>"


def test_an_english_item_page_marks_its_chinese_content(client, dibao, delegate, world):  # noqa: F811
    client.cookies["django_language"] = "en"
    body = client.get(dibao.url).content.decode()
    assert '<html lang="en">' in body
    assert f'<h1><span lang="zh-Hans">{dibao.title}</span></h1>' in body
    assert '<strong><span lang="zh-Hans">居民身份证</span></strong>' in body
    client.cookies["django_language"] = "zh-hans"
    assert 'lang="zh-Hans"' not in client.get(dibao.url).content.decode()
